/**
 * `GET /metrics`: the numbers of `/stats` in the Prometheus text format (prom-client), read
 * from the pools, the network and the fact pool at each scrape, plus the process's own (CPU,
 * memory, event loop, file descriptors), the store's commit times and the API's response
 * times. One registry per API instance, so several nodes in one process (tests, benchmarks)
 * never mix their numbers. Gauges and counters are read on scrape, histograms are observed
 * where the work happens; the one timer, the event-loop sampler, starts with the first scrape.
 */
import type { FastifyInstance } from 'fastify'
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client'
import type { FactPool, Relay } from '../../facts/index.ts'
import { type Mempool, type PoolStats, poolStats } from '../../mempool/index.ts'
import type { CommitListener } from '../../store/index.ts'
import type { EventHub } from '../events.ts'
import type { NetworkView } from './peers.ts'

/** The store's hook for the time of each committed batch. */
export interface CommitTimed {
  onCommit: CommitListener | undefined
}

export interface MetricsOptions {
  mempool: Mempool
  events: EventHub
  network: NetworkView | undefined
  store?: CommitTimed | undefined
  facts?: FactPool | undefined
  relay?: Relay | undefined
}

type Read = () => [Record<string, string>, number][]

/** Seconds an SQLite commit of a batch takes: from a WAL append to a slow fsync. */
const STORE_BUCKETS = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1]
/** Seconds a REST response takes: a query served from memory to a slow client. */
const HTTP_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5]
const STATUS_CLASSES = ['0xx', '1xx', '2xx', '3xx', '4xx', '5xx']
/**
 * The event-loop delay histogram samples at this period: a block shows whatever the period (it
 * delays the pending sample), and an idle node wakes 10 times a second, not 100.
 */
const EVENT_LOOP_SAMPLE_MS = 100

/** A gauge whose values are read at scrape time. */
function gauge(registry: Registry, name: string, help: string, labelNames: string[], read: Read) {
  return new Gauge({
    name,
    help,
    labelNames,
    registers: [registry],
    collect() {
      this.reset()
      for (const [labels, value] of read()) this.set(labels, value)
    },
  })
}

/** A counter kept by the node itself: exposed at its current total at each scrape. */
function counter(registry: Registry, name: string, help: string, labelNames: string[], read: Read) {
  return new Counter({
    name,
    help,
    labelNames,
    registers: [registry],
    collect() {
      this.reset()
      for (const [labels, value] of read()) this.inc(labels, value)
    },
  })
}

/** `[{ [label]: key }, value]` for each entry of a record of numbers. */
function byLabel(label: string, values: object): [Record<string, string>, number][] {
  return Object.entries(values).map(([key, value]) => [{ [label]: key }, value as number])
}

/**
 * Registers `GET /metrics` and the response-time hook on `app` itself (not in an encapsulated
 * plugin), so the hook times every route, those registered after it included.
 */
export function metricsPlugin(app: FastifyInstance, options: MetricsOptions): Registry {
  const registry = new Registry()
  // The process metrics sample the event loop on a timer: started by the first scrape, so a
  // node nobody scrapes runs no sampler.
  let processMetrics = false
  poolMetrics(registry, options.mempool)
  gauge(registry, 'mega_event_clients', 'Open /events streams.', [], () => [[{}, options.events.clients]])
  if (options.network) networkMetrics(registry, options.network)
  if (options.facts) factMetrics(registry, options.facts)
  if (options.relay) relayMetrics(registry, options.relay)
  if (options.store) storeMetrics(app, registry, options.store)
  httpMetrics(app, registry)
  app.get('/metrics', { schema: { hide: true } }, async (_request, reply) => {
    if (!processMetrics) {
      processMetrics = true
      collectDefaultMetrics({
        register: registry,
        prefix: 'mega_',
        eventLoopMonitoringPrecision: EVENT_LOOP_SAMPLE_MS,
      })
    }
    reply.type(registry.contentType)
    return registry.metrics()
  })
  return registry
}

