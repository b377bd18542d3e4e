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
import { getHeapSpaceStatistics, setFlagsFromString } from 'node:v8'
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

/**
 * Collects again each time the old generation has grown by `growthBytes` since the last
 * collection, checked every `intervalMs`, while it holds less than `maxOldBytes`. An idle node
 * with peers still allocates (heartbeats, pings, gossip control messages) and promotes
 * ≈ 0.4 MiB a minute to the old generation, which V8 keeps until its allocation limit, tens of
 * MiB away: an idle node with 8 peers went from 101 to 108 MiB of RSS in ten minutes. A major
 * collection of a heap this small takes 20–30 ms of CPU; above `maxOldBytes` (a node holding a
 * large pool) V8's own limits decide, as each collection would pause the node for longer.
 */
export class HeapGrowthCollector {
  readonly growthBytes: number
  readonly maxOldBytes: number
  readonly intervalMs: number
  readonly #oldBytes: () => number
  readonly #collect: () => void
  #baseline: number | undefined
  #timer: NodeJS.Timeout | undefined

  constructor(
    options: { growthBytes?: number; maxOldBytes?: number; intervalMs?: number } = {},
    heap: { oldBytes?: () => number; collect?: () => void } = {},
  ) {
    this.growthBytes = options.growthBytes ?? 1024 * 1024
    this.maxOldBytes = options.maxOldBytes ?? 128 * 1024 * 1024
    this.intervalMs = options.intervalMs ?? 30_000
    this.#oldBytes = heap.oldBytes ?? oldGenerationBytes
    this.#collect = heap.collect ?? collectGarbage
  }

  start(): void {
    this.#timer ??= setInterval(() => this.check(), this.intervalMs).unref()
  }

  stop(): void {
    clearInterval(this.#timer)
    this.#timer = undefined
  }

  /**
   * One check; true when it collected. The first check, and the first after a collection (which
   * runs in a task of its own), take the size they find as the baseline.
   */
  check(): boolean {
    const old = this.#oldBytes()
    if (this.#baseline === undefined || old < this.#baseline) {
      this.#baseline = old
      return false
    }
    if (old - this.#baseline < this.growthBytes || old >= this.maxOldBytes) return false
    this.#baseline = undefined
    this.#collect()
    return true
  }
}

/** Bytes used in the old generation: the spaces only a major collection empties. */
export function oldGenerationBytes(): number {
  let used = 0
  for (const space of getHeapSpaceStatistics()) {
    if (space.space_name === 'old_space' || space.space_name === 'large_object_space')
      used += space.space_used_size
  }
  return used
}

/**
 * V8's `gc` function: the global one when the process started with `--expose-gc`, as `mega node`
 * does (NODE_FLAGS in src/cli/node-bundle.ts); otherwise from a context of its own, which is
 * kept with it (in a network of idle nodes, 1.0–1.6 MiB more RSS per node than the flag),
 * without leaving it on this context's global object.
 */
function exposeGc(): Collect {
  const existing = (globalThis as { gc?: Collect }).gc
  if (existing) return existing
  setFlagsFromString('--expose-gc')
  const gc = runInNewContext('gc') as Collect
  setFlagsFromString('--no-expose-gc')
  return gc
}
