/**
 * The trader page's files, built by esbuild from `src/web-trader/` — like the dashboard's, on
 * first use and kept in memory by a node (route `/trader`), or written to a directory as a
 * static bundle any site can host (`npm run build:web`). Three files beside the page: `app.js`
 * (the page), `miner.js` (the mining Web Worker) and `style.css`; the page refers to them by
 * relative URLs, so the bundle works from any path.
 */
import { createHash } from 'node:crypto'
import {
  type Asset,
  asset,
  BROWSER_EXTERNALS,
  checkBrowserInputs,
  htmlPage,
  TARGET,
} from '../dashboard/index.ts'

export interface TraderAssets {
  /** Content hash of the bundle (hex, 16 chars). */
  hash: string
  /** The page for a node (`/trader`, assets under `/trader/`). */
  html: Asset
  /** The page of a static bundle (`index.html`, assets beside it). */
  staticHtml: Asset
  js: Asset
  worker: Asset
  css: Asset
  buildMs: number
}

/**
 * Content-Security-Policy of the page and its worker: scripts from this origin only (and the
 * WebAssembly mining kernel), but fetches anywhere — the trader talks to nodes and to oracle
 * endpoints of its choosing.
 */
export const TRADER_CSP =
  "default-src 'none'; script-src 'self' 'wasm-unsafe-eval'; worker-src 'self'; style-src 'self'; " +
  "img-src 'self' data:; connect-src *; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

const ENTRY = new URL('./main.tsx', import.meta.url).pathname
const WORKER = new URL('./miner-worker.ts', import.meta.url).pathname
const STYLE = new URL('./style.css', import.meta.url).pathname

/**
 * Budget of the whole bundle (page, worker, style), gzip-compressed: `npm run build:web` fails
 * above it. Most of it is the protocol core itself (schemas, curves, hashes), loaded once.
 */
export const TRADER_BUDGET_GZIP = 128 * 1024

let building: Promise<TraderAssets> | undefined

/** The built trader page; the first call builds it, later calls share the result. */
export function traderAssets(): Promise<TraderAssets> {
  building ??= buildTraderPage().catch((error: unknown) => {
    building = undefined
    throw error
  })
  return building
}

/** Builds the bundle now: page script, worker script and style sheet, minified. */
export async function buildTraderPage(): Promise<TraderAssets> {
  const started = performance.now()
  const { build } = await import('esbuild')
  const result = await build({
    entryPoints: { app: ENTRY, miner: WORKER, style: STYLE },
    bundle: true,
    minify: true,
    format: 'esm',
    target: TARGET,
    platform: 'browser',
    jsx: 'automatic',
    jsxImportSource: 'preact',
    outdir: 'trader',
    write: false,
    legalComments: 'none',
    logLevel: 'silent',
    external: [...BROWSER_EXTERNALS],
    metafile: true,
  })
  checkBrowserInputs(result.metafile)
  const output = (name: string) => {
    const file = result.outputFiles.find((f) => f.path.endsWith(`/trader/${name}`))
    if (!file) throw new Error(`esbuild produced no ${name}`)
    return Buffer.from(file.contents)
  }
  const js = output('app.js')
  const worker = output('miner.js')
  const css = output('style.css')
  const hash = createHash('sha256').update(js).update(worker).update(css).digest('hex').slice(0, 16)
  const html = 'text/html; charset=utf-8'
  return {
    hash,
    html: asset(html, Buffer.from(page(hash, 'trader/'))),
    staticHtml: asset(html, Buffer.from(page(hash, './'))),
    js: asset('text/javascript; charset=utf-8', js),
    worker: asset('text/javascript; charset=utf-8', worker),
    css: asset('text/css; charset=utf-8', css),
    buildMs: performance.now() - started,
  }
}

function page(hash: string, base: string): string {
  return htmlPage({
    title: 'Mega trader',
    base,
    hash,
    noscript: 'The trader page needs JavaScript: every check runs in your browser.',
  })
}