function poolMetrics(registry: Registry, mempool: Mempool): void {
  gauge(registry, 'mega_pool_entries', 'Entries held, per pool.', ['pool'], () => {
    const stats = poolStats(mempool)
    return (['oracles', 'capabilities', 'reports', 'offers'] as const).map((pool) => [
      { pool },
      stats[pool].count,
    ])
  })
  // The two bounded global pools, one series each.
  const bounded =
    (pick: (stats: PoolStats['oracles']) => number): Read =>
    () => {
      const { oracles, offers } = poolStats(mempool)
      return [
        [{ pool: 'oracles' }, pick(oracles)],
        [{ pool: 'offers' }, pick(offers)],
      ]
    }
  gauge(
    registry,
    'mega_pool_capacity',
    'Entries a pool keeps at most (mempool.maxOracles, maxOffers).',
    ['pool'],
    bounded((pool) => pool.capacity),
  )
  gauge(
    registry,
    'mega_pool_floor_bits',
    'Rolling admission floor of a full pool, in bits of work.',
    ['pool'],
    bounded((pool) => pool.floorBits),
  )
  gauge(
    registry,
    'mega_pool_min_bits',
    'Fixed minimum work of a message, per kind (mempool.minBits).',
    ['kind'],
    () => byLabel('kind', mempool.options.minBits),
  )
  gauge(registry, 'mega_pool_bytes', 'Bytes of messages held.', [], () => [[{}, mempool.bytes]])
  gauge(registry, 'mega_pool_bytes_max', 'Byte budget of the pools (mempool.maxBytes).', [], () => [
    [{}, mempool.options.maxBytes],
  ])
  counter(
    registry,
    'mega_admissions_total',
    'Admission outcomes since start, by message kind (other: none the pools keep) and status.',
    ['kind', 'status'],
    () =>
      Object.entries(mempool.outcomes.byKind).flatMap(([kind, statuses]) =>
        Object.entries(statuses).map(([status, count]): [Record<string, string>, number] => [
          { kind, status },
          count,
        ]),
      ),
  )
  counter(
    registry,
    'mega_admission_refusals_total',
    'Refused or ignored messages since start, by reason (error code).',
    ['reason'],
    () => byLabel('reason', poolStats(mempool).counters.reason),
  )
}

function networkMetrics(registry: Registry, network: NetworkView): void {
  const stats = () => network.stats()
  gauge(registry, 'mega_peer_connections', 'Open peer-to-peer connections.', [], () => [
    [{}, stats().connections],
  ])
  gauge(registry, 'mega_peers', 'Peers connected (one per peer, whatever its connections).', [], () => [
    [{}, stats().peers],
  ])
  gauge(registry, 'mega_mesh_peers', 'Gossipsub mesh peers, per message kind (topic).', ['kind'], () =>
    byLabel('kind', stats().mesh),
  )
  counter(
    registry,
    'mega_gossip_messages_total',
    'Gossiped messages since start, by verdict (accepted, ignored, rejected, orphaned; and published).',
    ['verdict'],
    () => byLabel('verdict', stats().gossip),
  )
  counter(
    registry,
    'mega_gossip_bytes_total',
    'Gossipsub RPC bytes since start, by direction.',
    ['direction'],
    () => {
      const { bytesSent, bytesReceived } = stats().wire
      return [
        [{ direction: 'sent' }, bytesSent],
        [{ direction: 'received' }, bytesReceived],
      ]
    },
  )
  counter(
    registry,
    'mega_gossip_copies_total',
    'Gossip message copies on the wire since start: received (duplicates included), duplicates, sent, IDONTWANT notices sent.',
    ['event'],
    () => {
      const { received, duplicates, sent, idontwantSent } = stats().wire
      return byLabel('event', { received, duplicates, sent, idontwant_sent: idontwantSent })
    },
  )
  gauge(registry, 'mega_orphans', 'Messages waiting for their parent.', [], () => [
    [{}, stats().orphans.count],
  ])
  gauge(registry, 'mega_orphan_bytes', 'Bytes of the messages waiting for their parent.', [], () => [
    [{}, stats().orphans.bytes],
  ])
  gauge(registry, 'mega_peer_candidates', 'Peers this node may dial (peer exchange, bounded).', [], () => [
    [{}, stats().peerExchange.candidates],
  ])
  counter(
    registry,
    'mega_peer_exchange_total',
    'Peer announcements since start, by verdict.',
    ['verdict'],
    () => {
      const { accepted, ignored, rejected } = stats().peerExchange
      return byLabel('verdict', { accepted, ignored, rejected })
    },
  )
  gauge(registry, 'mega_banned_peers', 'Peers banned now.', [], () => [[{}, stats().bans.active]])
  counter(registry, 'mega_bans_total', 'Peers banned since start.', [], () => [[{}, stats().bans.total]])
  counter(
    registry,
    'mega_peer_strikes_total',
    'Strikes against peers (invalid gossip, sync faults) since start.',
    [],
    () => [[{}, stats().bans.strikes]],
  )
  syncMetrics(registry, stats)
}

