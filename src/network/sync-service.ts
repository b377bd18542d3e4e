/**
 * The sync protocol `/mega/sync/2.0.0` as a libp2p 3 service: when a peer that speaks it
 * connects, and every `intervalMs` with a few connected peers, this node opens a stream,
 * reconciles its items with the peer's (range-based, src/sync/), fetches what it lacks and
 * admits it through the node's submit. It serves the same to peers, within per-peer rate
 * limits and session budgets. Each side pulls what it lacks, so a connection syncs both ways.
 *
 * Plug it into libp2p like any service (it needs identify, for the topology):
 *
 * ```ts
 * const source = new MempoolSyncSource(node.mempool, (message) => node.submit(message, 'sync'))
 * createLibp2p({ …, services: { identify: identify(), sync: syncService({ source }) } })
 * ```
 */
import {
  type AbortOptions,
  type ComponentLogger,
  type Connection,
  type Logger,
  type PeerId,
  type Startable,
  type Stream,
  serviceCapabilities,
  serviceDependencies,
  type Topology,
} from '@libp2p/interface'
import { reasonsOf, TypedEventTarget } from '../protocol/index.ts'
import {
  encodeErrorFrame,
  initiateSync,
  isSyncError,
  RefusedItems,
  type RefusedItemsInit,
  type SessionInit,
  SyncError,
  SyncErrorCode,
  type SyncMethod,
  type SyncSource,
  type SyncStats,
  serveSync,
} from '../sync/index.ts'
import { definedFields } from './options.ts'
import { PeerRateLimit } from './sync-rate-limit.ts'
import { streamChannel } from './sync-stream.ts'

/** The protocol id. */
export const SYNC_PROTOCOL = '/mega/sync/2.0.0'

export interface SyncServiceInit {
  /** The node's items, messages and admission path (see MempoolSyncSource). Required. */
  source: SyncSource
  /** Protocol id. @default '/mega/sync/2.0.0' */
  protocol?: string
  /** Sync with each peer that connects and speaks the protocol. @default true */
  syncOnConnect?: boolean
  /** Ms between periodic rounds (0: none). @default 60_000 */
  intervalMs?: number
  /** Peers synced per periodic round, picked at random among those not synced recently. @default 2 */
  peersPerInterval?: number
  /** Scheduled syncs skip a peer synced less than this long ago, ms. @default 30_000 */
  minPeerIntervalMs?: number
  /** Sessions we initiate at once. @default 2 */
  maxOutboundSessions?: number
  /** Sessions we serve at once, all peers. @default 8 */
  maxInboundSessions?: number
  /** Sessions one peer may open with us per `inboundWindowMs`. @default 6 (both sides' on-connect syncs, then one a minute and spare) */
  inboundPerPeer?: number
  /** @default 60_000 */
  inboundWindowMs?: number
  /**
   * Longest session, ms, either side. A fresh node fetching 100k items spends most of it
   * admitting (≈ 20 s at 5k admissions/s, bench/sync.ts).
   * @default 600_000
   */
  sessionTimeoutMs?: number
  /** Largest frame accepted on the stream. @default 2 MiB (a 1 MiB fetch reply or reconcile message, and room) */
  maxFrameBytes?: number
  /** Session options: method, reconciliation frame limit, fetch paging, timeouts. */
  session?: SessionInit
  /** Memory of refused items, which keeps nodes from fetching the same stale item forever. */
  refused?: RefusedItemsInit
}

/** The service's defaults (the numbers are explained on {@link SyncServiceInit}). */
export const defaultSyncServiceOptions: Required<Omit<SyncServiceInit, 'source' | 'session' | 'refused'>> = {
  protocol: SYNC_PROTOCOL,
  syncOnConnect: true,
  intervalMs: 60_000,
  peersPerInterval: 2,
  minPeerIntervalMs: 30_000,
  maxOutboundSessions: 2,
  maxInboundSessions: 8,
  inboundPerPeer: 6,
  inboundWindowMs: 60_000,
  sessionTimeoutMs: 600_000,
  maxFrameBytes: 2 * 1024 * 1024,
}

/** What the service needs from libp2p. */
export interface SyncServiceComponents {
  registrar: {
    handle(
      protocol: string,
      handler: (stream: Stream, connection: Connection) => void | Promise<void>,
      options?: { maxInboundStreams?: number; maxOutboundStreams?: number; runOnLimitedConnection?: boolean },
    ): Promise<void>
    unhandle(protocol: string): Promise<void>
    register(protocol: string, topology: Topology): Promise<string>
    unregister(id: string): void
  }
  connectionManager: {
    openStream(peer: PeerId, protocol: string, options?: AbortOptions): Promise<Stream>
  }
  logger: ComponentLogger
}

/** Events of the service. */
export interface SyncServiceEvents {
  /** A session we initiated finished; `stats` says what it fetched and cost. */
  'sync:complete': CustomEvent<{ peer: PeerId; stats: SyncStats }>
  /** A session (either side) failed. */
  'sync:error': CustomEvent<{ peer: PeerId; error: Error; inbound: boolean }>
  /**
   * A peer broke the protocol (a malformed frame, a limit) or served messages no honest node
   * holds (`count` of them): grounds for a strike, like an invalid gossip message.
   */
  'sync:misbehaviour': CustomEvent<{ peer: PeerId; reason: string; count: number }>
}

