/**
 * What to fetch of what a peer holds and we lack: not what we hold with at least as much
 * work, not what we refused recently, in key order (oracles first, then capabilities,
 * reports, disputes, offers; the strongest first within a kind).
 *
 * The refused set is what keeps two nodes from fetching the same thing forever: an item whose
 * admission came back duplicate, stale (an older seqNo than ours), invalid, too weak for our
 * pools or outside our shard stays in the peer's set and so in every reconciliation's `need`,
 * and we skip it until its entry expires.
 */
import type { SortedItems, SyncItem } from './storage.ts'
import { compareSyncItems } from './storage.ts'

export interface RefusedItemsInit {
  /** Items remembered at most; the oldest go first. @default 100_000 */
  maxSize?: number
  /** How long an item stays refused, ms. @default 1_800_000 (30 min) */
  ttlMs?: number
}

/** A bounded, expiring set of items whose admission we refused. */
export class RefusedItems {
  readonly maxSize: number
  readonly ttlMs: number
  /** `key:id` → expiry (ms); insertion order is expiry order (one TTL for all). */
  readonly #until = new Map<string, number>()

  constructor(init: RefusedItemsInit = {}) {
    this.maxSize = init.maxSize ?? 100_000
    this.ttlMs = init.ttlMs ?? 30 * 60_000
  }

  get size(): number {
    return this.#until.size
  }

  add(item: SyncItem, now: number): void {
    const name = `${item.key}:${item.id}`
    this.#until.delete(name)
    this.#until.set(name, now + this.ttlMs)
    this.#expire(now)
    while (this.#until.size > this.maxSize) this.#until.delete(this.#until.keys().next().value!)
  }

  has(item: SyncItem, now: number): boolean {
    const until = this.#until.get(`${item.key}:${item.id}`)
    return until !== undefined && until > now
  }

  #expire(now: number): void {
    for (const [name, until] of this.#until) {
      if (until > now) break
      this.#until.delete(name)
    }
  }
}

/**
 * Of the items a peer holds and we lack, those worth fetching, sorted by key, without
 * duplicates.
 */
export function planFetch(
  need: Iterable<SyncItem>,
  local: SortedItems,
  refused: RefusedItems | undefined,
  now: number,
): SyncItem[] {
  const wanted: SyncItem[] = []
  for (const item of need) {
    // The same id under a key no higher (as much work or more) is what we hold already.
    const held = local.keyOf(item.id)
    if (held !== undefined && held <= item.key) continue
    if (refused?.has(item, now)) continue
    wanted.push(item)
  }
  wanted.sort(compareSyncItems)
  return wanted.filter((item, i) => i === 0 || compareSyncItems(wanted[i - 1]!, item) !== 0)
}