/** Sync's counters: zero until the sync service started (it starts with the network). */
function syncMetrics(registry: Registry, stats: NetworkView['stats']): void {
  const sync = () => stats().sync
  counter(
    registry,
    'mega_sync_sessions_total',
    'Sync sessions since start, by outcome: initiated (this node fetched), failed (of those), refused_inbound, misbehaviour (peer faults).',
    ['outcome'],
    () => {
      const counters = sync()
      if (!counters) return []
      const { sessions, failed, refusedInbound, misbehaviour } = counters
      return byLabel('outcome', {
        initiated: sessions,
        failed,
        refused_inbound: refusedInbound,
        misbehaviour,
      })
    },
  )
  counter(
    registry,
    'mega_sync_messages_total',
    'Messages moved by sync since start: fetched from peers, admitted of those, served to peers.',
    ['event'],
    () => {
      const counters = sync()
      if (!counters) return []
      const { fetched, admitted, served } = counters
      return byLabel('event', { fetched, admitted, served })
    },
  )
  counter(registry, 'mega_sync_bytes_total', 'Sync bytes since start, by direction.', ['direction'], () => {
    const counters = sync()
    if (!counters) return []
    return [
      [{ direction: 'sent' }, counters.bytesSent],
      [{ direction: 'received' }, counters.bytesReceived],
    ]
  })
}

function factMetrics(registry: Registry, facts: FactPool): void {
  gauge(
    registry,
    'mega_fact_pool',
    'Fact pool: records held, their bytes, equivocations (conflicts) and those pinned.',
    ['measure'],
    () => byLabel('measure', facts.stats()),
  )
}

function relayMetrics(registry: Registry, relay: Relay): void {
  counter(
    registry,
    'mega_relay_requests_total',
    'Relayed commitment and fact requests since start, by where the answer came from (oracle, shared, pool) or refused.',
    ['source'],
    () => byLabel('source', relay.counters),
  )
}

function storeMetrics(app: FastifyInstance, registry: Registry, store: CommitTimed): void {
  const seconds = new Histogram({
    name: 'mega_store_commit_seconds',
    help: 'Time of one SQLite transaction writing a batch of admissions (or purged offers).',
    buckets: STORE_BUCKETS,
    registers: [registry],
  })
  const entries = new Counter({
    name: 'mega_store_committed_entries_total',
    help: 'Entries written (put or deleted) by the store since start.',
    registers: [registry],
  })
  store.onCommit = (milliseconds, written) => {
    seconds.observe(milliseconds / 1000)
    entries.inc(written)
  }
  app.addHook('onClose', async () => {
    store.onCommit = undefined
  })
}

function httpMetrics(app: FastifyInstance, registry: Registry): void {
  const seconds = new Histogram({
    name: 'mega_http_request_duration_seconds',
    help: 'REST response time, by method, route pattern (unmatched: no route) and status class.',
    labelNames: ['method', 'route', 'status_class'],
    buckets: HTTP_BUCKETS,
    registers: [registry],
  })
  app.addHook('onResponse', (request, reply, done) => {
    // The route's pattern, never the URL: one series per route, whatever clients ask for.
    const route = request.routeOptions.url ?? 'unmatched'
    const method = request.routeOptions.url === undefined ? 'other' : request.method
    const status = STATUS_CLASSES[Math.floor(reply.statusCode / 100)] ?? 'other'
    seconds.observe({ method, route, status_class: status }, reply.elapsedTime / 1000)
    done()
  })
}
