/**
 * `GET /metrics`: the numbers of `/stats` in the Prometheus text format (prom-client), read
 * from the pools and the network at each scrape, plus the process's own (CPU, memory, event
 * loop, file descriptors). One registry per API instance, so several nodes in one process (tests,
 * benchmarks) never mix their numbers.
 */
import type { FastifyInstance } from 'fastify'
import { Counter, collectDefaultMetrics, Gauge, Registry } from 'prom-client'
import type { Mempool } from '../../mempool/mempool.ts'
import { poolStats } from '../../mempool/queries.ts'
import type { EventHub } from '../events.ts'
import type { NetworkView } from './peers.ts'

export interface MetricsRoutesOptions {
  mempool: Mempool
  events: EventHub
  network: NetworkView | undefined
}

/** A gauge whose values are read at scrape time. */
function gauge(
  registry: Registry,
  name: string,
  help: string,
  labelNames: string[],
  read: () => [Record<string, string>, number][],
) {
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
function counter(
  registry: Registry,
  name: string,
  help: string,
  labelNames: string[],
  read: () => [Record<string, string>, number][],
) {
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

export async function metricsRoutes(
  app: FastifyInstance,
  { mempool, events, network }: MetricsRoutesOptions,
): Promise<void> {
  const registry = new Registry()
  collectDefaultMetrics({ register: registry, prefix: 'mega_' })
  const pools = () => poolStats(mempool)
  gauge(registry, 'mega_pool_entries', 'Entries held, per pool.', ['pool'], () => {
    const stats = pools()
    return (['oracles', 'capabilities', 'reports', 'offers'] as const).map((pool) => [
      { pool },
      stats[pool].count,
    ])
  })
  gauge(
    registry,
    'mega_pool_capacity',
    'Entries a pool keeps at most (mempool.maxOracles, maxOffers).',
    ['pool'],
    () => {
      const stats = pools()
      return [
        [{ pool: 'oracles' }, stats.oracles.capacity],
        [{ pool: 'offers' }, stats.offers.capacity],
      ]
    },
  )
  gauge(
    registry,
    'mega_pool_floor_bits',
    'Rolling admission floor of a full pool, in bits of work.',
    ['pool'],
    () => {
      const stats = pools()
      return [
        [{ pool: 'oracles' }, stats.oracles.floorBits],
        [{ pool: 'offers' }, stats.offers.floorBits],
      ]
    },
  )
  gauge(registry, 'mega_pool_bytes', 'Bytes of messages held.', [], () => [[{}, pools().bytes.used]])
  gauge(registry, 'mega_pool_bytes_max', 'Byte budget of the pools (mempool.maxBytes).', [], () => [
    [{}, pools().bytes.max],
  ])
  counter(registry, 'mega_admissions_total', 'Admission outcomes since start, by status.', ['status'], () =>
    Object.entries(pools().counters.status).map(([status, count]) => [{ status }, count]),
  )
  counter(
    registry,
    'mega_admission_refusals_total',
    'Refused or ignored messages since start, by reason (error code).',
    ['reason'],
    () => Object.entries(pools().counters.reason).map(([reason, count]) => [{ reason }, count]),
  )
  gauge(registry, 'mega_event_clients', 'Open /events streams.', [], () => [[{}, events.clients]])
  if (network) {
    gauge(registry, 'mega_peer_connections', 'Open peer-to-peer connections.', [], () => [
      [{}, network.stats().connections],
    ])
    counter(
      registry,
      'mega_gossip_messages_total',
      'Gossiped messages since start, by verdict (and published).',
      ['verdict'],
      () => Object.entries(network.stats().gossip).map(([verdict, count]) => [{ verdict }, count]),
    )
    counter(
      registry,
      'mega_gossip_bytes_total',
      'Gossip bytes since start, by direction.',
      ['direction'],
      () => {
        const { bytesSent, bytesReceived } = network.stats().wire
        return [
          [{ direction: 'sent' }, bytesSent],
          [{ direction: 'received' }, bytesReceived],
        ]
      },
    )
    gauge(registry, 'mega_orphans', 'Messages waiting for their parent.', [], () => [
      [{}, network.stats().orphans.count],
    ])
    gauge(registry, 'mega_banned_peers', 'Peers banned now.', [], () => [[{}, network.stats().bans.active]])
  }
  app.get('/metrics', { schema: { hide: true } }, async (_request, reply) => {
    reply.type(registry.contentType)
    return registry.metrics()
  })
}
