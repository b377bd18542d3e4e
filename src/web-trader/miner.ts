/**
 * Proof of work in the browser: one Web Worker per core (`navigator.hardwareConcurrency`),
 * each running the protocol's search kernel on nonce chunks handed out here — the Node
 * miner's scheme (src/miner/miner.ts) with Web Workers for threads: the page owns the nonce
 * space, counts attempts, reports progress with a rate and an ETA, and an AbortSignal
 * terminates the workers.
 */
import type { ChunkDone, ChunkOrder, MiningProgress, WorkerSetup } from '../miner/miner.ts'
import { ErrorCode, ProtocolError } from '../protocol/errors.ts'
import { toHex } from '../protocol/hex.ts'
import { nonceToHex, type Pow, powPrefix, workOf } from '../protocol/pow.ts'

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
}

/** Mines `bits` of work for `bound` in Web Workers; rejects with `MINING_CANCELLED` on abort. */
export function mineInWorkers(task: WebMineTask): Promise<Pow> {
  workOf(task.bits) // validates bits
  const threads = task.threads ?? Math.max(1, navigator.hardwareConcurrency || 1)
  const chunkSize = task.chunkSize ?? 1 << 18
  const interval = task.progressIntervalMs ?? 250
  const setup: WorkerSetup = { prefix: powPrefix(task.bound), bits: task.bits, scanner: task.scanner }
  const { promise, resolve, reject } = Promise.withResolvers<Pow>()
  const startedAt = performance.now()
  const workers: Worker[] = []
  let next = 0n
  let attempts = 0
  let lastEmit = startedAt
  let settled = false
  let kernel = ''

  const progress = () => {
    const elapsedMs = performance.now() - startedAt
    const rate = elapsedMs > 0 ? (attempts * 1000) / elapsedMs : 0
    const left = Math.max(0, 2 ** task.bits - attempts)
    const etaMs = left === 0 ? 0 : rate > 0 ? (left / rate) * 1000 : Number.POSITIVE_INFINITY
    return { attempts, rate, elapsedMs, etaMs, bits: task.bits, checkpoint: next, threads, kernel }
  }
  const emit = () => {
    lastEmit = performance.now()
    task.onProgress?.(progress())
  }
  const settle = (outcome: { pow: Pow } | { error: unknown }) => {
    if (settled) return
    settled = true
    task.signal?.removeEventListener('abort', onAbort)
    for (const worker of workers) worker.terminate()
    if ('pow' in outcome) {
      emit()
      resolve(outcome.pow)
    } else reject(outcome.error)
  }
  const onAbort = () =>
    settle({
      error: new ProtocolError(ErrorCode.MINING_CANCELLED, `mining cancelled after ${attempts} attempts`, {
        attempts,
        bits: task.bits,
      }),
    })
  const send = (worker: Worker) => {
    worker.postMessage({ start: next, count: chunkSize } satisfies ChunkOrder)
    next += BigInt(chunkSize)
  }
  if (task.signal?.aborted) {
    onAbort()
    return promise
  }
  task.signal?.addEventListener('abort', onAbort, { once: true })
  for (let i = 0; i < threads; i++) {
    const worker = new Worker(task.workerUrl, { type: 'module' })
    workers.push(worker)
    worker.onerror = (event) => settle({ error: new Error(`mining worker failed: ${event.message}`) })
    worker.onmessage = (event: MessageEvent<ChunkDone | { kernel: string }>) => {
      if (settled) return
      if ('kernel' in event.data) {
        kernel = event.data.kernel
        return
      }
      const done = event.data
      const end = done.hit ? done.hit.nonce + 1n : done.start + BigInt(done.count)
      attempts += Number(end - done.start)
      if (done.hit) {
        settle({ pow: { bits: task.bits, nonce: nonceToHex(done.hit.nonce), hash: toHex(done.hit.hash) } })
        return
      }
      if (performance.now() - lastEmit >= interval) emit()
      send(worker)
    }
    worker.postMessage(setup)
    // two chunks in flight: one running, one waiting, so no worker idles during a round trip
    send(worker)
    send(worker)
  }
  return promise
}
