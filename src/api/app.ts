/**
 * The node's REST API as a Fastify instance, built but not listening: the node (or a test)
 * calls `listen`, or `inject` without a port.
 */
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify'
import type { FactAdmission, FactPool, Relay } from '../facts/index.ts'
import {
  buildCachedSerializer,
  buildLazyValidator,
  corsPlugin,
  guardConnections,
  problemPlugin,
  sendProblem,
  serverOptions,
} from '../http/index.ts'
import { type AdmissionEvents, AdmissionPipeline, type Mempool } from '../mempool/index.ts'
import type { TypedEventTarget } from '../protocol/index.ts'
import { EventHub } from './events.ts'
import { type ApiInit, apiOptions } from './options.ts'
import { openapiPlugin } from './plugins/openapi.ts'
import { dashboardRoutes } from './routes/dashboard.ts'
import { factRoutes } from './routes/facts.ts'
import { listingRoutes } from './routes/listings.ts'
import { type CommitTimed, metricsPlugin } from './routes/metrics.ts'
import { nodeRoutes } from './routes/node.ts'
import { oracleRoutes } from './routes/oracles.ts'
import { type NetworkView, peerRoutes } from './routes/peers.ts'
import { relayRoutes } from './routes/relay.ts'
import { type Submit, submitRoutes } from './routes/submit.ts'
import { traderPageRoutes } from './routes/trader-page.ts'
import { sharedSchemas } from './schemas.ts'

/** What the API needs from the node. */
export interface ApiComponents {
  /** The pools the GET routes read. */
  mempool: Mempool
  /** The node's admission pipeline. @default {@link mempoolSubmit} of `mempool` */
  submit?: Submit
  /**
   * The node's `message:admitted` events (sent after commit), for `/events`. @default those of
   * the default `submit`
   */
  events?: TypedEventTarget<AdmissionEvents>
  /** A pino-compatible logger. @default none (silent) */
  logger?: FastifyBaseLogger
  /** Milliseconds clock, for uptime. @default Date.now */
  clock?: () => number
  /** The peer-to-peer network, for `/peers` and the network part of `/stats`. @default none */
  network?: NetworkView
  /** The fact pool (`/facts`, `/fact-record`) and its path in, which persists. @default none */
  facts?: { pool: FactPool; add: (value: unknown) => FactAdmission }
  /** The relay (`/relay/commitment`, `/relay/fact`). @default none */
  relay?: Relay
  /** The store, whose commit times `/metrics` reports. @default none */
  store?: CommitTimed
}

/**
 * A pipeline that only admits into `mempool` (no store, no gossip), with its events: for tests
 * and tools.
 */
export function mempoolSubmit(mempool: Mempool): {
  submit: Submit
  events: TypedEventTarget<AdmissionEvents>
} {
  const pipeline = new AdmissionPipeline(mempool)
  return { submit: (message, origin) => pipeline.submit(message, origin), events: pipeline.events }
}

/**
 * Builds the API: the connection limits (request deadline, connections per address), shared
 * schemas, the one error path, OpenAPI and Swagger UI, the POST routes
 * (rate-limited per address) and the query routes. A route's validators and serializers are
 * compiled on its first request (`compilePendingSchemas` from src/http compiles the rest at once).
 *
 * @example
 * const app = await buildApi({ mempool })
 * const response = await app.inject({ method: 'GET', url: '/oracles?limit=20' })
 */
export async function buildApi(components: ApiComponents, init: ApiInit = {}): Promise<FastifyInstance> {
  const options = apiOptions(init)
  const { mempool } = components
  const clock = components.clock ?? Date.now
  const started = clock()
  const app = Fastify({
    bodyLimit: options.bodyLimit,
    ...serverOptions(options),
    trustProxy: options.trustProxy,
    // Each route's validators and serializers compiled on its first request, each distinct
    // response schema once per process (src/http/validators.ts, serializers.ts).
    schemaController: {
      compilersFactory: { buildValidator: buildLazyValidator, buildSerializer: buildCachedSerializer },
    },
    ...(components.logger ? { loggerInstance: components.logger } : { logger: false }),
    // Unknown query parameters are refused (400), not silently dropped.
    ajv: { customOptions: { removeAdditional: false, allErrors: false } },
    // Errors Fastify raises before routing (a malformed URL) take the same path as the rest.
    frameworkErrors: (error, request, reply) => {
      sendProblem(error, request, reply)
    },
  }) as unknown as FastifyInstance
  problemPlugin(app)
  guardConnections(app, options)
  corsPlugin(app, options.corsOrigins)
  for (const schema of sharedSchemas()) app.addSchema(schema)
  await openapiPlugin(app, options.docs)

  const standalone = components.submit ? undefined : mempoolSubmit(mempool)
  const events = new EventHub(
    components.events ?? standalone?.events,
    options.events,
    components.facts?.pool,
    (reportId) => mempool.reports.get(reportId)?.oracle,
  )
  app.addHook('preClose', async () => events.close())
  // Before the routes: its response-time hook times them all.
  metricsPlugin(app, {
    mempool,
    events,
    network: components.network,
    store: components.store,
    facts: components.facts?.pool,
    relay: components.relay,
  })
  const query = { mempool, limits: options.query }
  await app.register(submitRoutes, {
    submit: components.submit ?? standalone!.submit,
    rateLimit: options.rateLimit,
  })
  await app.register(oracleRoutes, query)
  await app.register(listingRoutes, query)
  const { network } = components
  const { facts, relay } = components
  await app.register(nodeRoutes, {
    mempool,
    events,
    network,
    uptime: () => (clock() - started) / 1000,
    facts: () => ({
      ...(facts && { facts: facts.pool.stats() }),
      ...(relay && { relay: { ...relay.counters } }),
    }),
  })
  await app.register(peerRoutes, { network })
  if (components.facts) await app.register(factRoutes, { ...components.facts, rateLimit: options.rateLimit })
  if (components.relay)
    await app.register(relayRoutes, { relay: components.relay, rateLimit: options.rateLimit })
  if (options.dashboard) {
    await app.register(dashboardRoutes)
    await app.register(traderPageRoutes)
  }
  await app.ready()
  return app
}
