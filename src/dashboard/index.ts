/**
 * The dashboard: its Preact UI under `ui/` (bundled for the browser) and the esbuild build that
 * makes its assets, which the trader page reuses. What the node serves is built here.
 *
 * @packageDocumentation
 */
export { type Asset, asset, type DashboardAssets, dashboardAssets, htmlPage, TARGET } from './assets.ts'
export { BROWSER_EXTERNALS, checkBrowserInputs } from './browser-inputs.ts'
