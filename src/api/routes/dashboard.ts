/**
 * The dashboard: `GET /` (the page), `GET /dashboard/app.js` and `GET /dashboard/style.css`,
 * built once per process from `src/dashboard/ui/` (see `src/dashboard/assets.ts`). The page is
 * revalidated by ETag; the assets carry the bundle's hash in their URL and are cached for good.
 * A strict Content-Security-Policy allows nothing but this origin: the dashboard talks only to
 * the node's own REST API.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { type Asset, type DashboardAssets, dashboardAssets } from '../../dashboard/assets.ts'

export const DASHBOARD_CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
  "base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

const IMMUTABLE = 'public, max-age=31536000, immutable'

export async function dashboardRoutes(app: FastifyInstance): Promise<void> {
  // Build while the node starts listening, so the first visitor does not wait for esbuild.
  app.addHook('onListen', async () => {
    dashboardAssets().catch((error: unknown) => app.log.error({ err: error }, 'dashboard build failed'))
  })
  const serve =
    (pick: (assets: DashboardAssets) => Asset, cache: (assets: DashboardAssets) => string) =>
    async (request: FastifyRequest, reply: FastifyReply) => {
      const assets = await dashboardAssets()
      const etag = `"${assets.hash}"`
      reply
        .header('etag', etag)
        .header('cache-control', cache(assets))
        .header('vary', 'accept-encoding')
        .header('x-content-type-options', 'nosniff')
        .header('content-security-policy', DASHBOARD_CSP)
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
    '/',
    hidden,
    serve(
      (a) => a.html,
      () => 'no-cache',
    ),
  )
  app.get(
    '/dashboard/app.js',
    hidden,
    serve(
      (a) => a.js,
      () => IMMUTABLE,
    ),
  )
  app.get(
    '/dashboard/style.css',
    hidden,
    serve(
      (a) => a.css,
      () => IMMUTABLE,
    ),
  )
}
