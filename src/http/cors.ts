/**
 * Cross-origin access, so a trader page served by any site (a node's `/trader`, a static copy)
 * can read a node's REST API and ask an oracle endpoint for commitments and facts straight
 * from the browser. Registered by the node's API and by the oracle endpoint.
 *
 * Reads: nothing either serves depends on who asks and no request carries cookies or
 * credentials: every message is signed and the browser verifies it. So the default allows any
 * origin (`*`); an operator may list origins instead, and an origin not listed gets no CORS
 * headers (the browser then refuses to hand the answer to that page).
 *
 * Writes (`POST`) on a node: a page is a client on the machine of whoever opened it, so a
 * hostile site open in the browser of a node's operator would reach the node as a loopback
 * client — past the relay's `relay.clients: loopback` rule and on the operator's own
 * rate-limit budget. So `*` does not open a node's POST routes: only an origin named in the
 * list may post from its pages (its preflight is answered, its answers readable); others get
 * no CORS headers, so the browser sends no `application/json` post, and a post the browser
 * marks as from another site (`Sec-Fetch-Site`: a form, a `no-cors` fetch) is refused with
 * `BAD_REQUEST`. The node's own `/trader` page is same-origin and needs none. The
 * oracle endpoint's POSTs are its public service, admitted by no address: `*` opens them.
 *
 * Preflights (`OPTIONS` with `Access-Control-Request-Method`) are answered here, before
 * routing and rate limits.
 */
import type { FastifyInstance } from 'fastify'
import { ApiError, ApiErrorCode } from './errors.ts'

/** Origins allowed by default: any, to read. */
export const DEFAULT_CORS_ORIGINS: readonly string[] = ['*']

/** How long a browser may cache a preflight answer (seconds). */
const PREFLIGHT_MAX_AGE = 86_400

/** The value of `Access-Control-Allow-Origin` for a request from `origin`, or undefined when not allowed. */
export function allowedOrigin(origin: string | undefined, allowed: readonly string[]): string | undefined {
  if (allowed.includes('*')) return '*'
  return origin !== undefined && allowed.includes(origin) ? origin : undefined
}

/** The same for a write: only an origin named in `allowed` (never by `*`) unless `anyMayPost`. */
export function allowedWriteOrigin(
  origin: string | undefined,
  allowed: readonly string[],
  anyMayPost: boolean,
): string | undefined {
  if (anyMayPost) return allowedOrigin(origin, allowed)
  return origin !== undefined && allowed.includes(origin) ? origin : undefined
}

export interface CorsOptions {
  /** Whether `*` opens the POST routes too (the oracle endpoint), not only the reads. @default false */
  anyOriginMayPost?: boolean
}

/**
 * Whether the browser says the request comes from a page of another origin (`Sec-Fetch-Site`,
 * set by the browser and not by scripts). Clients that are not browsers send none.
 */
function crossOrigin(site: string | string[] | undefined): boolean {
  return site === 'cross-site' || site === 'same-site'
}

/** Adds the CORS headers to every answer of `app` and answers preflights. */
export function corsPlugin(
  app: FastifyInstance,
  origins: readonly string[] = DEFAULT_CORS_ORIGINS,
  { anyOriginMayPost = false }: CorsOptions = {},
): void {
  app.addHook('onRequest', async (request, reply) => {
    const origin = request.headers.origin
    const requested = request.headers['access-control-request-method']
    const preflight = request.method === 'OPTIONS' && requested !== undefined
    const method = preflight ? String(requested).toUpperCase() : request.method
    const write = method !== 'GET' && method !== 'HEAD'
    const allow = write
      ? allowedWriteOrigin(origin, origins, anyOriginMayPost)
      : allowedOrigin(origin, origins)
    // A listed origin is echoed: caches must keep one answer per Origin.
    if (allow !== '*' || !origins.includes('*')) reply.header('vary', 'origin')
    if (allow === undefined && write && !preflight && crossOrigin(request.headers['sec-fetch-site'])) {
      // A form or `no-cors` post needs no preflight: refused here, before the routes and their
      // rate limit, so a foreign page cannot spend this address's budget either.
      throw new ApiError(
        ApiErrorCode.BAD_REQUEST,
        `a page of ${origin ?? 'another origin'} may not post to this node (api.corsOrigins)`,
      )
    }
    if (allow === undefined) return
    reply.header('access-control-allow-origin', allow)
    reply.header('access-control-expose-headers', 'retry-after')
    if (preflight) {
      return reply
        .code(204)
        .header('access-control-allow-methods', 'GET, POST')
        .header('access-control-allow-headers', 'content-type')
        .header('access-control-max-age', String(PREFLIGHT_MAX_AGE))
        .send()
    }
  })
}