/**
 * Errors that only a faulty or hostile peer causes (`reject` in the catalogue of reasons). Not
 * among them: timeouts and closed streams (slow or gone peers), rate limits, an error the peer
 * reports, and another protocol version (an honest peer of another release).
 */
const PEER_FAULTS: ReadonlySet<string> = new Set(
  reasonsOf('sync')
    .filter((reason) => reason.gossip === 'reject')
    .map((reason) => reason.code),
)

/** Counters of the service, for /stats. */
export interface SyncCounters {
  sessions: number
  failed: number
  served: number
  refusedInbound: number
  fetched: number
  admitted: number
  /** Peers caught breaking the protocol or serving messages no honest node holds. */
  misbehaviour: number
  bytesSent: number
  bytesReceived: number
}

/** Creates the service factory libp2p's `services` takes. */
export function syncService(init: SyncServiceInit): (components: SyncServiceComponents) => SyncService {
  return (components) => new SyncService(components, init)
}

export class SyncService extends TypedEventTarget<SyncServiceEvents> implements Startable {
  readonly protocol: string
  readonly counters: SyncCounters = {
    sessions: 0,
    failed: 0,
    served: 0,
    refusedInbound: 0,
    fetched: 0,
    admitted: 0,
    misbehaviour: 0,
    bytesSent: 0,
    bytesReceived: 0,
  }
  readonly [Symbol.toStringTag] = '@mega/sync'
  readonly [serviceCapabilities] = ['@mega/sync']
  readonly [serviceDependencies] = ['@libp2p/identify']
  readonly #components: SyncServiceComponents
  readonly #init: Required<Omit<SyncServiceInit, 'session' | 'refused' | 'source'>>
  readonly #source: SyncSource
  readonly #session: SessionInit
  readonly #log: Logger
  readonly #refused: RefusedItems
  readonly #rateLimit: PeerRateLimit
  /** Peers connected that speak the protocol, by id string. */
  readonly #peers = new Map<string, PeerId>()
  /** Outbound sessions running, by peer. */
  readonly #running = new Map<string, Promise<SyncStats>>()
  readonly #queue = new Map<string, PeerId>()
  readonly #lastSync = new Map<string, number>()
  #inbound = 0
  #controller = new AbortController()
  #timer: ReturnType<typeof setInterval> | undefined
  #topology: string | undefined
  #started = false

