/**
 * The nonce scheduler every miner shares — Node's worker threads (miner.ts) and the browser's
 * Web Workers (src/web-trader/miner.ts) alike: it owns the nonce space, hands consecutive
 * chunks to the threads (two in flight each, so none idles during a round trip), counts
 * attempts, tracks the checkpoint (every nonce below it, from the start, has been searched) so
 * a cancelled run can resume there, reports progress with a rate and an ETA, and stops every
 * thread before it settles. Platform-neutral: a thread is whatever `spawn` returns.
 */
import { ErrorCode, nonceToHex, type Pow, ProtocolError, type SearchHit, toHex } from '../protocol/index.ts'

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

/** One mining thread as the scheduler sees it. */
export interface MiningThread {
  send(order: ChunkOrder): void
  terminate(): unknown
}

/** Callbacks a thread reports through. */
export interface ThreadEvents {
  done(result: ChunkDone): void
  fail(error: unknown): void
}

export interface ChunkSearch {
  setup: WorkerSetup
  /** First nonce to search. */
  first: bigint
  threads: number
  chunkSize: number
  progressIntervalMs: number
  signal?: AbortSignal | undefined
  onProgress(progress: MiningProgress): void
  /** Starts one thread, which reports each searched chunk (or its failure) through `events`. */
  spawn(events: ThreadEvents): MiningThread
}

export const NONCE_LIMIT = 1n << 64n
/** Chunks queued per thread: one running, one waiting. */
const IN_FLIGHT = 2

/**
 * Searches for a nonce meeting `setup.bits`. Resolves with the pow; rejects with
 * `MINING_CANCELLED` (details: attempts, checkpoint) on abort or with a thread's error.
 */
export function searchChunks(search: ChunkSearch): Promise<Pow> {
  const { setup, signal, threads, chunkSize } = search
  const { promise, resolve, reject } = Promise.withResolvers<Pow>()
  const startedAt = performance.now()
  const running: MiningThread[] = []
  const finished = new Map<bigint, bigint>() // chunk start → end, for chunks above the checkpoint
  let next = search.first
  let checkpoint = search.first
  let attempts = 0
  let lastEmit = startedAt
  let settled = false

  const progress = (): MiningProgress => {
    const elapsedMs = performance.now() - startedAt
    const rate = elapsedMs > 0 ? (attempts * 1000) / elapsedMs : 0
    const left = Math.max(0, 2 ** setup.bits - attempts)
    const etaMs = left === 0 ? 0 : rate > 0 ? (left / rate) * 1000 : Number.POSITIVE_INFINITY
    return { attempts, rate, elapsedMs, etaMs, bits: setup.bits, checkpoint, threads }
  }
  const emit = () => {
    lastEmit = performance.now()
    search.onProgress(progress())
  }
  const settle = (outcome: { pow: Pow } | { error: unknown }) => {
    if (settled) return
    settled = true
    signal?.removeEventListener('abort', onAbort)
    if ('pow' in outcome) emit()
    void Promise.allSettled(running.map((thread) => thread.terminate())).then(() => {
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
  const send = (thread: MiningThread) => {
    if (next >= NONCE_LIMIT) return
    const count = Number(NONCE_LIMIT - next < BigInt(chunkSize) ? NONCE_LIMIT - next : BigInt(chunkSize))
    thread.send({ start: next, count })
    next += BigInt(count)
  }
  const onDone = (thread: MiningThread, done: ChunkDone) => {
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
    if (checkpoint >= NONCE_LIMIT) settle({ error: new RangeError('all 2^64 nonces searched without a hit') })
    if (performance.now() - lastEmit >= search.progressIntervalMs) emit()
    send(thread)
  }

  if (signal?.aborted) {
    onAbort()
    return promise
  }
  signal?.addEventListener('abort', onAbort, { once: true })
  for (let i = 0; i < threads; i++) {
    const thread: MiningThread = search.spawn({
      done: (result) => onDone(thread, result),
      fail: (error) => settle({ error }),
    })
    running.push(thread)
    for (let k = 0; k < IN_FLIGHT; k++) send(thread)
  }
  return promise
}
