/**
 * `npm run build:web [dir]`: writes the browser trader as a static bundle (default `dist/web`):
 * `index.html`, `app.js`, `miner.js`, `style.css`, each with its `.gz` and `.br` forms. Host the
 * directory anywhere; open `index.html?node=<node URL>` (the node must allow the page's origin,
 * oracle endpoints allow any by default). Prints the sizes against the budget.
 */
import { mkdir, writeFile } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import { buildTraderPage, TRADER_BUDGET_GZIP } from '../src/web-trader/assets.ts'

const dir = resolve(process.argv[2] ?? 'dist/web')
const assets = await buildTraderPage()
await mkdir(dir, { recursive: true })
const files = {
  'index.html': assets.staticHtml,
  'app.js': assets.js,
  'miner.js': assets.worker,
  'style.css': assets.css,
}
let gzip = 0
for (const [name, asset] of Object.entries(files)) {
  await writeFile(join(dir, name), asset.body)
  await writeFile(join(dir, `${name}.gz`), asset.gzip)
  await writeFile(join(dir, `${name}.br`), asset.brotli)
  gzip += asset.gzip.length
  console.log(
    `${name.padEnd(11)} ${String(asset.body.length).padStart(8)} B  gzip ${String(asset.gzip.length).padStart(7)} B  br ${String(asset.brotli.length).padStart(7)} B`,
  )
}
console.log(
  `total gzip ${gzip} B of the ${TRADER_BUDGET_GZIP} B budget; built in ${Math.round(assets.buildMs)} ms into ${dir}`,
)
if (gzip > TRADER_BUDGET_GZIP) process.exitCode = 1
