/**
 * The browser trader: `GET /trader` (the page), `GET /trader/app.js`, `/trader/miner.js` and
 * `/trader/style.css`, built once per process from `src/web-trader/` (see its assets.ts). Keys,
 * checks and mining stay in the visitor's browser; the node only serves the files.
 */
import type { FastifyInstance } from 'fastify'
import { TRADER_CSP, traderAssets } from '../../web-trader/index.ts'
import { builtAssets, IMMUTABLE } from './built-assets.ts'

export async function traderPageRoutes(app: FastifyInstance): Promise<void> {
  const serve = builtAssets({ load: traderAssets, what: 'trader page', csp: TRADER_CSP })
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
