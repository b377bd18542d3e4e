/**
 * Cross-origin access, so a trader page served by any site (a node's `/trader`, a static copy)
 * can read a node's REST API and ask an oracle endpoint for commitments and facts straight
 * from the browser. Registered by the node's API and by the oracle endpoint.
 *
 * Nothing either serves depends on who asks and no request carries cookies or credentials:
 * every message is signed and the browser verifies it. So the default allows any origin (`*`);
 * an operator may list origins instead, and an origin not listed gets no CORS headers (the
 * browser then refuses to hand the answer to that page). Preflights (`OPTIONS` with
 * `Access-Control-Request-Method`) are answered here, before routing and rate limits.
 */
import type { FastifyInstance } from 'fastify'

/** Origins allowed by default: any. */
export const DEFAULT_CORS_ORIGINS: readonly string[] = ['*']

/** How long a browser may cache a preflight answer (seconds). */
const PREFLIGHT_MAX_AGE = 86_400

/** The value of `Access-Control-Allow-Origin` for a request from `origin`, or undefined when not allowed. */
export function allowedOrigin(origin: string | undefined, allowed: readonly string[]): string | undefined {
  if (allowed.includes('*')) return '*'
  return origin !== undefined && allowed.includes(origin) ? origin : undefined
}

/** Adds the CORS headers to every answer of `app` and answers preflights. */
export function corsPlugin(app: FastifyInstance, origins: readonly string[] = DEFAULT_CORS_ORIGINS): void {
  app.addHook('onRequest', async (request, reply) => {
    const origin = request.headers.origin
    const allow = allowedOrigin(origin, origins)
    // A listed origin is echoed: caches must keep one answer per Origin.
    if (!origins.includes('*')) reply.header('vary', 'origin')
    if (allow === undefined) return
    reply.header('access-control-allow-origin', allow)
    reply.header('access-control-expose-headers', 'retry-after')
    if (request.method === 'OPTIONS' && request.headers['access-control-request-method'] !== undefined) {
      return reply
        .code(204)
        .header('access-control-allow-methods', 'GET, POST')
        .header('access-control-allow-headers', 'content-type')
        .header('access-control-max-age', String(PREFLIGHT_MAX_AGE))
        .send()
    }
  })
}
