/**
 * The browser trader (`/trader` on a node, or `npm run build:web`): its page under this folder
 * and the build of its assets.
 *
 * @packageDocumentation
 */
export { TRADER_CSP, traderAssets } from './assets.ts'
