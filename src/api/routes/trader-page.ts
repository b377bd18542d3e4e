/**
 * The browser trader: `GET /trader` (the page), `GET /trader/app.js`, `/trader/miner.js` and
 * `/trader/style.css`, built once per process from `src/web-trader/` (see its assets.ts). Keys,
 * checks and mining stay in the visitor's browser; the node only serves the files.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { Asset } from '../../dashboard/assets.ts'
import { TRADER_CSP, type TraderAssets, traderAssets } from '../../web-trader/assets.ts'

const IMMUTABLE = 'public, max-age=31536000, immutable'

export async function traderPageRoutes(app: FastifyInstance): Promise<void> {
  const serve =
    (pick: (assets: TraderAssets) => Asset, cache: string) =>
    async (request: FastifyRequest, reply: FastifyReply) => {
      let assets: TraderAssets
      try {
        assets = await traderAssets()
      } catch (error) {
        request.log.error({ err: error }, 'trader page build failed')
        return reply
          .code(503)
          .header('retry-after', '60')
          .type('text/plain; charset=utf-8')
          .send(`The trader page could not be built on this node (${(error as Error).message}).\n`)
      }
      const etag = `"${assets.hash}"`
      reply
        .header('etag', etag)
        .header('cache-control', cache)
        .header('vary', 'accept-encoding')
        .header('x-content-type-options', 'nosniff')
        .header('content-security-policy', TRADER_CSP)
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
  const hidden = { schema: { hide: true } }
  app.get(
    '/trader',
    hidden,
    serve((a) => a.html, 'no-cache'),
  )
  app.get(
    '/trader/app.js',
    hidden,
    serve((a) => a.js, IMMUTABLE),
  )
  app.get(
    '/trader/miner.js',
    hidden,
    serve((a) => a.worker, IMMUTABLE),
  )
  app.get(
    '/trader/style.css',
    hidden,
    serve((a) => a.css, IMMUTABLE),
  )
}
