/**
 * A mining thread: searches the nonce chunks its parent sends and answers each with the result.
 *
 * Stateless between chunks, so the parent alone decides which ranges are searched (and can
 * report a checkpoint). Terminated by the parent; it never exits on its own.
 */
import { parentPort, workerData } from 'node:worker_threads'
import { createSearchKernel } from '../protocol/index.ts'
import type { ChunkDone, ChunkOrder, WorkerSetup } from './miner.ts'

const setup = workerData as WorkerSetup
const kernel = createSearchKernel(setup.scanner ? { scanner: setup.scanner } : {})
const port = parentPort!

port.on('message', (order: ChunkOrder) => {
  const hit = kernel.search(setup.prefix, order.start, order.count, setup.bits)
  const done: ChunkDone = { start: order.start, count: order.count, hit }
  port.postMessage(done)
})
