/**
 * The multi-core miner: one worker thread per core, each searching nonce chunks it is handed.
 *
 * The parent owns the nonce space (scheduler.ts, shared with the browser's Web Worker miner):
 * it hands out consecutive chunks, counts attempts, and tracks the checkpoint (every nonce below
 * it, from the start, has been searched), so an interrupted run can resume there without
 * redoing work. Progress is an event; cancellation is an AbortSignal that terminates the threads.
 */
import { availableParallelism } from 'node:os'
import { Worker } from 'node:worker_threads'
import {
  nonceFromHex,
  type Pow,
  powPrefix,
  reclaimPow,
  TypedEventTarget,
  verifyPow,
  workOf,
} from '../protocol/index.ts'
import { type MiningProgress, NONCE_LIMIT, searchChunks, type WorkerSetup } from './scheduler.ts'

export type { ChunkDone, ChunkOrder, MiningProgress, WorkerSetup } from './scheduler.ts'

/** Events of a {@link Miner}. */
export interface MinerEvents {
  /** Dispatched while mining, at most every `progressIntervalMs`, and once when a pow is found. */
  'mining:progress': CustomEvent<MiningProgress>
}

/** Options of a {@link Miner}; all optional. */
export interface MinerInit {
  /** Worker threads. @default os.availableParallelism() */
  threads?: number
  /** Nonces per chunk: about 70 ms of work per thread with WebAssembly SIMD. @default 1_048_576 */
  chunkSize?: number
  /** Minimum time between progress events. @default 250 */
  progressIntervalMs?: number
  /** Forces the kernel's scanner in the threads (benchmarks, tests). @default fastest available */
  scanner?: 'wasm' | 'js'
  /** The thread's script; tests swap it. @default ./worker.ts */
  workerUrl?: URL
}

/** One mining job. */
export interface MineTask {
  /** The bytes the work is bound to (design.md §4). */
  bound: Uint8Array
  /** Target leading zero bits; the result claims exactly this many. */
  bits: number
  /** Aborting rejects with `MINING_CANCELLED` (details: attempts, checkpoint) and stops the threads. */
  signal?: AbortSignal
  /** Upgrade: an existing pow for `bound`, returned re-claimed when its hash already meets `bits`. */
  from?: Pow
  /** First nonce to search, e.g. a cancelled run's checkpoint. @default from's nonce + 1, else 0 */
  resumeFrom?: bigint
}

/** Mines proofs of work on all cores; listen to `mining:progress` for progress. */
export class Miner extends TypedEventTarget<MinerEvents> {
  readonly threads: number
  readonly chunkSize: number
  readonly progressIntervalMs: number
  readonly scanner: 'wasm' | 'js' | undefined
  readonly workerUrl: URL

  constructor(init: MinerInit = {}) {
    super()
    this.threads = init.threads ?? availableParallelism()
    this.chunkSize = init.chunkSize ?? 1 << 20
    this.progressIntervalMs = init.progressIntervalMs ?? 250
    this.scanner = init.scanner
    this.workerUrl = init.workerUrl ?? new URL('./worker.ts', import.meta.url)
    if (!Number.isInteger(this.threads) || this.threads < 1)
      throw new RangeError('threads must be a positive integer')
    if (!Number.isInteger(this.chunkSize) || this.chunkSize < 1)
      throw new RangeError('chunkSize must be a positive integer')
  }

  /**
   * Mines a pow of `task.bits` for `task.bound`. Resolves once a thread finds one; rejects with
   * `MINING_CANCELLED` on abort, with `from`'s verification error when it does not belong to
   * `bound`, or with a thread's error. All threads are terminated before it settles.
   */
  async mine(task: MineTask): Promise<Pow> {
    const { bound, bits, signal, from } = task
    workOf(bits) // validates bits
    if (from) {
      const valid = verifyPow(bound, from)
      if (!valid.ok) throw valid.error
      const reclaimed = reclaimPow(from, bits)
      if (reclaimed) return reclaimed
    }
    const first = task.resumeFrom ?? (from ? nonceFromHex(from.nonce) + 1n : 0n)
    if (first < 0n || first >= NONCE_LIMIT)
      throw new RangeError('resumeFrom must be an unsigned 64-bit integer')
    return this.search({ prefix: powPrefix(bound), bits, scanner: this.scanner }, first, signal)
  }

  private search(setup: WorkerSetup, first: bigint, signal: AbortSignal | undefined): Promise<Pow> {
    return searchChunks({
      setup,
      first,
      signal,
      threads: this.threads,
      chunkSize: this.chunkSize,
      progressIntervalMs: this.progressIntervalMs,
      onProgress: (progress) => this.emit('mining:progress', progress),
      spawn: (events) => {
        const worker = new Worker(this.workerUrl, { workerData: setup })
        worker.on('message', events.done)
        worker.on('error', events.fail)
        worker.on('exit', (code) =>
          events.fail(new Error(`mining thread exited unexpectedly (code ${code})`)),
        )
        return { send: (order) => worker.postMessage(order), terminate: () => worker.terminate() }
      },
    })
  }
}

/** Options of {@link mine}: a task, miner options and a progress callback. */
export interface MineOptions extends MineTask, MinerInit {
  onProgress?: (progress: MiningProgress) => void
}

/**
 * Mines a pow on all cores (one-shot form of {@link Miner}).
 *
 * @example
 * ```ts
 * const pow = await mine({ bound, bits: 20, signal: AbortSignal.timeout(60_000), onProgress: (p) => console.log(p.rate) })
 * ```
 */
export function mine(options: MineOptions): Promise<Pow> {
  const miner = new Miner(options)
  const { onProgress } = options
  if (onProgress) miner.addEventListener('mining:progress', (event) => onProgress(event.detail))
  return miner.mine(options)
}
