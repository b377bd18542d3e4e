/**
 * The network component of a node: a libp2p node with a persistent key, gossip wired to the
 * node's admission, an orphan pool, bans of misbehaving peers, peer exchange into a bounded
 * table of candidates, and a keeper that dials them within the address scopes and dial budget.
 */

import type { IdentifyResult, Libp2p, PeerId, PeerInfo } from '@libp2p/interface'
import { peerIdFromString } from '@libp2p/peer-id'
import { type Multiaddr, multiaddr } from '@multiformats/multiaddr'
import type { Logger } from 'pino'
import type { AdmissionEvents } from '../mempool/index.ts'
import { type Message, POOL_KINDS, type PoolKind, type TypedEventTarget } from '../protocol/index.ts'
import { defaultScopes, ScopeFilter } from './address-scope.ts'
import { BanList, banGater } from './bans.ts'
import { Gossip, type NetworkSubmit, type Orphaned, zeroGossipCounters } from './gossip.ts'
import { GossipMetrics, zeroWire } from './gossip-metrics.ts'
import { checkMultiaddr, createMegaLibp2p, type MegaServices, type ServiceFactory } from './libp2p.ts'
import { loadOrCreateNodeKey } from './node-key.ts'
import { type NetworkInit, type NetworkOptions, networkOptions } from './options.ts'
import { OrphanPool } from './orphans.ts'
import { DialBudget, PeerCandidates } from './peer-candidates.ts'
import { PeerExchange } from './peer-exchange.ts'
import { PeerKeeper, parseBootstrap } from './peer-keeper.ts'
import { SyncService, type SyncServiceEvents } from './sync-service.ts'
import { MESSAGE_TOPICS, topicOf } from './topics.ts'
import type { NetworkStats, PeerList, PeerView } from './view-schemas.ts'

/** What the network needs from the node. */
export interface NetworkComponents {
  /** The node's admission path (admit + persist); gossip-admitted messages propagate by gossipsub. */
  submit: NetworkSubmit
  /** The node's `message:admitted` events (after commit): parents that free orphans. */
  events: TypedEventTarget<AdmissionEvents>
  logger: Logger
  /** Directory of the node key. */
  dataDir: string
  /** More libp2p services to run on the same node (the sync protocol). */
  services?: Record<string, ServiceFactory>
  /** Unix seconds, for orphan expiry and bans. @default Date.now() / 1000 */
  now?: () => number
}

export type NetworkStatus = 'stopped' | 'starting' | 'started' | 'stopping'

export class Network {
  readonly options: NetworkOptions
  readonly bans: BanList
  readonly orphans: OrphanPool<Orphaned>
  /** Peers this node may dial: bounded (`peerExchange.maxPeers`). */
  readonly candidates: PeerCandidates
  readonly #c: NetworkComponents
  readonly #log: Logger
  #status: NetworkStatus = 'stopped'
  #libp2p: Libp2p<MegaServices> | undefined
  #gossip: Gossip | undefined
  #keeper: PeerKeeper | undefined
  #metrics: GossipMetrics | undefined
  #timer: NodeJS.Timeout | undefined
  /** The sync service, when the node runs one (`services.sync`). */
  #sync: SyncService | undefined
  readonly #pings = new Map<string, number>()
  /** Peers with an open connection (kept out of candidate eviction). */
  readonly #connected = new Set<string>()
  #peerExchange: PeerExchange | undefined
  #scope: ScopeFilter | undefined
  readonly #dialBudget: DialBudget
  readonly #listeners: [string, (event: CustomEvent) => void][] = []

