/**
 * Signature checks on worker threads, for messages that arrive in batches (a sync's fetch
 * replies). Admission checks one message at a time on the main thread, about 5k signed
 * messages per second on one core; a fresh node syncing 100k entries would spend most of its
 * time there. The threads take a page's bytes as received (one copy, moved to the thread, not
 * cloned string by string), find which messages are canonical UTF-8 JSON (so the main thread
 * only parses those) and check their signatures while the main thread admits earlier pages; the
 * messages that passed go into `Mempool.verified`, so admission skips only those exact messages.
 *
 * Each thread is a whole V8 isolate (≈ 15–25 MiB of RSS), which a node whose sync has caught up
 * never uses again: the threads stop after `idleMs` without a check, the burst's garbage is
 * collected (see heap.ts), and the next check starts them again (≈ 30 ms).
 */
import { availableParallelism } from 'node:os'
import { Worker } from 'node:worker_threads'
import type { VerifiedKey } from '../mempool/index.ts'
import { collectGarbage } from './heap.ts'

/** @internal Sent to a thread: views into one buffer, moved with the message. */
export interface SignatureJob {
  job: number
  messages: readonly Uint8Array[]
}

/**
 * @internal A thread's answer: the `verifiedKey`s of the messages whose signatures hold, for
 * each message whether it is canonical UTF-8 JSON, and the thread's CPU time on the job.
 */
export interface SignatureJobDone {
  job: number
  ids: VerifiedKey[]
  canonical: boolean[]
  cpuMs: number
}

/** What {@link SignatureThreads.check} found in a page. */
export interface SignatureCheck {
  /** The `verifiedKey`s of the messages whose every signature holds, in no particular order. */
  verified: VerifiedKey[]
  /** Per message, in the page's order: UTF-8 JSON in its canonical form (docs/protocol.md §2). */
  canonical: boolean[]
}

export interface SignatureThreadsInit {
  /** Threads. @default os.availableParallelism(), at most 4 */
  threads?: number
  /** The thread's script. @default ./signature-thread.ts */
  workerUrl?: URL
  /** Threads stop after this long without a check (`start` spawns them again). @default 60_000 */
  idleMs?: number
  /** Called once the idle threads have stopped. */
  onIdle?: () => void
}

interface Thread {
  worker: Worker
  jobs: Map<number, PromiseWithResolvers<SignatureJobDone>>
}

export class SignatureThreads {
  readonly threads: number
  readonly #workerUrl: URL
  readonly #idleMs: number
  readonly #onIdle: (() => void) | undefined
  #pool: Thread[] = []
  #nextJob = 0
  #idleTimer: NodeJS.Timeout | undefined
  #cpuMs = 0

  constructor(init: SignatureThreadsInit = {}) {
    this.threads = init.threads ?? Math.min(availableParallelism(), 4)
    this.#workerUrl = init.workerUrl ?? new URL('./signature-thread.ts', import.meta.url)
    this.#idleMs = init.idleMs ?? 60_000
    this.#onIdle = init.onIdle
    if (!Number.isInteger(this.threads) || this.threads < 1)
      throw new RangeError('threads must be a positive integer')
  }

  /** Spawns the threads. Idempotent. */
  start(): void {
    while (this.#pool.length < this.threads) this.#pool.push(this.#spawn())
    this.#armIdle()
  }

  /** CPU time the threads spent on checks so far, ms (all threads, as each measured it). */
  get cpuMs(): number {
    return this.#cpuMs
  }

  /** Threads running now (0 before `start` and once they have stopped). */
  get running(): number {
    return this.#pool.length
  }

  /** Terminates the threads; pending checks reject. Idempotent. */
  async stop(): Promise<void> {
    clearTimeout(this.#idleTimer)
    this.#idleTimer = undefined
    const pool = this.#pool
    this.#pool = []
    await Promise.all(pool.map((thread) => this.#retire(thread, new Error('signature threads stopped'))))
  }

  /**
   * Checks a page of messages (their bytes as received): which are canonical UTF-8 JSON, and
   * which of those have every signature holding. The page is split evenly over the threads.
   * Rejects when the threads are not running or one of them failed.
   */
  async check(messages: readonly Uint8Array[]): Promise<SignatureCheck> {
    if (this.#pool.length === 0) throw new Error('signature threads are not running')
    clearTimeout(this.#idleTimer)
    this.#idleTimer = undefined
    const share = Math.ceil(messages.length / this.#pool.length)
    const parts: Promise<SignatureJobDone>[] = []
    for (let at = 0; at < messages.length; at += share) {
      parts.push(this.#send(this.#leastBusy(), messages.slice(at, at + share)))
    }
    const done = await Promise.all(parts)
    return { verified: done.flatMap((part) => part.ids), canonical: done.flatMap((part) => part.canonical) }
  }

  /** Once no check is pending, the threads stop after `idleMs` unless another check comes. */
  #armIdle(): void {
    if (this.#pool.length === 0 || this.#pool.some((thread) => thread.jobs.size > 0)) return
    clearTimeout(this.#idleTimer)
    this.#idleTimer = setTimeout(() => {
      this.#idleTimer = undefined
      void this.stop().then(() => {
        collectGarbage()
        this.#onIdle?.()
      })
    }, this.#idleMs)
    this.#idleTimer.unref()
  }

  #leastBusy(): Thread {
    let best = this.#pool[0]!
    for (const thread of this.#pool) if (thread.jobs.size < best.jobs.size) best = thread
    return best
  }

  #send(thread: Thread, messages: readonly Uint8Array[]): Promise<SignatureJobDone> {
    const job = this.#nextJob++
    const pending = Promise.withResolvers<SignatureJobDone>()
    thread.jobs.set(job, pending)
    const { buffer, views } = packed(messages)
    thread.worker.postMessage({ job, messages: views } satisfies SignatureJob, [buffer])
    return pending.promise
  }

  #spawn(): Thread {
    const worker = new Worker(this.#workerUrl)
    const thread: Thread = { worker, jobs: new Map() }
    worker.unref()
    worker.on('message', (done: SignatureJobDone) => {
      this.#cpuMs += done.cpuMs
      thread.jobs.get(done.job)?.resolve(done)
      thread.jobs.delete(done.job)
      this.#armIdle()
    })
    // A thread that dies is replaced; its pending checks reject (admission then checks them).
    const replace = (error: Error) => {
      const at = this.#pool.indexOf(thread)
      if (at < 0) return
      void this.#retire(thread, error)
      this.#pool[at] = this.#spawn()
      this.#armIdle()
    }
    worker.on('error', replace)
    worker.on('exit', (code) => replace(new Error(`signature thread exited with code ${code}`)))
    return thread
  }

  async #retire(thread: Thread, error: Error): Promise<void> {
    for (const pending of thread.jobs.values()) pending.reject(error)
    thread.jobs.clear()
    thread.worker.removeAllListeners()
    await thread.worker.terminate()
  }
}

/**
 * Copies messages into one new buffer (moved to the thread, not cloned) and returns views of
 * it in the same order. The received bytes are views into larger frames that stay here.
 */
function packed(messages: readonly Uint8Array[]): { buffer: ArrayBuffer; views: Uint8Array[] } {
  let total = 0
  for (const bytes of messages) total += bytes.length
  const buffer = new ArrayBuffer(total)
  let at = 0
  const views = messages.map((bytes) => {
    const view = new Uint8Array(buffer, at, bytes.length)
    view.set(bytes)
    at += bytes.length
    return view
  })
  return { buffer, views }
}
