/**
 * Keeps the node connected: dials the bootstrap list, every peer a discovery mechanism reports
 * (peer exchange, mDNS) while the node has fewer than `minConnections` peers, and retries on
 * each maintenance round. libp2p 3 does not auto-dial discovered peers, and its bootstrap
 * module dials once, a second after start, never again: a devnet whose nodes start together,
 * or a node whose bootstrap peer restarts, needs the retries.
 */
import type { Libp2p, PeerId } from '@libp2p/interface'
import { peerIdFromString } from '@libp2p/peer-id'
import { type Multiaddr, multiaddr } from '@multiformats/multiaddr'
import type { Logger } from 'pino'
import { NetworkError, NetworkErrorCode } from './errors.ts'

/** A bootstrap peer: its id and the address to dial. */
export interface BootstrapPeer {
  id: PeerId
  address: Multiaddr
}

/** The part of libp2p the keeper uses. */
export type KeeperLibp2p = Pick<Libp2p, 'peerId' | 'getPeers' | 'dial' | 'peerStore'>

export interface PeerKeeperComponents {
  libp2p: KeeperLibp2p
  isBanned: (peer: string) => boolean
  logger: Logger
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
  readonly #init: Required<PeerKeeperInit>
  readonly #dialling = new Set<string>()
  #stopped = false

  constructor(components: PeerKeeperComponents, init: PeerKeeperInit) {
    this.#libp2p = components.libp2p
    this.#isBanned = components.isBanned
    this.#log = components.logger
    this.#init = { dialTimeoutMs: 5_000, ...init }
  }

  /** A discovery mechanism reported `peer`: dial it if the node wants more connections. */
  discovered(peer: PeerId): void {
    if (this.#wanted() > 0) this.#dial(peer)
  }

  /** One maintenance round: dial bootstrap peers first, then peers the peer store knows. */
  async maintain(): Promise<void> {
    let wanted = this.#wanted()
    if (wanted <= 0) return
    const connected = new Set(this.#libp2p.getPeers().map(String))
    for (const { id, address } of this.#init.bootstrap) {
      if (wanted <= 0) return
      if (connected.has(id.toString())) continue
      this.#dial(id, address)
      wanted--
    }
    const known = await this.#libp2p.peerStore.all({
      filters: [(peer) => peer.addresses.length > 0 && !connected.has(peer.id.toString())],
      limit: 4 * wanted,
    })
    for (const peer of known) {
      if (wanted <= 0) return
      this.#dial(peer.id)
      wanted--
    }
  }

  /** Stops dialling (dials under way finish or time out on their own). */
  stop(): void {
    this.#stopped = true
  }

  #wanted(): number {
    return this.#stopped
      ? 0
      : this.#init.minConnections - this.#libp2p.getPeers().length - this.#dialling.size
  }

  #dial(peer: PeerId, address?: Multiaddr): void {
    const key = peer.toString()
    if (this.#dialling.has(key) || this.#isBanned(key) || peer.equals(this.#libp2p.peerId)) return
    this.#dialling.add(key)
    this.#libp2p
      .dial(address ?? peer, { signal: AbortSignal.timeout(this.#init.dialTimeoutMs) })
      .catch((error: Error) => this.#log.debug({ peer: key, err: error.message }, 'dial failed'))
      .finally(() => this.#dialling.delete(key))
  }
}
