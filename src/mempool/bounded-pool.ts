/**
 * A pool of entries with a capacity, ordered by rank so the weakest is found and evicted in
 * O(log n) (an ordered set, never a scan), with a rolling admission floor. Every limit of the
 * mempool is one of these: the oracles, each oracle's capabilities and reports, the offers,
 * each capability's offers.
 */
import { OrderedSet } from './ordered-set.ts'
import { isExactOrder, orderOfBigint, orderOfRank, orderOfText } from './orders.ts'
import { type FloorState, RollingFloor, type RollingFloorInit } from './rolling-floor.ts'

/** How strong an entry is: compared by `tier`, then `work`, then `id` (a stable tie-break). */
export interface Rank {
  /**
   * What ranks above work: an oracle's verified bid (0 without a bid verifier); 1 for a report
   * that counts against its oracle, so that reports nobody counts (an oracle's praise of itself)
   * cannot push out those that do; 0 for everything else.
   */
  tier: bigint
  /** Work in units (2^bits) — identity strength for oracles, PoW work otherwise. */
  work: bigint
  /** Entry id: makes ranks unique and the order deterministic on every node. */
  id: string
}

/** Orders ranks from weakest to strongest. */
export function compareRanks(a: Rank, b: Rank): number {
  if (a.tier !== b.tier) return a.tier < b.tier ? -1 : 1
  if (a.work !== b.work) return a.work < b.work ? -1 : 1
  // The larger id is the weaker one, so that among equals the same entries survive everywhere.
  return a.id === b.id ? 0 : a.id > b.id ? -1 : 1
}

const MAX_EXACT = BigInt(Number.MAX_SAFE_INTEGER)

/** log2 of work, for floors and display. */
export function workBits(work: bigint): number {
  if (work <= 0n) return 0
  // Most works fit a double exactly; only larger ones need their length in bits.
  if (work <= MAX_EXACT) return Math.log2(Number(work))
  const length = work.toString(2).length
  const shift = Math.max(0, length - 53)
  return Math.log2(Number(work >> BigInt(shift))) + shift
}

/** Most entries a pool finds by a scan of its held ranks, without a map of ids. */
const SCAN_UP_TO = 8
/** What {@link BoundedPool.set} returns when it evicts nothing: one array for every such call. */
const NOTHING_EVICTED: readonly [Rank, never][] = Object.freeze([])

/** A rank without the entry it was held with, for callers that keep ranks (cursors, verdicts). */
function rankOnly(rank: Rank): Rank {
  return { tier: rank.tier, work: rank.work, id: rank.id }
}

export interface BoundedPoolInit extends RollingFloorInit {
  /** Most entries the pool holds. */
  capacity: number
  /** Probability that an eviction picks a random entry instead of the weakest. @default 0 */
  randomEvictionRate?: number
  /** Source of randomness in [0, 1). @default Math.random */
  random?: () => number
}

/** Verdict of {@link BoundedPool.check}: room, room after evicting the weakest, or too weak. */
export type PoolCheck =
  | { fits: true; evicts?: Rank }
  | { fits: false; floorBits: number; weakestBits: number }

/**
 * An entry's rank with the entry: the one object a pool keeps per entry, key of both indexes.
 * It carries small integers ordering like its tier, work and id (orders.ts), so the set
 * compares them before reading any bigint or text.
 */
export type Held<V> = Rank & {
  readonly value: V
  readonly tierOrder: number
  readonly workOrder: number
  readonly idOrder: number
}

/** A held rank as its pool moves it ({@link BoundedPool.rerank}): same id, same value. */
type Movable = Rank & { tierOrder: number; workOrder: number }

export function hold<V>(rank: Rank, value: V): Held<V> {
  return {
    tier: rank.tier,
    work: rank.work,
    id: rank.id,
    value,
    tierOrder: orderOfBigint(rank.tier),
    workOrder: orderOfBigint(rank.work),
    idOrder: orderOfText(rank.id),
  }
}

function isHeldWith<V>(rank: Rank, value: V): rank is Held<V> {
  return (rank as Partial<Held<V>>).value === value && (rank as Partial<Held<V>>).idOrder !== undefined
}

/** {@link compareRanks} of two held ranks, on their orders first (the exact values on a tie). */
export function compareHeld(a: Held<unknown>, b: Held<unknown>): number {
  if (a.tierOrder !== b.tierOrder) return a.tierOrder - b.tierOrder
  if (!isExactOrder(a.tierOrder) && a.tier !== b.tier) return a.tier < b.tier ? -1 : 1
  if (a.workOrder !== b.workOrder) return a.workOrder - b.workOrder
  if (!isExactOrder(a.workOrder) && a.work !== b.work) return a.work < b.work ? -1 : 1
  // The larger id is the weaker one: the id order reads backwards.
  if (a.idOrder !== b.idOrder) return b.idOrder - a.idOrder
  return a.id === b.id ? 0 : a.id > b.id ? -1 : 1
}