  constructor(components: SyncServiceComponents, init: SyncServiceInit) {
    super()
    this.#components = components
    const { source, session = {}, refused, ...options } = init
    this.#source = source
    this.#session = session
    this.#init = { ...defaultSyncServiceOptions, ...definedFields(options) }
    this.protocol = this.#init.protocol
    this.#log = components.logger.forComponent('mega:sync')
    this.#refused = new RefusedItems(refused)
    this.#rateLimit = new PeerRateLimit({
      max: this.#init.inboundPerPeer,
      windowMs: this.#init.inboundWindowMs,
    })
  }

  isStarted(): boolean {
    return this.#started
  }

  async start(): Promise<void> {
    if (this.#started) return
    this.#controller = new AbortController()
    await this.#components.registrar.handle(
      this.protocol,
      (stream, connection) => this.#serve(stream, connection),
      {
        maxInboundStreams: 2,
        maxOutboundStreams: 2,
      },
    )
    this.#topology = await this.#components.registrar.register(this.protocol, {
      onConnect: (peer) => {
        this.#peers.set(peer.toString(), peer)
        if (this.#init.syncOnConnect) this.#schedule(peer, false)
      },
      onDisconnect: (peer) => {
        const id = peer.toString()
        this.#peers.delete(id)
        this.#queue.delete(id)
        this.#lastSync.delete(id)
      },
    })
    if (this.#init.intervalMs > 0) {
      this.#timer = setInterval(() => this.#tick(), this.#init.intervalMs)
      this.#timer.unref?.()
    }
    this.#started = true
  }

  async stop(): Promise<void> {
    if (!this.#started) return
    this.#started = false
    clearInterval(this.#timer)
    this.#queue.clear()
    if (this.#topology) this.#components.registrar.unregister(this.#topology)
    await this.#components.registrar.unhandle(this.protocol)
    this.#controller.abort(new SyncError(SyncErrorCode.CLOSED, 'sync service stopped'))
    await Promise.allSettled(this.#running.values())
  }

  /**
   * Syncs with `peer` now (a running session with it is joined instead), whatever the
   * schedule. Rejects with the session's error.
   */
  syncWith(peer: PeerId, options: { method?: SyncMethod } = {}): Promise<SyncStats> {
    const id = peer.toString()
    const running = this.#running.get(id)
    if (running) return running
    this.#queue.delete(id)
    const session = this.#initiate(peer, options.method)
    this.#running.set(id, session)
    const done = () => {
      this.#running.delete(id)
      this.#pump()
    }
    session.then(done, done)
    return session
  }

  /** Peers connected that speak the protocol. */
  get peers(): PeerId[] {
    return [...this.#peers.values()]
  }

  #schedule(peer: PeerId, respectInterval: boolean): void {
    const id = peer.toString()
    if (!this.#started || this.#running.has(id) || this.#queue.has(id)) return
    const last = this.#lastSync.get(id)
    if (respectInterval && last !== undefined && Date.now() - last < this.#init.minPeerIntervalMs) return
    this.#queue.set(id, peer)
    this.#pump()
  }

  #pump(): void {
    while (this.#started && this.#running.size < this.#init.maxOutboundSessions && this.#queue.size > 0) {
      const [id, peer] = this.#queue.entries().next().value!
      this.#queue.delete(id)
      this.syncWith(peer).catch(() => {
        // reported by the 'sync:error' event and the log
      })
    }
  }

  #tick(): void {
    const now = Date.now()
    const candidates = [...this.#peers.values()].filter((peer) => {
      const id = peer.toString()
      const last = this.#lastSync.get(id)
      return !this.#running.has(id) && (last === undefined || now - last >= this.#init.minPeerIntervalMs)
    })
    for (let i = candidates.length - 1; i > 0; i--) {
      const j = Math.floor(Math.random() * (i + 1))
      ;[candidates[i], candidates[j]] = [candidates[j]!, candidates[i]!]
    }
    for (const peer of candidates.slice(0, this.#init.peersPerInterval)) this.#schedule(peer, true)
  }

  async #initiate(peer: PeerId, method: SyncMethod | undefined): Promise<SyncStats> {
    const id = peer.toString()
    this.#lastSync.set(id, Date.now())
    const signal = AbortSignal.any([
      this.#controller.signal,
      AbortSignal.timeout(this.#init.sessionTimeoutMs),
    ])
    this.counters.sessions++
    try {
      const stream = await this.#components.connectionManager.openStream(peer, this.protocol, { signal })
      const channel = streamChannel(stream, { maxFrameBytes: this.#init.maxFrameBytes })
      const stats = await initiateSync(
        channel,
        this.#source,
        { ...this.#session, ...(method && { method }) },
        { refused: this.#refused, signal },
      )
      this.#lastSync.set(id, Date.now())
      this.counters.fetched += stats.received
      this.counters.admitted += (stats.outcomes.added ?? 0) + (stats.outcomes.updated ?? 0)
      this.counters.bytesSent += stats.bytesSent
      this.counters.bytesReceived += stats.bytesReceived
      this.#log('synced with %p: %o', peer, stats)
      this.emit('sync:complete', { peer, stats })
      const faults = stats.bad + stats.faults
      if (faults > 0) this.#misbehaved(peer, 'served invalid messages', faults)
      return stats
    } catch (error) {
      this.counters.failed++
      const failure = error instanceof Error ? error : new Error(String(error))
      this.#log('sync with %p failed: %s', peer, failure.message)
      this.emit('sync:error', { peer, error: failure, inbound: false })
      this.#faulted(peer, failure)
      throw failure
    }
  }

  async #serve(stream: Stream, connection: Connection): Promise<void> {
    const peer = connection.remotePeer
    const channel = streamChannel(stream, { maxFrameBytes: this.#init.maxFrameBytes })
    if (
      this.#inbound >= this.#init.maxInboundSessions ||
      !this.#rateLimit.take(peer.toString(), Date.now())
    ) {
      this.counters.refusedInbound++
      this.#log('refused a session from %p: rate limited', peer)
      try {
        await channel.write(encodeErrorFrame(SyncErrorCode.RATE_LIMITED), AbortSignal.timeout(1000))
        await channel.close()
      } catch {
        channel.abort(new SyncError(SyncErrorCode.RATE_LIMITED, 'rate limited'))
      }
      return
    }
    this.#inbound++
    const signal = AbortSignal.any([
      this.#controller.signal,
      AbortSignal.timeout(this.#init.sessionTimeoutMs),
    ])
    try {
      const stats = await serveSync(channel, this.#source, this.#session, signal)
      this.counters.served += stats.served
      this.counters.bytesSent += stats.bytesSent
      this.counters.bytesReceived += stats.bytesReceived
      this.#log('served %p: %o', peer, stats)
    } catch (error) {
      const failure = error instanceof Error ? error : new Error(String(error))
      this.#log('serving %p failed: %s', peer, failure.message)
      this.emit('sync:error', { peer, error: failure, inbound: true })
      this.#faulted(peer, failure)
    } finally {
      this.#inbound--
    }
  }

  #faulted(peer: PeerId, error: Error): void {
    if (isSyncError(error) && PEER_FAULTS.has(error.code)) this.#misbehaved(peer, error.code, 1)
  }

  #misbehaved(peer: PeerId, reason: string, count: number): void {
    this.counters.misbehaviour++
    this.#log('%p misbehaved: %s (%d)', peer, reason, count)
    this.emit('sync:misbehaviour', { peer, reason, count })
  }
}
