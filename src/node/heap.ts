/**
 * One full garbage collection when the node has just gone quiet (started, or done with a sync
 * burst). V8 collects the old generation when allocation reaches its limit, and its memory
 * reducer, which shrinks the heap of a process that has gone quiet, judges from the allocation
 * rate measured at the last collection: a node that stops allocating keeps that rate, its
 * garbage and its heap's free pages for ever. One collection gives it a fresh rate, and the
 * reducer then shrinks the heap (`--trace-gc`: a "Mark-Compact (reduce)" ~8 s later). Measured
 * on a node started alone: 57 MiB of heap (46 MiB used) a minute after start, 43 MiB after the
 * collection; 22 MiB less RSS. The collection pauses the node once (~0.1 s on a quiet machine).
 */
import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'

type Collect = (options: { type: 'major'; execution: 'async' }) => void

let collect: Collect | undefined

/** A major collection, in a task of its own: the caller does not wait for it. */
export function collectGarbage(): void {
  collect ??= exposeGc()
  collect({ type: 'major', execution: 'async' })
}

/** {@link collectGarbage} `delayMs` after now, unless the process exits first. */
export function collectGarbageAfter(delayMs: number): void {
  setTimeout(collectGarbage, delayMs).unref()
}

/** V8's `gc` function, without leaving it on this context's global object. */
function exposeGc(): Collect {
  const existing = (globalThis as { gc?: Collect }).gc
  if (existing) return existing
  setFlagsFromString('--expose-gc')
  const gc = runInNewContext('gc') as Collect
  setFlagsFromString('--no-expose-gc')
  return gc
}
