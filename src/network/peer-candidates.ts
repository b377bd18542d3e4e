/**
 * The peers a node may dial, learnt from peer exchange, mDNS and its own connections: a
 * bounded table, and a bounded budget of dials per address. A peer id costs nothing to make,
 * so neither may grow with what peers announce: when the table is full, the least useful
 * candidate goes (never connected, most failed dials, heard of longest ago); and no address is
 * dialled more than `maxDialsPerAddress` times without a success, whichever ids it is announced
 * under, so announcing a victim's address under many ids cannot turn the network into a
 * dialler of that address.
 */
import type { PeerId } from '@libp2p/interface'
import type { Multiaddr } from '@multiformats/multiaddr'
import { transportKey } from './address-scope.ts'

export interface Candidate {
  id: PeerId
  /** Addresses to dial (in scope), most recent announcement. */
  addresses: Multiaddr[]
  /** When the node last heard of it, ms. */
  seenAt: number
  /** This node was connected to it once: a real peer. */
  connected: boolean
  /** Failed dials since it was last connected. */
  failures: number
}

export class PeerCandidates {
  readonly maxPeers: number
  readonly #byId = new Map<string, Candidate>()

  constructor(maxPeers: number) {
    this.maxPeers = maxPeers
  }

  get size(): number {
    return this.#byId.size
  }

  get(id: string): Candidate | undefined {
    return this.#byId.get(id)
  }

  /**
   * Records that `id` is at `addresses` (none: keep those known). Returns the ids evicted to
   * make room (the table is full and this one is new), for the caller to forget elsewhere;
   * `keep` names peers that may not go (connected ones).
   */
  add(id: PeerId, addresses: Multiaddr[], now: number, keep: (id: string) => boolean): string[] {
    const key = id.toString()
    const held = this.#byId.get(key)
    if (held) {
      if (addresses.length > 0) held.addresses = addresses
      held.seenAt = now
      return []
    }
    const evicted: string[] = []
    while (this.#byId.size >= this.maxPeers) {
      const victim = this.#leastUseful(keep)
      if (victim === undefined) return evicted // every one is connected: no room for strangers
      this.#byId.delete(victim)
      evicted.push(victim)
    }
    this.#byId.set(key, { id, addresses, seenAt: now, connected: false, failures: 0 })
    return evicted
  }

  remove(id: string): void {
    this.#byId.delete(id)
  }

  connected(id: string): void {
    const candidate = this.#byId.get(id)
    if (!candidate) return
    candidate.connected = true
    candidate.failures = 0
  }

  failed(id: string): void {
    const candidate = this.#byId.get(id)
    if (candidate) candidate.failures++
  }

  /** Candidates worth a dial, most useful first. */
  ranked(): Candidate[] {
    return [...this.#byId.values()].sort(byUsefulness)
  }

  #leastUseful(keep: (id: string) => boolean): string | undefined {
    let worst: Candidate | undefined
    for (const candidate of this.#byId.values()) {
      if (keep(candidate.id.toString())) continue
      if (!worst || byUsefulness(candidate, worst) > 0) worst = candidate
    }
    return worst?.id.toString()
  }
}

/** Peers connected before first, then fewer failed dials, then heard of more recently. */
function byUsefulness(a: Candidate, b: Candidate): number {
  if (a.connected !== b.connected) return a.connected ? -1 : 1
  if (a.failures !== b.failures) return a.failures - b.failures
  return b.seenAt - a.seenAt
}

/**
 * Dials per address (its transport part: whoever answers there) since the last success, at
 * most `max` each. Remembers `maxAddresses` addresses, the oldest forgotten first.
 */
export class DialBudget {
  readonly max: number
  readonly maxAddresses: number
  readonly #attempts = new Map<string, number>()

  constructor(max: number, maxAddresses: number) {
    this.max = max
    this.maxAddresses = maxAddresses
  }

  /** True when `address` may be dialled once more. */
  allows(address: Multiaddr): boolean {
    return (this.#attempts.get(transportKey(address)) ?? 0) < this.max
  }

  /** Counts one dial of `address`; false (and nothing counted) when its budget is spent. */
  take(address: Multiaddr): boolean {
    const key = transportKey(address)
    const attempts = this.#attempts.get(key) ?? 0
    if (attempts >= this.max) return false
    this.#attempts.delete(key)
    this.#attempts.set(key, attempts + 1)
    if (this.#attempts.size > this.maxAddresses) this.#attempts.delete(this.#attempts.keys().next().value!)
    return true
  }

  /** A dial of `address` succeeded: its budget is whole again. */
  succeeded(address: Multiaddr): void {
    this.#attempts.delete(transportKey(address))
  }

  /** Dials of `address` counted now. */
  attempts(address: Multiaddr): number {
    return this.#attempts.get(transportKey(address)) ?? 0
  }
}
