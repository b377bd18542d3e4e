/**
 * The network component of a node: a libp2p node with a persistent key, gossip wired to the
 * node's admission, an orphan pool, bans of misbehaving peers, and a keeper that dials peers.
 */
import type { Libp2p, PeerId } from '@libp2p/interface'
import { peerIdFromString } from '@libp2p/peer-id'
import type { Logger } from 'pino'
import { type Message, POOL_KINDS, type PoolKind } from '../protocol/messages/index.ts'
import { BanList, banGater } from './bans.ts'
import { Gossip, type NetworkSubmit, type Orphaned } from './gossip.ts'
import { GossipMetrics } from './gossip-metrics.ts'
import { createMegaLibp2p, type MegaServices, type ServiceFactory } from './libp2p.ts'
import { loadOrCreateNodeKey } from './node-key.ts'
import { type NetworkInit, type NetworkOptions, networkOptions } from './options.ts'
import { OrphanPool } from './orphans.ts'
import { PeerKeeper, parseBootstrap } from './peer-keeper.ts'
import { SyncService } from './sync-service.ts'
import { MESSAGE_TOPICS, topicOf } from './topics.ts'
import type { NetworkStats, PeerList, PeerView } from './view-schemas.ts'

/** What the network needs from the node. */
export interface NetworkComponents {
  /** The node's admission path (admit + persist); gossip-admitted messages propagate by gossipsub. */
  submit: NetworkSubmit
  /** Source of `message:admitted` events (the mempool): parents that free orphans. */
  mempool: EventTarget
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
      const key = await loadOrCreateNodeKey(this.#c.dataDir, this.options.keyFile)
      if (key.created) this.#log.info({ path: key.path }, 'node key created')
      this.#metrics = new GossipMetrics(MESSAGE_TOPICS)
      const libp2p = await createMegaLibp2p(this.options, {
        privateKey: key.privateKey,
        gater: banGater(this.bans),
        metrics: this.#metrics,
        ...(this.#c.services && { services: this.#c.services }),
      })
      this.#libp2p = libp2p
      this.#keeper = new PeerKeeper(
        { libp2p, isBanned: (peer) => this.bans.isBanned(peer), logger: this.#log },
        { minConnections: this.options.minConnections, bootstrap },
      )
      this.#gossip = new Gossip({
        pubsub: libp2p.services.pubsub,
        submit: this.#c.submit,
        events: this.#c.mempool,
        bans: this.bans,
        orphans: this.orphans,
        logger: this.#log,
        strike: (peer, reason) => this.#strike(peer, reason),
        forwardDelayMs: this.options.gossip.forwardDelayMs,
      })
      this.#listen('peer:discovery', (event) => this.#keeper?.discovered(event.detail.id))
      this.#listen('connection:open', (event) => this.#ping(event.detail.remotePeer))
      this.#listen('peer:disconnect', (event) => this.#pings.delete(event.detail.toString()))
      const sync = (libp2p.services as Record<string, unknown>).sync
      if (sync instanceof SyncService) {
        this.#sync = sync
        sync.addEventListener('sync:misbehaviour', this.#onSyncMisbehaviour)
      }
      await libp2p.start()
      this.#gossip.start()
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
    this.#gossip?.stop()
    this.#sync?.removeEventListener('sync:misbehaviour', this.#onSyncMisbehaviour)
    this.#sync = undefined
    for (const [name, listener] of this.#listeners.splice(0))
      this.#libp2p?.removeEventListener(name as 'peer:discovery', listener as never)
    await this.#libp2p?.stop()
    this.#libp2p = undefined
    this.#gossip = undefined
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
      gossip: this.#gossip
        ? { ...this.#gossip.counters }
        : { accepted: 0, ignored: 0, rejected: 0, orphaned: 0, published: 0 },
      mesh: Object.fromEntries(
        POOL_KINDS.map((kind) => [kind, libp2p?.services.pubsub.getMeshPeers(topicOf(kind)).length ?? 0]),
      ),
      wire: this.#metrics
        ? { ...this.#metrics.counters }
        : { received: 0, duplicates: 0, sent: 0, idontwantSent: 0, bytesSent: 0, bytesReceived: 0 },
      orphans: { count, bytes, max: this.options.orphans.maxCount, added, resolved, expired, evicted },
      bans: this.bans.stats(),
      ...(this.#sync && { sync: { ...this.#sync.counters } }),
    }
  }

  /** A sync peer at fault: one strike per fault, like an invalid gossip message. */
  readonly #onSyncMisbehaviour = (event: Event) => {
    const { peer, reason, count } = (event as CustomEvent<{ peer: PeerId; reason: string; count: number }>)
      .detail
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
    void this.#libp2p?.hangUp(peerIdFromString(peer)).catch(() => {})
  }

  async #maintain(): Promise<void> {
    this.orphans.expire()
    this.bans.prune()
    try {
      await this.#keeper?.maintain()
    } catch (error) {
      this.#log.debug({ err: (error as Error).message }, 'maintenance failed')
    }
  }

  // One ping when a connection opens, so /peers shows a latency before libp2p's connection
  // monitor (every 10 s) measures one.
  #ping(peer: PeerId): void {
    this.#libp2p?.services.ping
      .ping(peer, { signal: AbortSignal.timeout(5_000) })
      .then((ms) => this.#pings.set(peer.toString(), ms))
      .catch(() => {})
  }

  #listen(
    name: 'peer:discovery' | 'connection:open' | 'peer:disconnect',
    listener: (event: CustomEvent) => void,
  ) {
    this.#libp2p!.addEventListener(name, listener as never)
    this.#listeners.push([name, listener])
  }
}
