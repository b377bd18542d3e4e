/**
 * Proof of work in the browser: one Web Worker per core (`navigator.hardwareConcurrency`),
 * each running the protocol's search kernel (miner-worker.ts), scheduled by the very nonce
 * scheduler the Node miner uses (src/miner/scheduler.ts): chunks, attempts, checkpoint,
 * progress with rate and ETA, and an AbortSignal that terminates the workers
 * (`MINING_CANCELLED`, with the checkpoint to resume from).
 */
import { type ChunkDone, type MiningProgress, searchChunks, type WorkerSetup } from '../miner/scheduler.ts'
import { nonceFromHex, type Pow, powPrefix, workOf } from '../protocol/index.ts'

export interface WebMineTask {
  bound: Uint8Array
  bits: number
  /** The worker script (the bundle's `miner.js`). */
  workerUrl: URL | string
  /** @default navigator.hardwareConcurrency */
  threads?: number
  /** Nonces per chunk. @default 262_144 (tens of milliseconds per chunk) */
  chunkSize?: number
  signal?: AbortSignal
  onProgress?: (progress: MiningProgress & { kernel: string }) => void
  /** Minimum time between progress calls. @default 250 */
  progressIntervalMs?: number
  scanner?: 'wasm' | 'js'
  /** First nonce to search, e.g. a cancelled run's checkpoint (hex). @default 0 */
  resumeFrom?: string
}

/** Mines `bits` of work for `bound` in Web Workers. */
export function mineInWorkers(task: WebMineTask): Promise<Pow> {
  workOf(task.bits) // validates bits
  const setup: WorkerSetup = { prefix: powPrefix(task.bound), bits: task.bits, scanner: task.scanner }
  let kernel = ''
  return searchChunks({
    setup,
    first: task.resumeFrom === undefined ? 0n : nonceFromHex(task.resumeFrom),
    signal: task.signal,
    threads: task.threads ?? Math.max(1, navigator.hardwareConcurrency || 1),
    chunkSize: task.chunkSize ?? 1 << 18,
    progressIntervalMs: task.progressIntervalMs ?? 250,
    onProgress: (progress) => task.onProgress?.({ ...progress, kernel }),
    spawn: (events) => {
      const worker = new Worker(task.workerUrl, { type: 'module' })
      worker.onerror = (event) => events.fail(new Error(`mining worker failed: ${event.message}`))
      worker.onmessage = (event: MessageEvent<ChunkDone | { kernel: string }>) => {
        if ('kernel' in event.data) kernel = event.data.kernel
        else events.done(event.data)
      }
      worker.postMessage(setup)
      return { send: (order) => worker.postMessage(order), terminate: () => worker.terminate() }
    },
  })
}