  constructor(components: NetworkComponents, init: NetworkInit = {}) {
    this.options = networkOptions(init)
    this.#c = components
    this.#log = components.logger
    const { invalidThreshold, invalidWindowSeconds, banSeconds } = this.options
    this.bans = new BanList(
      { threshold: invalidThreshold, windowSeconds: invalidWindowSeconds, banSeconds },
      components.now,
    )
    this.orphans = new OrphanPool(this.options.orphans, components.now)
    const { maxPeers } = this.options.peerExchange
    this.candidates = new PeerCandidates(maxPeers)
    // Four addresses remembered per candidate kept: a spent budget is not forgotten quickly.
    this.#dialBudget = new DialBudget(this.options.maxDialsPerAddress, 4 * maxPeers)
  }

  /** Dials counted against `address` (bootstrap peers are not counted). */
  dialsOf(address: string): number {
    return this.#dialBudget.attempts(multiaddr(address))
  }

  get status(): NetworkStatus {
    return this.#status
  }

  /** The libp2p node, once started (for plugged-in services and tests). */
  get libp2p(): Libp2p<MegaServices> | undefined {
    return this.#libp2p
  }

  /** This node's peer id, once started. */
  get peerId(): PeerId | undefined {
    return this.#libp2p?.peerId
  }

  /** Multiaddrs peers can dial (with `/p2p/<id>`), once started. */
  get addresses(): string[] {
    return this.#libp2p?.getMultiaddrs().map(String) ?? []
  }

