/**
 * The dashboard: `GET /` (the page), `GET /dashboard/app.js` and `GET /dashboard/style.css`,
 * built once per process from `src/dashboard/ui/` (see `src/dashboard/assets.ts`). The page is
 * revalidated by ETag; the assets carry the bundle's hash in their URL and are cached for good.
 * A strict Content-Security-Policy allows nothing but this origin: the dashboard talks only to
 * the node's own REST API.
 */
import type { FastifyInstance } from 'fastify'
import { type DashboardAssets, dashboardAssets } from '../../dashboard/index.ts'
import { builtAssets, IMMUTABLE } from './built-assets.ts'

export const DASHBOARD_CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
  "base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

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
  // The API does not depend on the dashboard: a failed build is a 503, the rest keeps serving.
  const serve = builtAssets({
    load: loadLogged,
    what: 'dashboard',
    csp: DASHBOARD_CSP,
    hint: 'The REST API works: see /docs.\n',
  })
  const hidden = { schema: { hide: true } }
  app.get(
    '/',
    hidden,
    serve((a) => a.html, 'no-cache'),
  )
  app.get(
    '/dashboard/app.js',
    hidden,
    serve((a) => a.js, IMMUTABLE),
  )
  app.get(
    '/dashboard/style.css',
    hidden,
    serve((a) => a.css, IMMUTABLE),
  )
}
