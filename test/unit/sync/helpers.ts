/** Helpers for the sync tests: random items, a full in-memory reconciliation, a channel pair. */
import { randomBytes } from 'node:crypto'
import type { FrameChannel } from '../../../src/sync/frames.ts'
import { initiate, type ReconcileOptions, reconcile, respond } from '../../../src/sync/reconcile.ts'
import { SortedItems, type SyncItem } from '../../../src/sync/storage.ts'

export function randomId(): string {
  return randomBytes(32).toString('hex')
}

export function randomItems(count: number, keys = 4): SyncItem[] {
  // One draw for all the ids: a call per id cost more than the reconciliation the tests measure.
  const bytes = randomBytes(32 * count)
  return Array.from({ length: count }, (_, i) => ({
    key: i % keys,
    id: bytes.toString('hex', 32 * i, 32 * (i + 1)),
  }))
}

export const name = (item: SyncItem) => `${item.key}:${item.id}`

/** Runs reconciliation to the end in memory: `a` initiates, `b` responds. */
export function reconcileInMemory(
  a: SortedItems,
  b: SortedItems,
  options: Partial<ReconcileOptions> = {},
  maxRounds = 1000,
): { have: SyncItem[]; need: SyncItem[]; rounds: number; bytes: number; largest: number } {
  const have: SyncItem[] = []
  const need: SyncItem[] = []
  let rounds = 0
  let bytes = 0
  let largest = 0
  let message: Uint8Array | undefined = initiate(a, options)
  while (message) {
    if (++rounds > maxRounds) throw new Error('reconciliation does not end')
    const reply = respond(b, message, options)
    bytes += message.length + reply.length
    largest = Math.max(largest, message.length, reply.length)
    const result = reconcile(a, reply, options)
    have.push(...result.have)
    need.push(...result.need)
    message = result.next
  }
  return { have, need, rounds, bytes, largest }
}

/** Sets a ∖ b as sorted names. */
export function minus(a: SyncItem[], b: SyncItem[]): string[] {
  const drop = new Set(b.map(name))
  return a
    .map(name)
    .filter((n) => !drop.has(n))
    .sort()
}

export function names(items: SyncItem[]): string[] {
  return items.map(name).sort()
}

export { SortedItems }

/** Two connected in-memory frame channels (what one writes, the other reads). */
export function channelPair(): [FrameChannel, FrameChannel] {
  const a = new MemoryChannel()
  const b = new MemoryChannel()
  a.peer = b
  b.peer = a
  return [a, b]
}

class MemoryChannel implements FrameChannel {
  peer: MemoryChannel | undefined
  bytesRead = 0
  bytesWritten = 0
  readonly #frames: Uint8Array[] = []
  #ended = false
  #error: Error | undefined
  #wake: (() => void) | undefined

  deliver(frame: Uint8Array | undefined, error?: Error): void {
    if (error) this.#error = error
    else if (frame) this.#frames.push(frame)
    else this.#ended = true
    this.#wake?.()
  }

  async read(signal?: AbortSignal): Promise<Uint8Array | undefined> {
    for (;;) {
      if (this.#error) throw this.#error
      const frame = this.#frames.shift()
      if (frame) {
        this.bytesRead += frame.length
        return frame
      }
      if (this.#ended) return undefined
      signal?.throwIfAborted()
      await new Promise<void>((resolve, reject) => {
        const onAbort = () => reject(signal!.reason)
        signal?.addEventListener('abort', onAbort, { once: true })
        this.#wake = () => {
          signal?.removeEventListener('abort', onAbort)
          resolve()
        }
      })
    }
  }

  async write(frame: Uint8Array): Promise<void> {
    if (this.#error) throw this.#error
    this.bytesWritten += frame.length
    const copy = frame.slice()
    queueMicrotask(() => this.peer?.deliver(copy))
  }

  async close(): Promise<void> {
    queueMicrotask(() => this.peer?.deliver(undefined))
  }

  abort(error: Error): void {
    this.#error = error
    this.peer?.deliver(undefined, new Error('reset by peer'))
    this.#wake?.()
  }
}
