/**
 * The orphan pool: messages that arrived before the entry they hang on (a capability before
 * its oracle, an offer before its capability, a dispute before its report). Gossip has no
 * order, so this is normal traffic, not misbehaviour: the message waits here and is admitted
 * when its parent is.
 *
 * Modelled on Bitcoin Core's orphanage (`txorphanage.cpp`): bounded in count and bytes, per
 * announcing peer and in all, with expiry. When the pool is full, the oldest orphan of the
 * peer whose orphans take the most bytes goes first (Core 29 evicts by per-peer usage too), so
 * a peer flooding orphans evicts its own and not the honest peers'. Pure: no I/O, the clock is passed in.
 */
import type { OrphanOptions } from './options.ts'

/** A message waiting for its parent. */
export interface Orphan<T> {
  /** Message id (hex): one orphan per id, whoever else announces it. */
  id: string
  /** Key of the missing parent, as {@link OrphanPool.take} is called with it (`oracle:<key>`, …). */
  parent: string
  /** Peer the message came from. */
  peer: string
  bytes: number
  /** Unix seconds after which the orphan is dropped. */
  expires: number
  value: T
}

/** Counters since start and current size. */
export interface OrphanStats {
  count: number
  bytes: number
  added: number
  resolved: number
  expired: number
  evicted: number
}

export type OrphanAdd = 'added' | 'duplicate' | 'evicted'

export class OrphanPool<T> {
  readonly options: OrphanOptions
  readonly #now: () => number
  /** Every orphan, oldest first (insertion order is expiry order: one expiry for all). */
  readonly #byId = new Map<string, Orphan<T>>()
  readonly #byParent = new Map<string, Set<string>>()
  /** Each peer's orphans (oldest first) and their bytes. */
  readonly #byPeer = new Map<string, PeerOrphans<T>>()
  #bytes = 0
  readonly #counters = { added: 0, resolved: 0, expired: 0, evicted: 0 }

  /** `now` returns Unix seconds. */
  constructor(options: OrphanOptions, now: () => number = () => Date.now() / 1000) {
    this.options = options
    this.#now = now
  }

  get size(): number {
    return this.#byId.size
  }

  has(id: string): boolean {
    return this.#byId.has(id)
  }

  /**
   * Holds `value` until `parent` arrives. Returns `duplicate` when the id is already held,
   * `evicted` when the bounds pushed it straight out again (its peer is over its share).
   */
  add(orphan: { id: string; parent: string; peer: string; bytes: number; value: T }): OrphanAdd {
    this.expire()
    if (this.#byId.has(orphan.id)) return 'duplicate'
    const entry: Orphan<T> = { ...orphan, expires: this.#now() + this.options.expirySeconds }
    this.#byId.set(entry.id, entry)
    const waiting = this.#byParent.get(entry.parent) ?? new Set()
    this.#byParent.set(entry.parent, waiting.add(entry.id))
    const mine = this.#byPeer.get(entry.peer) ?? { orphans: new Map<string, Orphan<T>>(), bytes: 0 }
    this.#byPeer.set(entry.peer, mine)
    mine.orphans.set(entry.id, entry)
    mine.bytes += entry.bytes
    this.#bytes += entry.bytes
    this.#counters.added++
    while (mine.orphans.size > this.options.maxPerPeer) this.#evict(oldest(mine))
    while (this.#byId.size > this.options.maxCount || this.#bytes > this.options.maxBytes) {
      this.#evict(oldest(this.#largestPeer()))
    }
    return this.#byId.has(entry.id) ? 'added' : 'evicted'
  }

  /** Removes and returns the orphans waiting for `parent` (oldest first). */
  take(parent: string): Orphan<T>[] {
    const ids = this.#byParent.get(parent)
    if (!ids) return []
    const taken = [...ids].map((id) => this.#byId.get(id)!)
    for (const orphan of taken) this.#remove(orphan)
    this.#counters.resolved += taken.length
    return taken
  }

  /** Drops every orphan `peer` sent (it was banned). Returns how many. */
  removePeer(peer: string): number {
    const mine = this.#byPeer.get(peer)
    if (!mine) return 0
    const orphans = [...mine.orphans.values()]
    for (const orphan of orphans) this.#remove(orphan)
    this.#counters.evicted += orphans.length
    return orphans.length
  }

  /** Drops the orphans whose parent did not come in time. Returns how many. */
  expire(): number {
    const now = this.#now()
    let dropped = 0
    for (const orphan of this.#byId.values()) {
      if (orphan.expires > now) break
      this.#remove(orphan)
      dropped++
    }
    this.#counters.expired += dropped
    return dropped
  }

  stats(): OrphanStats {
    return { count: this.#byId.size, bytes: this.#bytes, ...this.#counters }
  }

  #evict(orphan: Orphan<T>): void {
    this.#remove(orphan)
    this.#counters.evicted++
  }

  // The peer whose orphans take the most bytes (the first such, on a tie): a scan over peers,
  // which are few (bounded by the connection limit) compared with orphans.
  #largestPeer(): PeerOrphans<T> {
    let largest: PeerOrphans<T> | undefined
    for (const mine of this.#byPeer.values()) if (!largest || mine.bytes > largest.bytes) largest = mine
    return largest!
  }

  #remove(orphan: Orphan<T>): void {
    this.#byId.delete(orphan.id)
    this.#bytes -= orphan.bytes
    const waiting = this.#byParent.get(orphan.parent)
    waiting?.delete(orphan.id)
    if (waiting?.size === 0) this.#byParent.delete(orphan.parent)
    const mine = this.#byPeer.get(orphan.peer)
    if (mine?.orphans.delete(orphan.id)) mine.bytes -= orphan.bytes
    if (mine?.orphans.size === 0) this.#byPeer.delete(orphan.peer)
  }
}

interface PeerOrphans<T> {
  orphans: Map<string, Orphan<T>>
  bytes: number
}

function oldest<T>(mine: PeerOrphans<T>): Orphan<T> {
  return mine.orphans.values().next().value!
}
