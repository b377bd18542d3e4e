/**
 * Per-peer rate limit of inbound sync sessions: at most `max` sessions per peer in any
 * `windowMs`, remembered for at most `maxPeers` peers (the least recently seen forgotten
 * first), so neither one peer nor many can make us serve without pause.
 */
export interface PeerRateLimitInit {
  /** Sessions per peer per window. */
  max: number
  /** Window, ms. */
  windowMs: number
  /** Peers remembered. @default 4096 */
  maxPeers?: number
}

export class PeerRateLimit {
  readonly max: number
  readonly windowMs: number
  readonly maxPeers: number
  /** Peer → start times of its sessions in the window, oldest first. */
  readonly #starts = new Map<string, number[]>()

  constructor(init: PeerRateLimitInit) {
    this.max = init.max
    this.windowMs = init.windowMs
    this.maxPeers = init.maxPeers ?? 4096
  }

  /** Counts a session for `peer` and returns true, or returns false when it is over its limit. */
  take(peer: string, now: number): boolean {
    const starts = (this.#starts.get(peer) ?? []).filter((at) => at > now - this.windowMs)
    this.#starts.delete(peer)
    if (starts.length >= this.max) {
      this.#starts.set(peer, starts)
      return false
    }
    starts.push(now)
    this.#starts.set(peer, starts)
    if (this.#starts.size > this.maxPeers) this.#starts.delete(this.#starts.keys().next().value!)
    return true
  }
}
