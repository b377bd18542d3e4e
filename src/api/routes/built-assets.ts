/**
 * Serving files built once per process (the dashboard, the trader page): revalidated by ETag,
 * compressed as the client accepts, under a strict Content-Security-Policy. A build that fails
 * is a 503 saying so; the rest of the API keeps working.
 */
import type { FastifyReply, FastifyRequest } from 'fastify'
import type { Asset } from '../../dashboard/index.ts'

/** Files cached for good: their URL carries the bundle's hash, or the page is revalidated. */
export const IMMUTABLE = 'public, max-age=31536000, immutable'

export interface BuiltAssetsInit<A extends { hash: string }> {
  /** The built files (built on first call, then the same). */
  load: () => Promise<A>
  /** What is built, for the log and the 503: "dashboard", "trader page". */
  what: string
  csp: string
  /** A line added to the 503's text, saying what still works. */
  hint?: string
}

/** A handler factory: `serve(pick one asset, its cache-control)` for each route. */
export function builtAssets<A extends { hash: string }>({ load, what, csp, hint = '' }: BuiltAssetsInit<A>) {
  return (pick: (assets: A) => Asset, cache: string) =>
    async (request: FastifyRequest, reply: FastifyReply) => {
      let assets: A
      try {
        assets = await load()
      } catch (error) {
        request.log.error({ err: error }, `${what} build failed`)
        return reply
          .code(503)
          .header('retry-after', '60')
          .type('text/plain; charset=utf-8')
          .send(`The ${what} could not be built on this node (${(error as Error).message}).\n${hint}`)
      }
      const etag = `"${assets.hash}"`
      reply
        .header('etag', etag)
        .header('cache-control', cache)
        .header('vary', 'accept-encoding')
        .header('x-content-type-options', 'nosniff')
        .header('content-security-policy', csp)
        .header('referrer-policy', 'no-referrer')
      if (request.headers['if-none-match'] === etag) return reply.code(304).send()
      const asset = pick(assets)
      const accepted = String(request.headers['accept-encoding'] ?? '')
      const [encoding, body] = /\bbr\b/.test(accepted)
        ? ['br', asset.brotli]
        : /\bgzip\b/.test(accepted)
          ? ['gzip', asset.gzip]
          : [undefined, asset.body]
      if (encoding) reply.header('content-encoding', encoding)
      return reply.type(asset.type).send(body)
    }
}