/** A held rank as one number ordering like it (orders.ts), for the ordered set's searches. */
export function orderOfHeld(held: Held<unknown>): number {
  return orderOfRank(held.tierOrder, held.workOrder, held.idOrder)
}

/**
 * A pool's structures, allocated on its first entry: every oracle has a capability pool and a
 * report pool, and most of them stay empty, so an empty pool must cost a few words, not the
 * ordered set and maps of a full one (design §5: a million oracles in a bounded memory).
 */
interface Structures<V> {
  // The held ranks in order.
  byRank: OrderedSet<Held<V>>
  // Past SCAN_UP_TO entries one map lookup answers has/get/rankOf; up to it a scan of the few
  // held ranks does, and the pool keeps no map (an oracle's capabilities and reports, a
  // capability's offers: a child pool is made on its first entry and most hold a few).
  byId: Map<string, Held<V>> | undefined
  // The id the map was asked for last and its answer: admission asks for one id several times
  // in a row (the rule, the pool's check, the insert), and each lookup in a map of 100k ids
  // waits on memory. Forgotten whenever an entry enters or leaves.
  lastId: string | undefined
  lastHeld: Held<V> | undefined
  // Ids in an array with their positions, so a random victim is picked in O(1); only with
  // random eviction.
  ids: string[] | undefined
  position: Map<string, number> | undefined
}

export class BoundedPool<V> {
  // Three fields only: an oracle has two pools, most of them empty.
  readonly #init: BoundedPoolInit
  /** The floor, or the state to build it from on first use. */
  #floor: RollingFloor | FloorState | undefined
  #structures: Structures<V> | undefined

  constructor(init: BoundedPoolInit, floorState?: FloorState) {
    this.#init = init
    this.#floor = floorState
  }

  /** Most entries the pool holds. */
  get capacity(): number {
    return this.#init.capacity
  }

  /** The rolling floor (built on first use: a pool never evicted from needs none). */
  get floor(): RollingFloor {
    if (!(this.#floor instanceof RollingFloor)) this.#floor = new RollingFloor(this.#init, this.#floor)
    return this.#floor
  }

  get #randomEvictionRate(): number {
    return this.#init.randomEvictionRate ?? 0
  }

  #random(): number {
    return (this.#init.random ?? Math.random)()
  }

  /** The held rank of `id`: a map lookup, or a scan of a pool of a few entries. */
  #find(id: string): Held<V> | undefined {
    const structures = this.#structures
    if (!structures) return undefined
    const { byId, byRank } = structures
    if (byId) {
      if (id === structures.lastId) return structures.lastHeld
      const held = byId.get(id)
      structures.lastId = id
      structures.lastHeld = held
      return held
    }
    for (let at = 0; at < byRank.size; at++) {
      const held = byRank.keyAt(at)!
      if (held.id === id) return held
    }
    return undefined
  }

