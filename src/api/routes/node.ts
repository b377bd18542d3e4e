/** `GET /health`, `GET /stats` and `GET /events` (server-sent events of admissions). */
import type { FastifyInstance } from 'fastify'
import { type Mempool, poolStats } from '../../mempool/index.ts'
import type { EventHub } from '../events.ts'
import { json, problems } from './common.ts'
import type { NetworkView } from './peers.ts'

export interface NodeRoutesOptions {
  mempool: Mempool
  /** The fact pool's and the relay's counts, when the node has them. */
  facts?: (() => Record<string, unknown>) | undefined
  events: EventHub
  network: NetworkView | undefined
  /** Seconds since the API started. */
  uptime: () => number
}

export async function nodeRoutes(
  app: FastifyInstance,
  { mempool, events, network, uptime, facts }: NodeRoutesOptions,
): Promise<void> {
  app.get(
    '/health',
    {
      schema: {
        tags: ['node'],
        summary: 'Liveness: answers while the node serves',
        response: { 200: json('Serving', 'Health'), ...problems() },
      },
    },
    () => ({ status: 'ok', uptime: uptime() }),
  )
  app.get(
    '/stats',
    {
      schema: {
        tags: ['node'],
        summary:
          'Pool sizes, bytes, floors in bits, admission outcomes by status and reason, uptime; network counters',
        response: { 200: json('Stats', 'Stats'), ...problems() },
      },
    },
    () => ({
      uptime: uptime(),
      mempool: poolStats(mempool),
      events: { clients: events.clients, maxClients: events.options.maxClients },
      ...(network && { network: network.stats() }),
      ...facts?.(),
    }),
  )
  app.get(
    '/events',
    {
      schema: {
        tags: ['node'],
        summary: 'Server-sent events: one per admitted message (event name = kind)',
        description:
          'Each event is `event: <kind>` with `data: {"status","id","kind","oracle","capability"}` (the oracle and capability key the message concerns, when it has them) for every message added or updated, whether it came through this API or from gossip. Comments (`: heartbeat`) keep the stream alive. At most `maxClients` streams at once and `maxClientsPerAddress` per client address (503 beyond); `HEAD` answers the headers of a stream.',
        response: {
          200: {
            description: 'An event stream',
            content: { 'text/event-stream': { schema: { type: 'string' } } },
          },
          ...problems(503),
        },
      },
    },
    // HEAD (added by Fastify for every GET) gets the stream's headers and no body, and takes no slot.
    (request, reply) => {
      events.admit(request.ip)
      reply.hijack()
      if (request.method === 'HEAD') events.head(reply.raw)
      else events.open(reply.raw, request.ip)
    },
  )
}
