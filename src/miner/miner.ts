/**
 * The multi-core miner: one worker thread per core, each searching nonce chunks it is handed.
 *
 * The parent owns the nonce space: it hands out consecutive chunks, counts attempts, and tracks
 * the checkpoint (every nonce below it, from the start, has been searched), so an interrupted
 * run can resume there without redoing work. Progress is an event; cancellation is an
 * AbortSignal that terminates the threads.
 */
import { availableParallelism } from 'node:os'
import { Worker } from 'node:worker_threads'
import { ErrorCode, ProtocolError } from '../protocol/errors.ts'
import { toHex } from '../protocol/hex.ts'
import {
  nonceFromHex,
  nonceToHex,
  type Pow,
  powPrefix,
  reclaimPow,
  verifyPow,
  workOf,
} from '../protocol/pow.ts'
import type { SearchHit } from '../protocol/sha256-kernel.ts'

/** What a progress event reports. */
export interface MiningProgress {
  /** Nonces tried so far in this run. */
  attempts: number
  /** Attempts per second, averaged since the run started (thread start-up included). */
  rate: number
  elapsedMs: number
  /** Time left to reach the expected 2^bits attempts at the current rate (0 once past it; luck varies). */
  etaMs: number
  /** The target. */
  bits: number
  /** Every nonce from the run's first one up to (excluding) this one has been searched. */
  checkpoint: bigint
  threads: number
}

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

/** @internal Sent to each thread at start. */
export interface WorkerSetup {
  prefix: Uint8Array
  bits: number
  scanner: 'wasm' | 'js' | undefined
}
/** @internal A range for a thread to search. */
export interface ChunkOrder {
  start: bigint
  count: number
}
/** @internal A thread's answer for one range. */
export interface ChunkDone extends ChunkOrder {
  hit: SearchHit | undefined
}

const NONCE_LIMIT = 1n << 64n
/** Chunks queued per thread: one running, one waiting, so no thread idles during a round trip. */
const IN_FLIGHT = 2

/** Mines proofs of work on all cores; listen to `mining:progress` for progress. */
export class Miner extends EventTarget {
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

  /** Typed `addEventListener` for {@link MinerEvents}. */
  override addEventListener<K extends keyof MinerEvents>(
    type: K,
    listener: ((event: MinerEvents[K]) => void) | null,
    options?: AddEventListenerOptions | boolean,
  ): void
  override addEventListener(
    type: string,
    listener: EventListenerOrEventListenerObject | null,
    options?: AddEventListenerOptions | boolean,
  ): void
  override addEventListener(
    type: string,
    listener: ((event: never) => void) | EventListenerObject | null,
    options?: AddEventListenerOptions | boolean,
  ): void {
    super.addEventListener(type, listener as EventListenerOrEventListenerObject | null, options)
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
    const { promise, resolve, reject } = Promise.withResolvers<Pow>()
    const startedAt = performance.now()
    const workers: Worker[] = []
    const finished = new Map<bigint, bigint>() // chunk start → end, for chunks above the checkpoint
    let next = first
    let checkpoint = first
    let attempts = 0
    let lastEmit = startedAt
    let settled = false

    const progress = (): MiningProgress => {
      const elapsedMs = performance.now() - startedAt
      const rate = elapsedMs > 0 ? (attempts * 1000) / elapsedMs : 0
      const left = Math.max(0, 2 ** setup.bits - attempts)
      const etaMs = left === 0 ? 0 : rate > 0 ? (left / rate) * 1000 : Number.POSITIVE_INFINITY
      return { attempts, rate, elapsedMs, etaMs, bits: setup.bits, checkpoint, threads: this.threads }
    }
    const emit = () => {
      lastEmit = performance.now()
      this.dispatchEvent(new CustomEvent('mining:progress', { detail: progress() }))
    }
    const settle = (outcome: { pow: Pow } | { error: unknown }) => {
      if (settled) return
      settled = true
      signal?.removeEventListener('abort', onAbort)
      if ('pow' in outcome) emit()
      void Promise.allSettled(workers.map((w) => w.terminate())).then(() => {
        if ('pow' in outcome) resolve(outcome.pow)
        else reject(outcome.error)
      })
    }
    const onAbort = () => {
      const at = nonceToHex(checkpoint)
      const message = `mining cancelled after ${attempts} attempts; resume from nonce ${at}`
      const details = { attempts, checkpoint: at, bits: setup.bits }
      settle({
        error: new ProtocolError(ErrorCode.MINING_CANCELLED, message, details, { cause: signal?.reason }),
      })
    }
    const send = (worker: Worker) => {
      if (next >= NONCE_LIMIT) return
      const count = Number(
        NONCE_LIMIT - next < BigInt(this.chunkSize) ? NONCE_LIMIT - next : BigInt(this.chunkSize),
      )
      worker.postMessage({ start: next, count } satisfies ChunkOrder)
      next += BigInt(count)
    }
    const onDone = (worker: Worker, done: ChunkDone) => {
      if (settled) return
      // a hit ends its chunk early: count only the nonces actually tried
      const end = done.hit ? done.hit.nonce + 1n : done.start + BigInt(done.count)
      attempts += Number(end - done.start)
      finished.set(done.start, end)
      for (let end = finished.get(checkpoint); end !== undefined; end = finished.get(checkpoint)) {
        finished.delete(checkpoint)
        checkpoint = end
      }
      if (done.hit) {
        settle({ pow: { bits: setup.bits, nonce: nonceToHex(done.hit.nonce), hash: toHex(done.hit.hash) } })
        return
      }
      if (checkpoint >= NONCE_LIMIT)
        settle({ error: new RangeError('all 2^64 nonces searched without a hit') })
      if (performance.now() - lastEmit >= this.progressIntervalMs) emit()
      send(worker)
    }

    if (signal?.aborted) {
      onAbort()
      return promise
    }
    signal?.addEventListener('abort', onAbort, { once: true })
    for (let i = 0; i < this.threads; i++) {
      const worker = new Worker(this.workerUrl, { workerData: setup })
      workers.push(worker)
      worker.on('message', (done: ChunkDone) => onDone(worker, done))
      worker.on('error', (error) => settle({ error }))
      worker.on('exit', (code) =>
        settle({ error: new Error(`mining thread exited unexpectedly (code ${code})`) }),
      )
      for (let k = 0; k < IN_FLIGHT; k++) send(worker)
    }
    return promise
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
