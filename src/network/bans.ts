/**
 * Misbehaviour accounting: strikes per peer in a sliding window, and the bans they lead to.
 * Pure (clock passed in); the network turns a ban into a hang-up, and the connection gater
 * ({@link banGater}) into refused dials and refused inbound connections.
 *
 * Bans are by peer id. A peer id costs nothing to make, so a ban is a cost (reconnect, lose
 * the mesh position and score) rather than a wall; banning addresses would also ban every
 * honest node behind the same NAT, or on the same loopback in a devnet.
 */
import type { ConnectionGater, PeerId } from '@libp2p/interface'

export interface BanOptions {
  /** Strikes within `windowSeconds` that ban a peer. */
  threshold: number
  windowSeconds: number
  /** Seconds a ban lasts. */
  banSeconds: number
}

export interface BanStats {
  /** Peers banned now. */
  active: number
  /** Bans since start. */
  total: number
  /** Strikes since start. */
  strikes: number
}

export class BanList {
  readonly options: BanOptions
  readonly #now: () => number
  /** Recent strike times per peer, at most `threshold` of them. */
  readonly #strikes = new Map<string, number[]>()
  /** Banned peers and when their ban ends (Unix seconds). */
  readonly #bans = new Map<string, number>()
  #total = 0
  #strikeCount = 0

  /** `now` returns Unix seconds. */
  constructor(options: BanOptions, now: () => number = () => Date.now() / 1000) {
    this.options = options
    this.#now = now
  }

  /** Records one strike against `peer`; returns true when this strike bans it. */
  strike(peer: string): boolean {
    this.#strikeCount++
    if (this.isBanned(peer)) return false
    const now = this.#now()
    const recent = (this.#strikes.get(peer) ?? []).filter((t) => t > now - this.options.windowSeconds)
    recent.push(now)
    if (recent.length < this.options.threshold) {
      this.#strikes.set(peer, recent)
      return false
    }
    this.ban(peer)
    return true
  }

  /** Bans `peer` for `seconds` (default: the configured ban time). */
  ban(peer: string, seconds = this.options.banSeconds): void {
    this.#strikes.delete(peer)
    this.#bans.set(peer, this.#now() + seconds)
    this.#total++
  }

  isBanned(peer: string): boolean {
    const until = this.#bans.get(peer)
    if (until === undefined) return false
    if (until > this.#now()) return true
    this.#bans.delete(peer)
    return false
  }

  /** Forgets ended bans and strikes older than the window. */
  prune(): void {
    const now = this.#now()
    for (const [peer, until] of this.#bans) if (until <= now) this.#bans.delete(peer)
    for (const [peer, times] of this.#strikes) {
      if (times.at(-1)! <= now - this.options.windowSeconds) this.#strikes.delete(peer)
    }
  }

  stats(): BanStats {
    this.prune()
    return { active: this.#bans.size, total: this.#total, strikes: this.#strikeCount }
  }
}

/**
 * A libp2p connection gater that refuses banned peers: no dial to them, and their inbound
 * connections are dropped as soon as encryption reveals who they are.
 */
export function banGater(bans: BanList): ConnectionGater {
  const denied = (peer: PeerId) => bans.isBanned(peer.toString())
  return {
    denyDialPeer: denied,
    denyInboundEncryptedConnection: denied,
    denyOutboundEncryptedConnection: denied,
  }
}
