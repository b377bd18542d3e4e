/**
 * Keeps the node connected: dials the bootstrap list, and the candidates peer exchange, mDNS
 * and past connections gave (peer-candidates.ts) while the node has fewer than
 * `minConnections` peers, and retries on each maintenance round — bootstrap peers every round,
 * other addresses within their dial budget. libp2p 3 does not auto-dial discovered peers, and its bootstrap
 * module dials once, a second after start, never again: a devnet whose nodes start together,
 * or a node whose bootstrap peer restarts, needs the retries.
 */
import type { Libp2p, PeerId } from '@libp2p/interface'
import { peerIdFromString } from '@libp2p/peer-id'
import { type Multiaddr, multiaddr } from '@multiformats/multiaddr'
import type { Logger } from 'pino'
import { NetworkError, NetworkErrorCode } from './errors.ts'
import type { Candidate, DialBudget, PeerCandidates } from './peer-candidates.ts'

/** A bootstrap peer: its id and the address to dial. */
export interface BootstrapPeer {
  id: PeerId
  address: Multiaddr
}

/** The part of libp2p the keeper uses. */
export type KeeperLibp2p = Pick<Libp2p, 'peerId' | 'getPeers' | 'getConnections' | 'dial'>

export interface PeerKeeperComponents {
  libp2p: KeeperLibp2p
  isBanned: (peer: string) => boolean
  logger: Logger
  /** Peers it may dial (peer exchange, mDNS, past connections). */
  candidates: PeerCandidates
  /** Dials per address: bootstrap peers aside, none is dialled more than its budget. */
  budget: DialBudget
  /**
   * Peers connected, as the network counts them. (libp2p's `getPeers()` rebuilds every peer id
   * from its string: about 5% of what a peer announcement cost an idle node, which asks this for
   * each one it hears.)
   */
  connectedPeers: () => number
}

export interface PeerKeeperInit {
  minConnections: number
  bootstrap: BootstrapPeer[]
  /** Milliseconds a dial may take. @default 5_000 */
  dialTimeoutMs?: number
}

/** Parses bootstrap multiaddrs; each must end in `/p2p/<peer id>`. Throws `BAD_MULTIADDR`. */
export function parseBootstrap(addresses: readonly string[]): BootstrapPeer[] {
  return addresses.map((text) => {
    try {
      const address = multiaddr(text)
      const id = address.getComponents().findLast((component) => component.name === 'p2p')?.value
      if (id === undefined) throw new Error('it has no /p2p/<peer id>')
      return { id: peerIdFromString(id), address }
    } catch (error) {
      throw new NetworkError(
        NetworkErrorCode.BAD_MULTIADDR,
        `bootstrap address "${text}" is not usable: ${(error as Error).message}`,
        { address: text },
        { cause: error },
      )
    }
  })
}

export class PeerKeeper {
  readonly #libp2p: KeeperLibp2p
  readonly #isBanned: (peer: string) => boolean
  readonly #log: Logger
  readonly #candidates: PeerCandidates
  readonly #budget: DialBudget
  readonly #connectedPeers: () => number
  readonly #init: Required<PeerKeeperInit>
  readonly #dialling = new Set<string>()
  #stopped = false

  constructor(components: PeerKeeperComponents, init: PeerKeeperInit) {
    this.#libp2p = components.libp2p
    this.#isBanned = components.isBanned
    this.#log = components.logger
    this.#candidates = components.candidates
    this.#budget = components.budget
    this.#connectedPeers = components.connectedPeers
    this.#init = { dialTimeoutMs: 5_000, ...init }
  }

  /** A candidate was announced or discovered: dial it if the node wants more connections. */
  discovered(peer: PeerId): void {
    // Connected peers re-announce themselves every interval: nothing to dial.
    if (this.#libp2p.getConnections(peer).length > 0 || this.#wanted() <= 0) return
    const candidate = this.#candidates.get(peer.toString())
    if (candidate) this.#dialCandidate(candidate)
  }

  /** One maintenance round: dial bootstrap peers first, then the most useful candidates. */
  async maintain(): Promise<void> {
    let wanted = this.#wanted()
    if (wanted <= 0) return
    const connected = new Set(this.#libp2p.getPeers().map(String))
    for (const { id, address } of this.#init.bootstrap) {
      if (wanted <= 0) return
      if (connected.has(id.toString())) continue
      // The operator's own list: retried every round (a devnet's nodes start and restart together).
      if (this.#dial(id, address, false)) wanted--
    }
    for (const candidate of this.#candidates.ranked()) {
      if (wanted <= 0) return
      if (connected.has(candidate.id.toString())) continue
      if (this.#dialCandidate(candidate)) wanted--
    }
  }

  /** Stops dialling (dials under way finish or time out on their own). */
  stop(): void {
    this.#stopped = true
  }

  #wanted(): number {
    return this.#stopped ? 0 : this.#init.minConnections - this.#connectedPeers() - this.#dialling.size
  }

  /** Dials the candidate at its first address with dials left; false when none has. */
  #dialCandidate(candidate: Candidate): boolean {
    const address = candidate.addresses.find((a) => this.#budget.allows(a))
    return address !== undefined && this.#dial(candidate.id, address, true)
  }

  /** Starts a dial; false when it is not made (under way, banned, self, budget spent). */
  #dial(peer: PeerId, address: Multiaddr, counted: boolean): boolean {
    const key = peer.toString()
    if (this.#dialling.has(key) || this.#isBanned(key) || peer.equals(this.#libp2p.peerId)) return false
    if (counted && !this.#budget.take(address)) return false
    this.#dialling.add(key)
    const target = address.getComponents().some((c) => c.name === 'p2p')
      ? address
      : address.encapsulate(`/p2p/${key}`)
    this.#libp2p
      .dial(target, { signal: AbortSignal.timeout(this.#init.dialTimeoutMs) })
      .then(
        () => {
          this.#budget.succeeded(address)
          this.#candidates.connected(key)
        },
        (error: Error) => {
          this.#candidates.failed(key)
          this.#log.debug({ peer: key, err: error.message }, 'dial failed')
        },
      )
      .finally(() => this.#dialling.delete(key))
    return true
  }
}
