/**
 * Signature checks on worker threads, for messages that arrive in batches (a sync's fetch
 * replies). Admission checks one message at a time on the main thread, about 5k signed
 * messages per second on one core; a fresh node syncing 100k entries would spend most of its
 * time there. The threads check a page while the main thread admits the previous one, and the
 * messages that passed go into `Mempool.verified`, so admission skips only those exact messages.
 *
 * Each thread is a whole V8 isolate (≈ 15–25 MiB of RSS), which a node whose sync has caught up
 * never uses again: the threads stop after `idleMs` without a check, the burst's garbage is
 * collected (see heap.ts), and the next check starts them again (≈ 30 ms).
 */
import { availableParallelism } from 'node:os'
import { Worker } from 'node:worker_threads'
import { collectGarbage } from './heap.ts'

/** @internal Sent to a thread. */
export interface SignatureJob {
  job: number
  texts: readonly string[]
}

/** @internal A thread's answer: the `verifiedKey`s of the messages whose signatures hold. */
export interface SignatureJobDone {
  job: number
  ids: string[]
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
  jobs: Map<number, PromiseWithResolvers<string[]>>
}

export class SignatureThreads {
  readonly threads: number
  readonly #workerUrl: URL
  readonly #idleMs: number
  readonly #onIdle: (() => void) | undefined
  #pool: Thread[] = []
  #nextJob = 0
  #idleTimer: NodeJS.Timeout | undefined

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
   * The `verifiedKey`s of the messages (JSON texts) whose every signature holds, in no particular order.
   * Rejects when the threads are not running or one of them failed.
   */
  async check(texts: readonly string[]): Promise<string[]> {
    if (this.#pool.length === 0) throw new Error('signature threads are not running')
    clearTimeout(this.#idleTimer)
    this.#idleTimer = undefined
    const share = Math.ceil(texts.length / this.#pool.length)
    const parts: Promise<string[]>[] = []
    for (let at = 0; at < texts.length; at += share) {
      parts.push(this.#send(this.#leastBusy(), texts.slice(at, at + share)))
    }
    return (await Promise.all(parts)).flat()
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

  #send(thread: Thread, texts: readonly string[]): Promise<string[]> {
    const job = this.#nextJob++
    const pending = Promise.withResolvers<string[]>()
    thread.jobs.set(job, pending)
    thread.worker.postMessage({ job, texts } satisfies SignatureJob)
    return pending.promise
  }

  #spawn(): Thread {
    const worker = new Worker(this.#workerUrl)
    const thread: Thread = { worker, jobs: new Map() }
    worker.unref()
    worker.on('message', ({ job, ids }: SignatureJobDone) => {
      thread.jobs.get(job)?.resolve(ids)
      thread.jobs.delete(job)
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
