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

export interface DashboardRoutesOptions {
  /** Where the built files come from. @default {@link dashboardAssets} (built once per process) */
  assets?: () => Promise<DashboardAssets>
}

export async function dashboardRoutes(
  app: FastifyInstance,
  { assets: load = dashboardAssets }: DashboardRoutesOptions = {},
): Promise<void> {
  // Built on the first request (the first visitor waits for esbuild, tens of milliseconds on an
  // idle machine): a node nobody visits never loads esbuild nor holds the bundle.
  let logged = false
  const loadLogged = async () => {
    const assets = await load()
    if (!logged) {
      logged = true
      app.log.info(
        { buildMs: Math.round(assets.buildMs), jsBytes: assets.js.body.length, hash: assets.hash },
        'dashboard built',
      )
    }
    return assets
  }
  const serve =
    (pick: (assets: DashboardAssets) => Asset, cache: (assets: DashboardAssets) => string) =>
    async (request: FastifyRequest, reply: FastifyReply) => {
      let assets: DashboardAssets
      try {
        assets = await loadLogged()
      } catch (error) {
        // The API does not depend on the dashboard: say what failed, keep serving the rest.
        request.log.error({ err: error }, 'dashboard build failed')
        return reply
          .code(503)
          .header('retry-after', '60')
          .type('text/plain; charset=utf-8')
          .send(
            `The dashboard could not be built on this node (${(error as Error).message}).\n` +
              'The REST API works: see /docs.\n',
          )
      }
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