  /** Loads or creates the node key, starts libp2p, subscribes, dials the bootstrap list. Idempotent. */
  async start(): Promise<void> {
    if (this.#status !== 'stopped') return
    this.#status = 'starting'
    try {
      const bootstrap = parseBootstrap(this.options.bootstrap)
      const { addressScopes, announce, listen } = this.options
      for (const address of [...listen, ...announce]) checkMultiaddr(address)
      const scope = new ScopeFilter(
        addressScopes ?? defaultScopes(announce.length > 0 ? announce : listen),
        bootstrap.map((peer) => peer.address),
      )
      this.#scope = scope
      const key = await loadOrCreateNodeKey(this.#c.dataDir, this.options.keyFile)
      if (key.created) this.#log.info({ path: key.path }, 'node key created')
      this.#metrics = new GossipMetrics(MESSAGE_TOPICS)
      const libp2p = await createMegaLibp2p(this.options, {
        privateKey: key.privateKey,
        // Banned peers are refused, and no address outside the scopes is dialled, whoever asks.
        gater: { ...banGater(this.bans), denyDialMultiaddr: (address) => !scope.allows(address) },
        metrics: this.#metrics,
        ...(this.#c.services && { services: this.#c.services }),
      })
      this.#libp2p = libp2p
      const keeper = new PeerKeeper(
        {
          libp2p,
          isBanned: (peer) => this.bans.isBanned(peer),
          logger: this.#log,
          candidates: this.candidates,
          budget: this.#dialBudget,
          connectedPeers: () => this.#connected.size,
        },
        { minConnections: this.options.minConnections, bootstrap },
      )
      this.#keeper = keeper
      this.#peerExchange = new PeerExchange(
        {
          pubsub: libp2p.services.pubsub,
          peerId: libp2p.peerId,
          addresses: () => libp2p.getMultiaddrs(),
          candidates: this.candidates,
          scope,
          isBanned: (peer) => this.bans.isBanned(peer),
          isConnected: (peer) => this.#connected.has(peer),
          strike: (peer, reason) => this.#strike(peer, reason),
          announced: (peer) => keeper.discovered(peer),
          evicted: (peers) => this.#forget(peers),
          wantsPeers: () => this.#wantsPeers(),
          logger: this.#log,
        },
        { intervalMs: this.options.peerExchangeIntervalMs, ...this.options.peerExchange },
      )
      this.#gossip = new Gossip({
        pubsub: libp2p.services.pubsub,
        submit: this.#c.submit,
        events: this.#c.events,
        bans: this.bans,
        orphans: this.orphans,
        logger: this.#log,
        strike: (peer, reason) => this.#strike(peer, reason),
        forwardDelayMs: this.options.gossip.forwardDelayMs,
      })
      // mDNS: a candidate like an announced peer.
      this.#listen('peer:discovery', (event) => {
        const { id, multiaddrs } = event.detail as PeerInfo
        this.#candidate(id, multiaddrs)
        keeper.discovered(id)
      })
      // A peer that answered is a real one: a candidate to redial should it go.
      this.#listen('peer:identify', (event) => {
        const { peerId, listenAddrs } = event.detail as IdentifyResult
        this.#candidate(peerId, listenAddrs)
        this.candidates.connected(peerId.toString())
      })
      this.#listen('connection:open', (event) => this.#ping(event.detail.remotePeer))
      this.#listen('peer:connect', (event) => this.#connected.add(event.detail.toString()))
      this.#listen('peer:disconnect', (event) => {
        this.#pings.delete(event.detail.toString())
        this.#connected.delete(event.detail.toString())
      })
      const sync = (libp2p.services as Record<string, unknown>).sync
      if (sync instanceof SyncService) {
        this.#sync = sync
        sync.addEventListener('sync:misbehaviour', this.#onSyncMisbehaviour)
      }
      await libp2p.start()
      this.#gossip.start()
      this.#peerExchange.start()
      this.#timer = setInterval(() => void this.#maintain(), this.options.maintenanceIntervalMs)
      this.#timer.unref()
      void this.#maintain()
      this.#status = 'started'
      this.#log.info({ peerId: libp2p.peerId.toString(), addresses: this.addresses }, 'network started')
    } catch (error) {
      await this.stop()
      throw error
    }
  }

  /** Stops dialling and gossip, closes every connection. Idempotent. */
  async stop(): Promise<void> {
    if (this.#status === 'stopped' || this.#status === 'stopping') return
    this.#status = 'stopping'
    clearInterval(this.#timer)
    this.#keeper?.stop()
    this.#peerExchange?.stop()
    this.#gossip?.stop()
    this.#sync?.removeEventListener('sync:misbehaviour', this.#onSyncMisbehaviour)
    this.#sync = undefined
    for (const [name, listener] of this.#listeners.splice(0))
      this.#libp2p?.removeEventListener(name as 'peer:discovery', listener as never)
    await this.#libp2p?.stop()
    this.#libp2p = undefined
    this.#gossip = undefined
    this.#peerExchange = undefined
    this.#connected.clear()
    this.#status = 'stopped'
  }

  /** Publishes a message admitted locally (REST): fire and forget, failures are logged. */
  async publish(kind: PoolKind, message: Message): Promise<void> {
    await this.#gossip?.publish(kind, message)
  }

  /** This node and its connected peers. */
  peers(): PeerList {
    const libp2p = this.#libp2p
    if (!libp2p) return { self: { id: '', addresses: [] }, items: [] }
    const now = Date.now()
    const byPeer = new Map<string, PeerView>()
    const connections = [...libp2p.getConnections()].sort((a, b) => a.timeline.open - b.timeline.open)
    for (const connection of connections) {
      const id = connection.remotePeer.toString()
      const held = byPeer.get(id)
      const latency = connection.rtt ?? this.#pings.get(id)
      if (held) {
        held.addresses.push(connection.remoteAddr.toString())
        continue
      }
      byPeer.set(id, {
        id,
        addresses: [connection.remoteAddr.toString()],
        direction: connection.direction,
        ...(latency !== undefined && { latencyMs: latency }),
        score: libp2p.services.pubsub.getScore(id),
        connectedSeconds: (now - connection.timeline.open) / 1000,
      })
    }
    return { self: { id: libp2p.peerId.toString(), addresses: this.addresses }, items: [...byPeer.values()] }
  }

  /** Counters for `/stats`. */
  stats(): NetworkStats {
    const libp2p = this.#libp2p
    const { count, bytes, added, resolved, expired, evicted } = this.orphans.stats()
    return {
      peerId: libp2p?.peerId.toString() ?? '',
      connections: libp2p?.getConnections().length ?? 0,
      peers: libp2p?.getPeers().length ?? 0,
      gossip: this.#gossip ? { ...this.#gossip.counters } : zeroGossipCounters(),
      mesh: Object.fromEntries(
        POOL_KINDS.map((kind) => [kind, libp2p?.services.pubsub.getMeshPeers(topicOf(kind)).length ?? 0]),
      ),
      wire: this.#metrics ? { ...this.#metrics.counters } : zeroWire(),
      orphans: { count, bytes, max: this.options.orphans.maxCount, added, resolved, expired, evicted },
      peerExchange: {
        candidates: this.candidates.size,
        ...(this.#peerExchange?.counters ?? { accepted: 0, ignored: 0, rejected: 0 }),
      },
      bans: this.bans.stats(),
      ...(this.#sync && { sync: { ...this.#sync.counters } }),
    }
  }

  /** A sync peer at fault: one strike per fault, like an invalid gossip message. */
  readonly #onSyncMisbehaviour = (event: SyncServiceEvents['sync:misbehaviour']) => {
    const { peer, reason, count } = event.detail
    const id = peer.toString()
    for (let i = 0; i < count && !this.bans.isBanned(id); i++) this.#strike(id, `sync: ${reason}`)
  }

  /**
   * The one path of misbehaviour (gossip and sync): a strike, and when it bans the peer, its
   * orphans dropped and the connection closed (the gater refuses it from then on).
   */
  #strike(peer: string, reason: string): void {
    if (!this.bans.strike(peer)) return
    const dropped = this.orphans.removePeer(peer)
    this.#log.warn({ peer, reason, orphansDropped: dropped }, 'peer banned')
    // Hung up on and forgotten: the gater refuses it for the ban's length, and a flooder that
    // comes back under new peer ids must not leave each one in the peer store.
    const id = peerIdFromString(peer)
    const libp2p = this.#libp2p
    void libp2p
      ?.hangUp(id)
      .then(() => libp2p.peerStore.delete(id))
      .catch(() => {})
    this.candidates.remove(peer)
  }

  async #maintain(): Promise<void> {
    this.orphans.expire()
    this.bans.prune()
    // Short of peers: announce often again, so that the candidates it dials can dial it too.
    if (this.#wantsPeers()) this.#peerExchange?.hurry()
    try {
      await this.#keeper?.maintain()
    } catch (error) {
      this.#log.debug({ err: (error as Error).message }, 'maintenance failed')
    }
  }

  #wantsPeers(): boolean {
    return this.#connected.size < this.options.minConnections
  }

  // One ping when a connection opens, so /peers shows a latency before libp2p's connection
  // monitor (every minute, libp2p.ts) measures one.
  #ping(peer: PeerId): void {
    this.#libp2p?.services.ping
      .ping(peer, { signal: AbortSignal.timeout(5_000) })
      .then((ms) => this.#pings.set(peer.toString(), ms))
      .catch(() => {})
  }

  /** Adds or refreshes a candidate with its addresses in scope; forgets what that evicts. */
  #candidate(id: PeerId, addresses: readonly Multiaddr[]): void {
    if (id.equals(this.#libp2p?.peerId)) return
    const inScope = addresses.filter((address) => this.#scope?.allows(address))
    const evicted = this.candidates.add(id, inScope, Date.now(), (peer) => this.#connected.has(peer))
    this.#forget(evicted)
  }

  /** Candidates evicted: out of libp2p's peer store too, so it stays as bounded as they are. */
  #forget(peers: readonly string[]): void {
    for (const peer of peers) {
      if (this.#connected.has(peer)) continue
      void this.#libp2p?.peerStore.delete(peerIdFromString(peer)).catch(() => {})
    }
  }

  #listen(
    name: 'peer:discovery' | 'peer:identify' | 'connection:open' | 'peer:connect' | 'peer:disconnect',
    listener: (event: CustomEvent) => void,
  ) {
    this.#libp2p!.addEventListener(name, listener as never)
    this.#listeners.push([name, listener])
  }
}
