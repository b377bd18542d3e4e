/**
 * A browser mining worker: the Node miner's thread (src/miner/worker.ts) for Web Workers. It
 * runs the same kernel (WebAssembly SIMD, else JavaScript) on the nonce ranges the page sends
 * and answers each with the same {@link ChunkDone}. The first message carries the setup.
 */
import type { ChunkDone, ChunkOrder, WorkerSetup } from '../miner/scheduler.ts'
import { createSearchKernel, type SearchKernel } from '../protocol/index.ts'

let setup: WorkerSetup | undefined
let kernel: SearchKernel | undefined

self.onmessage = (event: MessageEvent<WorkerSetup | ChunkOrder>) => {
  if (setup === undefined) {
    setup = event.data as WorkerSetup
    kernel = createSearchKernel(setup.scanner ? { scanner: setup.scanner } : {})
    self.postMessage({ kernel: kernel.name })
    return
  }
  const order = event.data as ChunkOrder
  const hit = kernel!.search(setup.prefix, order.start, order.count, setup.bits)
  self.postMessage({ start: order.start, count: order.count, hit } satisfies ChunkDone)
}