  #build(): Structures<V> {
    const random = this.#randomEvictionRate > 0
    this.#structures ??= {
      byRank: new OrderedSet<Held<V>>(compareHeld, orderOfHeld),
      byId: undefined,
      lastId: undefined,
      lastHeld: undefined,
      ids: random ? [] : undefined,
      position: random ? new Map() : undefined,
    }
    return this.#structures
  }

  get size(): number {
    return this.#structures?.byRank.size ?? 0
  }

  has(id: string): boolean {
    return this.#find(id) !== undefined
  }

  get(id: string): V | undefined {
    return this.#find(id)?.value
  }

  rankOf(id: string): Rank | undefined {
    const held = this.#find(id)
    return held && rankOnly(held)
  }

  /** The weakest entry, the next to be evicted. */
  weakest(): [Rank, V] | undefined {
    const held = this.#structures?.byRank.first()
    return held && [held, held.value]
  }

  /**
   * Would an entry of `rank` enter at `now`? It must clear the rolling floor; when the pool is
   * full it must also beat the weakest entry, which it would then evict. An entry already in
   * the pool (same id) is re-ranked, never counted twice.
   */
  check(rank: Rank, now: number): PoolCheck {
    const bits = workBits(rank.work)
    if (this.#find(rank.id)) return { fits: true }
    const floorBits = this.floor.bitsAt(now)
    // The floor holds back work alone: a higher tier competes with the weakest entry only.
    if (rank.tier === 0n && bits <= floorBits && floorBits > 0) {
      return { fits: false, floorBits, weakestBits: this.#weakestBits() }
    }
    if (this.size < this.capacity) return { fits: true }
    const weakest = this.#structures!.byRank.first()!
    if (compareRanks(rank, weakest) <= 0)
      return { fits: false, floorBits, weakestBits: workBits(weakest.work) }
    return { fits: true, evicts: rankOnly(weakest) }
  }

  /**
   * Inserts or re-ranks an entry; returns the entries evicted to stay within capacity. A rank
   * already held with `value` ({@link hold}) is filed as it is: an offer's one held rank serves
   * both its pools.
   */
  set(rank: Rank, value: V, now: number): readonly [Rank, V][] {
    const structures = this.#build()
    const { byRank, ids, position } = structures
    // A re-ranked entry leaves the order and takes its new place; the map's entry is
    // overwritten (the map is never walked, so its order does not matter).
    const old = this.#find(rank.id)
    if (old) {
      byRank.delete(old)
      if (ids) this.#forgetPosition(rank.id)
    }
    const held = isHeldWith(rank, value) ? rank : hold(rank, value)
    byRank.add(held)
    structures.lastId = undefined
    if (structures.byId) structures.byId.set(rank.id, held)
    else if (byRank.size > SCAN_UP_TO) {
      structures.byId = new Map()
      for (let at = 0; at < byRank.size; at++) {
        const filed = byRank.keyAt(at)!
        structures.byId.set(filed.id, filed)
      }
    }
    if (ids && position) {
      position.set(rank.id, ids.length)
      ids.push(rank.id)
    }
    if (byRank.size <= this.capacity) return NOTHING_EVICTED
    const evicted: [Rank, V][] = []
    while (this.size > this.capacity) {
      const victim = this.evict(now, rank.id)
      if (victim) evicted.push(victim)
    }
    return evicted
  }

  /**
   * Moves the entry held under `id` to the rank of `tier` and `work` (its id stays); returns
   * false when none is held. What {@link set} does for a held entry with a new rank, without
   * a new held rank or a second map lookup: the held one leaves the order, takes the new
   * values and enters again. So a rank read from this pool is current until the pool changes;
   * and the held rank must be this pool's own, not one shared with another pool (as an offer's).
   * Never evicts: the entry was counted already.
   */
  rerank(id: string, tier: bigint, work: bigint): boolean {
    const held = this.#find(id) as (Held<V> & Movable) | undefined
    if (!held) return false
    const { byRank, ids, position } = this.#structures!
    byRank.delete(held)
    held.tier = tier
    held.work = work
    held.tierOrder = orderOfBigint(tier)
    held.workOrder = orderOfBigint(work)
    byRank.add(held)
    // The id array moves the id last, as set's re-rank does: random draws stay the same.
    if (ids && position) {
      this.#forgetPosition(id)
      position.set(id, ids.length)
      ids.push(id)
    }
    return true
  }

  /**
   * Evicts one entry: the weakest, raising the floor to its work; or, at the configured rate,
   * a random one other than `keep` (the floor stays: a random victim says nothing about the
   * work needed to enter).
   */
  evict(now: number, keep?: string): [Rank, V] | undefined {
    const ids = this.#structures?.ids
    if (ids && this.size > 1 && this.#random() < this.#randomEvictionRate) {
      let id = ids[Math.floor(this.#random() * ids.length)]!
      if (id === keep) id = ids[(this.#structures!.position!.get(id)! + 1) % ids.length]!
      const held = this.#find(id)!
      this.#deleteHeld(held)
      return [rankOnly(held), held.value]
    }
    const weakest = this.#structures?.byRank.first()
    if (!weakest) return undefined
    this.#deleteHeld(weakest)
    this.floor.raise(workBits(weakest.work), now)
    return [rankOnly(weakest), weakest.value]
  }

  /** Removes an entry without touching the floor (updates, cascades, expiry). */
  delete(id: string): V | undefined {
    const held = this.#find(id)
    if (!held) return undefined
    this.#deleteHeld(held)
    return held.value
  }

  #deleteHeld(held: Held<V>): void {
    const structures = this.#structures!
    structures.byRank.delete(held)
    structures.byId?.delete(held.id)
    structures.lastId = undefined
    if (structures.ids) this.#forgetPosition(held.id)
  }

  // Swap-remove from the id array that random eviction picks from.
  #forgetPosition(id: string): void {
    const ids = this.#structures!.ids!
    const position = this.#structures!.position!
    const at = position.get(id)!
    const last = ids.pop()!
    if (last !== id) {
      ids[at] = last
      position.set(last, at)
    }
    position.delete(id)
  }

  /**
   * Entries from strongest to weakest; with `below`, only those weaker than that rank (the
   * next page after it, found in O(log n)).
   */
  *strongestFirst(below?: Rank): IterableIterator<[Rank, V]> {
    const byRank = this.#structures?.byRank
    if (!byRank) return
    // The rank to start below, held with its orders like the ranks in the set.
    for (const held of byRank.descending(below && hold(below, undefined as V))) yield [held, held.value]
  }

  #weakestBits(): number {
    const rank = this.#structures?.byRank.first()
    return rank ? workBits(rank.work) : 0
  }
}

/** A pool as its readers see it: lookups, checks and walks, never an insert or an eviction. */
export interface PoolReader<V> {
  readonly size: number
  readonly capacity: number
  readonly floor: Pick<RollingFloor, 'bitsAt' | 'admits' | 'state'>
  has(id: string): boolean
  get(id: string): V | undefined
  rankOf(id: string): Rank | undefined
  weakest(): [Rank, V] | undefined
  check(rank: Rank, now: number): PoolCheck
  strongestFirst(below?: Rank): IterableIterator<[Rank, V]>
}
