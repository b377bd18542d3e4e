/**
 * The dashboard's files, built from `src/dashboard/ui/` by esbuild the first time a node serves
 * them (tens of milliseconds), then kept in memory for the life of the process with their gzip
 * and brotli forms and a content hash. esbuild's service process (≈ 16 MB, woken by its
 * keep-alive pings) is stopped once the build is done, and a node nobody visits never starts it. No build step, no generated files in the repository,
 * and what is served always matches the source.
 */
import { createHash } from 'node:crypto'
// The module itself, not named exports: `mega node`'s bundle loads it on first use (see
// LAZY_BUILTINS in src/cli/node-bundle.ts).
import zlib from 'node:zlib'
import { BROWSER_EXTERNALS, checkBrowserInputs } from './browser-inputs.ts'

/** One file as served: its bytes, compressed forms and media type. */
export interface Asset {
  type: string
  body: Buffer
  gzip: Buffer
  brotli: Buffer
}

export interface DashboardAssets {
  /** Content hash of the bundle (hex, 16 chars): the assets' `?v=` and the page's ETag. */
  hash: string
  html: Asset
  js: Asset
  css: Asset
  /** Milliseconds the build took. */
  buildMs: number
}

const ENTRY = new URL('./ui/main.tsx', import.meta.url).pathname
const STYLE = new URL('./ui/style.css', import.meta.url).pathname

/** Browsers the bundle targets: evergreen ones of the last few years (ES2022, CSS nesting-free). */
export const TARGET = ['chrome109', 'firefox115', 'safari16']

let building: Promise<DashboardAssets> | undefined
/** Builds under way (tests may run several): esbuild's service stops when the last one ends. */
let builds = 0

/** The built dashboard; the first call builds it, later calls share the result. */
export function dashboardAssets(): Promise<DashboardAssets> {
  building ??= buildDashboard().catch((error: unknown) => {
    building = undefined // let a later request try again
    throw error
  })
  return building
}

/** Builds the bundle now (no cache): the entry script and the style sheet, minified. */
export async function buildDashboard(): Promise<DashboardAssets> {
  const started = performance.now()
  // Imported on demand: a node that never serves the dashboard never loads esbuild.
  const { build, stop } = await import('esbuild')
  builds++
  const result = await build({
    entryPoints: { app: ENTRY, style: STYLE },
    bundle: true,
    minify: true,
    format: 'esm',
    target: TARGET,
    jsx: 'automatic',
    jsxImportSource: 'preact',
    outdir: 'dashboard',
    write: false,
    legalComments: 'none',
    logLevel: 'silent',
    external: [...BROWSER_EXTERNALS],
    metafile: true,
  }).finally(() => {
    if (--builds === 0) void stop()
  })
  checkBrowserInputs(result.metafile)
  const output = (name: string) => {
    const file = result.outputFiles.find((f) => f.path.endsWith(`/dashboard/${name}`))
    if (!file) throw new Error(`esbuild produced no ${name}`)
    return Buffer.from(file.contents)
  }
  const js = output('app.js')
  const css = output('style.css')
  const hash = createHash('sha256').update(js).update(css).digest('hex').slice(0, 16)
  return {
    hash,
    html: asset('text/html; charset=utf-8', Buffer.from(page(hash))),
    js: asset('text/javascript; charset=utf-8', js),
    css: asset('text/css; charset=utf-8', css),
    buildMs: performance.now() - started,
  }
}

/** `body` with its gzip and brotli forms (shared with the trader page's build). */
export function asset(type: string, body: Buffer): Asset {
  return {
    type,
    body,
    gzip: zlib.gzipSync(body, { level: 9 }),
    brotli: zlib.brotliCompressSync(body, {
      params: {
        [zlib.constants.BROTLI_PARAM_QUALITY]: 11,
        [zlib.constants.BROTLI_PARAM_SIZE_HINT]: body.length,
      },
    }),
  }
}

/**
 * The HTML shell of a built page (shared with the trader page's build): the stylesheet and the
 * module at `base` with the bundle's hash, and what to say without JavaScript.
 */
export function htmlPage(init: { title: string; base: string; hash: string; noscript: string }): string {
  const { title, base, hash, noscript } = init
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<title>${title}</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="${base}style.css?v=${hash}">
<script type="module" src="${base}app.js?v=${hash}"></script>
</head>
<body>
<div id="app"><noscript>${noscript}</noscript></div>
</body>
</html>
`
}

function page(hash: string): string {
  return htmlPage({
    title: 'Mega node',
    base: '/dashboard/',
    hash,
    noscript: 'The dashboard needs JavaScript; the REST API is at <a href="/docs">/docs</a>.',
  })
}
