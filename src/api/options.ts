/**
 * Options of the REST API. Plain data (structuredClone-able); every option optional in
 * {@link ApiInit}; defaults below say where the numbers come from.
 */

import { DEFAULT_CONNECTION_LIMITS, DEFAULT_CORS_ORIGINS } from '../http/index.ts'
import { defaultQueryLimits, type QueryLimits } from '../mempool/index.ts'
import { LIMITS } from '../protocol/index.ts'

export interface ApiOptions {
  /**
   * Largest request body in bytes; larger bodies get 413 before they are read whole.
   * @default 131072 (128 KiB: twice the largest message, so a message with generous
   * whitespace still fits while a flood of big bodies costs the sender, not us)
   */
  bodyLimit: number
  /**
   * Milliseconds for a request's headers and body to arrive whole; later, 408 and the
   * connection is closed (a connection that sends nothing is closed too).
   * @default 10_000 (a 128 KiB body at 13 KiB/s; a body that trickles in slower holds a
   * connection for what it costs the sender nothing)
   */
  requestTimeoutMs: number
  /**
   * Open connections per client address (an IPv6 address counted by its /64); more are
   * answered 503 and closed. 0: no cap (behind a reverse proxy, which is one address).
   * @default 64 (a browser opens 6 per host; many clients behind one NAT still fit)
   */
  maxConnectionsPerAddress: number
  /** Per-IP rate limit of the POST routes: `max` requests per `timeWindow` milliseconds. */
  rateLimit: {
    /** @default 120 (two a second on average, far above what an oracle or trader sends) */
    max: number
    /** @default 60_000 */
    timeWindow: number
  }
  /** Server-sent events at `/events`. */
  events: {
    /** Concurrent `/events` clients; more get 503. @default 64 */
    maxClients: number
    /**
     * Concurrent `/events` clients per client address; more get 503.
     * @default 16 (a quarter of `maxClients`: one client cannot take them all, while a user
     * with many dashboard tabs, or a few behind one NAT, still fit)
     */
    maxClientsPerAddress: number
    /** Milliseconds between heartbeat comments, which keep proxies from closing idle streams. @default 15_000 */
    heartbeatMs: number
    /** Bytes a slow client may have waiting unsent before it is dropped. @default 1 MiB */
    maxBufferedBytes: number
  }
  /** Paging and scan bounds of the listings. @default defaultQueryLimits */
  query: QueryLimits
  /** Serve `/openapi.json` and Swagger UI at `/docs`. @default true */
  docs: boolean
  /** Serve the dashboard at `/` (built from `src/dashboard/ui/` on first use). @default true */
  dashboard: boolean
  /** Take the client address from `X-Forwarded-For` (behind a reverse proxy only). @default false */
  trustProxy: boolean
  /**
   * Origins whose pages may use the API (CORS: a trader page hosted elsewhere). `*` lets any
   * origin read; the POST routes (submit, relay) answer only origins named here. @default ['*']
   */
  corsOrigins: readonly string[]
}

/** Options given to `buildApi`: any subset, nested objects merged with the defaults. */
export interface ApiInit {
  bodyLimit?: number
  requestTimeoutMs?: number
  maxConnectionsPerAddress?: number
  rateLimit?: Partial<ApiOptions['rateLimit']>
  events?: Partial<ApiOptions['events']>
  query?: Partial<QueryLimits>
  docs?: boolean
  dashboard?: boolean
  trustProxy?: boolean
  corsOrigins?: readonly string[]
}

export const defaultApiOptions: ApiOptions = {
  bodyLimit: 2 * LIMITS.messageBytes,
  ...DEFAULT_CONNECTION_LIMITS,
  rateLimit: { max: 120, timeWindow: 60_000 },
  events: { maxClients: 64, maxClientsPerAddress: 16, heartbeatMs: 15_000, maxBufferedBytes: 1024 * 1024 },
  query: defaultQueryLimits,
  docs: true,
  dashboard: true,
  trustProxy: false,
  corsOrigins: DEFAULT_CORS_ORIGINS,
}

/** The defaults overlaid with `init`, one level deep. */
export function apiOptions(init: ApiInit = {}): ApiOptions {
  const d = defaultApiOptions
  return {
    bodyLimit: init.bodyLimit ?? d.bodyLimit,
    requestTimeoutMs: init.requestTimeoutMs ?? d.requestTimeoutMs,
    maxConnectionsPerAddress: init.maxConnectionsPerAddress ?? d.maxConnectionsPerAddress,
    rateLimit: { ...d.rateLimit, ...init.rateLimit },
    events: { ...d.events, ...init.events },
    query: { ...d.query, ...init.query },
    docs: init.docs ?? d.docs,
    dashboard: init.dashboard ?? d.dashboard,
    trustProxy: init.trustProxy ?? d.trustProxy,
    corsOrigins: init.corsOrigins ?? d.corsOrigins,
  }
}
