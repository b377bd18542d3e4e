/**
 * `mega node` runs from one bundled file, `dist/node/mega.mjs`, built from `src/cli/node-main.ts` by
 * esbuild and rebuilt when a source it was built from has changed. An idle node loaded ~2,000
 * modules (typebox alone 683), each kept with its source text, module record and namespace:
 * one file, whitespace removed, holds 19 MiB less heap. Names are kept, so stack traces still
 * say which function threw. Paths stay those of the sources: every `import.meta.url` (and a
 * CommonJS file's `__dirname`) is that of the file it is written in, so assets, worker scripts
 * and native modules load from where they are, as when run unbundled.
 *
 * The bundle is fresh when no input (our sources, `package.json`, the lock files an install
 * rewrites) is newer than the build; bin/mega.js checks this on each `mega node`, then replaces
 * its process with the bundle's (`process.execve`: same pid; see {@link execBundledNode}).
 */
import { createHash } from 'node:crypto'
import {
  accessSync,
  constants,
  mkdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'

/** The package's root directory. */
export const PACKAGE_ROOT = fileURLToPath(new URL('../../', import.meta.url))
/** Where `mega node`'s bundle is written. */
export const NODE_BUNDLE_DIR = join(PACKAGE_ROOT, 'dist', 'node')
const BUNDLE = 'mega.mjs'
const MANIFEST = 'manifest.json'
/** Files that decide the bundle besides the sources esbuild reads (relative to the root). */
const ALWAYS_INPUTS = [
  'package.json',
  'package-lock.json',
  'node_modules/.package-lock.json',
  'src/cli/node-bundle.ts',
]
/**
 * Packages left out: native code, esbuild itself, pretty logs' transport (a worker), and
 * light-my-request, which fastify requires on the first `inject` (tests, never the node).
 */
const EXTERNAL = ['esbuild', 'sodium-native', 'bcrypto', 'tiny-secp256k1', 'pino-pretty', 'light-my-request']

interface Manifest {
  /** When the build started (ms since the epoch): an input changed after it makes it stale. */
  builtAt: number
  /** Inputs, relative to the package root. */
  inputs: string[]
}

/** The bundle's path if it exists and no input changed since it was built. */
export function freshNodeBundle(
  dir: string = NODE_BUNDLE_DIR,
  root: string = PACKAGE_ROOT,
): string | undefined {
  let manifest: Manifest
  try {
    manifest = JSON.parse(readFileSync(join(dir, MANIFEST), 'utf8')) as Manifest
    statSync(join(dir, BUNDLE))
  } catch {
    return undefined
  }
  for (const input of manifest.inputs) {
    const modified = statSync(join(root, input), { throwIfNoEntry: false })?.mtimeMs
    if (modified === undefined || modified >= manifest.builtAt) return undefined
  }
  return join(dir, BUNDLE)
}

/** Builds the bundle into `dir` (written aside, then renamed: a reader never sees half a file). */
export async function buildNodeBundle(
  dir: string = NODE_BUNDLE_DIR,
  root: string = PACKAGE_ROOT,
): Promise<string> {
  const builtAt = Date.now()
  const { build } = await import('esbuild')
  mkdirSync(dir, { recursive: true })
  accessSync(dir, constants.W_OK) // EACCES here, rather than esbuild's own error on writing
  const temporary = join(dir, `${BUNDLE}.${process.pid}.tmp`)
  try {
    const result = await build({
      absWorkingDir: root,
      entryPoints: [join(root, 'src', 'cli', 'node-main.ts')],
      outfile: temporary,
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node24',
      minifyWhitespace: true,
      minifySyntax: true,
      // A non-ASCII byte in a licence comment would make V8 hold the whole text in two bytes a
      // character; the comments go to a file of their own.
      legalComments: 'external',
      metafile: true,
      logLevel: 'silent',
      // `require` of the CommonJS files that name a module at run time, resolved as from bin/.
      banner: {
        js: `import { createRequire as __megaRequire } from 'node:module'; const require = __megaRequire(${JSON.stringify(pathToFileURL(join(root, 'bin', 'mega.ts')).href)});`,
      },
      plugins: [externalByPath, httpByRequire, lazyBuiltins, lazyPackages, keepSourcePaths],
    })
    renameSync(temporary, join(dir, BUNDLE))
    renameSync(`${temporary}.LEGAL.txt`, join(dir, `${BUNDLE}.LEGAL.txt`))
    const inputs = [
      ...ALWAYS_INPUTS.filter((input) => statSync(join(root, input), { throwIfNoEntry: false })),
      ...Object.keys(result.metafile.inputs).filter(
        // Not the installed packages (the lock files stand for them), nor a plugin's own modules
        // (`namespace:path`, no file).
        (input) => !input.split('/').includes('node_modules') && !/^[a-z-]+:/.test(input),
      ),
    ]
    const manifest: Manifest = { builtAt, inputs: [...new Set(inputs)] }
    writeFileSync(`${temporary}.manifest`, JSON.stringify(manifest))
    renameSync(`${temporary}.manifest`, join(dir, MANIFEST))
    return join(dir, BUNDLE)
  } finally {
    rmSync(temporary, { force: true })
    rmSync(`${temporary}.LEGAL.txt`, { force: true })
  }
}

/**
 * Resolves an import as esbuild would without `plugin`, whose own resolution it marks so that
 * `plugin` is not asked again (`undefined` when this is that inner resolution).
 */
async function resolveOnce(
  build: import('esbuild').PluginBuild,
  args: import('esbuild').OnResolveArgs,
  plugin: string,
): Promise<import('esbuild').ResolveResult | undefined> {
  if (args.pluginData === plugin) return undefined
  const { kind, resolveDir, importer } = args
  return build.resolve(args.path, { kind, resolveDir, importer, pluginData: plugin })
}

/**
 * The packages left out ({@link EXTERNAL}) are imported by their resolved path, so that the
 * bundle finds them wherever it is written.
 */
const externalByPath = {
  name: 'external-by-path',
  setup(build: import('esbuild').PluginBuild) {
    const names = new RegExp(`^(${EXTERNAL.join('|')})$`)
    build.onResolve({ filter: names }, async (args) => {
      const found = await resolveOnce(build, args, 'external-by-path')
      if (!found) return undefined
      if (found.errors.length > 0) return { errors: found.errors }
      return { path: found.path, external: true }
    })
  },
}

/**
 * `node:http` imported by an `import` statement is loaded by `require` instead. Node builds an
 * ES module's view of a built-in from all of its exports, and `http`'s include getters for
 * `WebSocket`, `CloseEvent` and `MessageEvent`, so the view loads Node's bundled undici (fetch,
 * WebSocket: 13 MiB of RSS in a bare Node process) that the node never uses; `require` returns
 * the same module without reading them.
 */
const httpByRequire = {
  name: 'http-by-require',
  setup(build: import('esbuild').PluginBuild) {
    build.onResolve({ filter: /^(node:)?http$/ }, (args) =>
      args.kind === 'import-statement' ? { path: 'node:http', namespace: 'http-by-require' } : undefined,
    )
    build.onLoad({ filter: /.*/, namespace: 'http-by-require' }, () => ({
      contents: "module.exports = require('node:http')",
      loader: 'js',
    }))
  },
}

/**
 * Built-in modules that an idle node does not use, loaded on their first use instead of when the
 * bundle starts: `http2` and `https` (fastify's server options, `ws` and libp2p's WebSockets
 * for `wss:`, an oracle's `https:` endpoint), `tls` (their encryption), `cluster` (prom-client's
 * aggregator, which loads `child_process`), `zlib` (WebSocket compression, the dashboard's
 * compressed assets) and `dgram` (mDNS). Loading them took 4.7 MiB of RSS in a bare Node process
 * (http2 alone 3.6 MiB, tls and https 2.6 MiB); in a network of idle nodes, 2 MiB less RSS per
 * node. Each is a proxy that loads the module when a property is first read (a function called,
 * a class constructed). An `import` statement may take only the default export: a named import would
 * need the module's names before it is loaded, and fails the build.
 */
export const LAZY_BUILTINS = ['http2', 'https', 'tls', 'cluster', 'zlib', 'dgram']

export const lazyBuiltins = {
  name: 'lazy-builtins',
  setup(build: import('esbuild').PluginBuild) {
    const names = new RegExp(`^(node:)?(${LAZY_BUILTINS.join('|')})$`)
    build.onResolve({ filter: names }, (args) => {
      const name = args.path.replace(/^node:/, '')
      // The proxy's own `require` of the module, and a dynamic import (lazy already).
      if (args.namespace.startsWith('lazy-builtin') || args.kind === 'dynamic-import')
        return { path: `node:${name}`, external: true }
      return {
        path: name,
        namespace: args.kind === 'import-statement' ? 'lazy-builtin-esm' : 'lazy-builtin-cjs',
      }
    })
    const proxy = (name: string) => `let loaded
const load = () => (loaded ??= require(${JSON.stringify(`node:${name}`)}))
const lazy = new Proxy({}, {
  get: (_, key) => load()[key],
  set: (_, key, value) => Reflect.set(load(), key, value),
  has: (_, key) => key in load(),
  ownKeys: () => Reflect.ownKeys(load()),
  getOwnPropertyDescriptor: (_, key) => {
    const own = Reflect.getOwnPropertyDescriptor(load(), key)
    return own && { ...own, configurable: true }
  },
})
`
    build.onLoad({ filter: /.*/, namespace: 'lazy-builtin-esm' }, (args) => ({
      contents: `${proxy(args.path)}export default lazy\n`,
      loader: 'js',
    }))
    build.onLoad({ filter: /.*/, namespace: 'lazy-builtin-cjs' }, (args) => ({
      contents: `${proxy(args.path)}module.exports = lazy\n`,
      loader: 'js',
    }))
  },
}

/**
 * Packages in the bundle that an idle node never calls, loaded from `node_modules` on their first
 * use instead: their code leaves the bundle's text, which V8 keeps whole for the life of the
 * process, and their top level does not run at start (557 kB of 3.5 MB):
 * - `yaml`: the OpenAPI document as YAML, which @fastify/swagger and Swagger UI serve on request;
 *   an oracle's YAML fact file;
 * - `mime`: @fastify/send's content types, read on the first static file served;
 * - `glob`: @fastify/static lists a directory to register a route per file only with
 *   `wildcard: false`, which the node never asks;
 * - `@opentelemetry/api`: prom-client's exemplars, off;
 * - `@chainsafe/as-sha256`: Noise's WebAssembly SHA-256, instantiated at import, which Noise's
 *   Node crypto never calls (it hashes with `node:crypto`);
 * - `cborg`: @libp2p/utils' mock muxer, for tests;
 * - `@libp2p/mdns` and its DNS packet code: `network.mdns`, off by default.
 *
 * Each maps to the functions its users take when they load it (`const { glob } = require('glob')`,
 * `import { parse } from 'yaml'`), which the bundle gives as stand-ins that load the package when
 * called; any other property of the module loads it when read. An `import` statement may take only
 * those functions or the default export: another name fails the build.
 */
export const LAZY_PACKAGES: Readonly<Record<string, readonly string[]>> = {
  yaml: ['parse'],
  mime: [],
  glob: ['glob'],
  '@opentelemetry/api': [],
  '@chainsafe/as-sha256': ['digest'],
  cborg: ['encode', 'decode'],
  '@libp2p/mdns': ['mdns'],
}

/**
 * The module that stands for a {@link LAZY_PACKAGES} package (at `path`) until its first use, as
 * CommonJS (`require`) or as an ES module (`import`).
 */
export function lazyPackageModule(path: string, functions: readonly string[], format: 'cjs' | 'esm'): string {
  const standIn = (name: string) =>
    `${JSON.stringify(name)}: (...args) => load()[${JSON.stringify(name)}](...args)`
  // A property assigned before the first use (`send.mime.default_type = …` in @fastify/static's
  // top level) is kept and assigned to the package when it loads.
  const lazy = `let loaded
const assigned = new Map()
const load = () => {
  if (loaded) return loaded
  loaded = require(${JSON.stringify(path)})
  for (const [key, value] of assigned) loaded[key] = value
  return loaded
}
const standIns = { ${functions.map(standIn).join(', ')} }
const lazy = new Proxy({}, {
  get: (_, key) =>
    Object.hasOwn(standIns, key) ? standIns[key] : !loaded && assigned.has(key) ? assigned.get(key) : load()[key],
  set: (_, key, value) => (loaded ? Reflect.set(loaded, key, value) : (assigned.set(key, value), true)),
  has: (_, key) => key in load(),
  ownKeys: () => Reflect.ownKeys(load()),
  getOwnPropertyDescriptor: (_, key) => {
    const own = Reflect.getOwnPropertyDescriptor(load(), key)
    return own && { ...own, configurable: true }
  },
})
`
  if (format === 'cjs') return `${lazy}module.exports = lazy\n`
  const named = functions.map((name) => `export const ${name} = standIns.${name}\n`).join('')
  return `${lazy}export default lazy\n${named}`
}

export const lazyPackages = {
  name: 'lazy-packages',
  setup(build: import('esbuild').PluginBuild) {
    const names = new RegExp(`^(${Object.keys(LAZY_PACKAGES).join('|')})$`)
    build.onResolve({ filter: names }, async (args) => {
      const found = await resolveOnce(build, args, 'lazy-packages')
      if (!found) return undefined
      if (found.errors.length > 0) return { errors: found.errors }
      const format = args.kind === 'import-statement' ? 'esm' : 'cjs'
      return { path: found.path, namespace: `lazy-package-${format}`, pluginData: args.path }
    })
    for (const format of ['cjs', 'esm'] as const) {
      // The stand-in's own `require` of the package, at run time.
      build.onResolve({ filter: /.*/, namespace: `lazy-package-${format}` }, (args) => ({
        path: args.path,
        external: true,
      }))
      build.onLoad({ filter: /.*/, namespace: `lazy-package-${format}` }, (args) => ({
        contents: lazyPackageModule(args.path, LAZY_PACKAGES[args.pluginData as string] ?? [], format),
        loader: 'js',
      }))
    }
  },
}

/**
 * libp2p's peer store sorts addresses, protocols and metadata keys by `localeCompare` to store a
 * peer in a canonical order (and to compare two address lists). The first call makes V8 build
 * ICU's collator, reading the collation data of every locale it has: 2 MiB more RSS per node
 * (a network of 10 idle nodes, 99 against 101 MiB). Any fixed total order serves, so these
 * packages compare UTF-16 code units instead; the order never leaves the node.
 */
const CODE_UNIT_ORDER = /node_modules\/@libp2p\/(peer-store|peer-record)\//
const LOCALE_COMPARE = /([\w$.]+(?:\.toString\(\))?)\.localeCompare\(([\w$.]+(?:\.toString\(\))?)\)/g

/** `a.localeCompare(b)` in `text` as `compareCodeUnits(a, b)`, with that function declared. */
export function inCodeUnitOrder(text: string): string {
  if (!text.includes('.localeCompare(')) return text
  const compared = text.replace(LOCALE_COMPARE, 'compareCodeUnits($1, $2)')
  return `${compared}\nfunction compareCodeUnits(a, b) { return a < b ? -1 : a > b ? 1 : 0 }\n`
}

/**
 * Each module keeps its own location: `import.meta.url`/`dirname`/`filename` become the source
 * file's, and a CommonJS file (no `import`/`export` statement) gets its own `__dirname` and
 * `__filename` (esbuild wraps each such file in a function, so these stay local to it).
 */
const keepSourcePaths = {
  name: 'keep-source-paths',
  setup(build: import('esbuild').PluginBuild) {
    build.onLoad({ filter: /\.(m?js|cjs|ts)$/ }, (args) => {
      let text = readFileSync(args.path, 'utf8')
      if (CODE_UNIT_ORDER.test(args.path)) text = inCodeUnitOrder(text)
      if (text.includes('import.meta.')) {
        text = text
          .replaceAll('import.meta.url', JSON.stringify(pathToFileURL(args.path).href))
          .replaceAll('import.meta.dirname', JSON.stringify(dirname(args.path)))
          .replaceAll('import.meta.filename', JSON.stringify(args.path))
      }
      if (/\b__(dirname|filename)\b/.test(text) && !/^\s*(import|export)[\s{*]/m.test(text)) {
        // After a `#!` line and a 'use strict' directive, which must stay first.
        const prologue = /^(#!.*\n)?(\s*(['"])use strict\3;?)?/.exec(text)?.[0] ?? ''
        const paths = `var __dirname = ${JSON.stringify(dirname(args.path))}, __filename = ${JSON.stringify(args.path)};`
        text = `${prologue}\n${paths}${text.slice(prologue.length)}`
      }
      return { contents: text, loader: args.path.endsWith('.ts') ? 'ts' : 'js' }
    })
  },
}

/**
 * Node.js flags of a node process (docs/performance-notes.md, idle cost):
 * - `--max-semi-space-size=1`: V8 may grow its young generation to 2 × 32 MiB during startup
 *   and keep it (~60 MiB of RSS an idle node never uses: a node started alone measured 220 MiB
 *   of RSS, 158 MiB with a cap of 2 MiB). A cap of 1 MiB took 0.7 MiB more off in a network of
 *   10 idle nodes (91.9 against 92.7 MiB), with the same idle, admission and sync CPU.
 * - `--invocation-count-for-maglev=1500` (V8's default: 400): V8's middle tier compiled ~500
 *   functions that ran a few hundred times while the node started and joined its peers, and kept
 *   their code (and the pages of its compiler) for good. Code run more often still reaches it,
 *   and hot code TurboFan. In a network of 10 idle nodes, 96 against 97.5 MiB of RSS per node,
 *   idle CPU the same within the runs' spread. Maglev off altogether (`--no-maglev`) took
 *   2 MiB more off but cost idle CPU (0.72% of a core against 0.58–0.62%): code run every second
 *   stayed in the baseline tier.
 * - `--invocation-count-for-feedback-allocation=100` (V8's default: 8): V8 gives a function its
 *   feedback vector (the type feedback its inline caches collect), and queues it for its baseline
 *   compiler, after that many calls. Most of the functions a node runs at start and on its first
 *   connections ran a few dozen times and kept both for good: 2.1 MiB less RSS per node in a
 *   network of 10 idle nodes (92.7 against 94.8 MiB), admission CPU the same; idle CPU 0.01–0.02
 *   point higher (what runs a few times a minute stays in the interpreter without feedback for
 *   longer). Code run more often gets both after 100 calls (hot loops sooner, by the bytecode
 *   they run).
 * - `--expose-gc`: V8's `gc` function, for the node's own collections (src/node/heap.ts), which
 *   otherwise takes it from a V8 context of its own, kept for the life of the process: 1.0–1.6
 *   MiB less RSS per node in networks of 10 idle nodes (four runs), for 0.02 point more idle CPU
 *   (cause not found; docs/performance-notes.md).
 */
export const NODE_FLAGS: readonly string[] = [
  '--max-semi-space-size=1',
  '--invocation-count-for-maglev=1500',
  '--invocation-count-for-feedback-allocation=100',
  '--expose-gc',
]

/**
 * glibc's malloc serves requests of 32 KiB and more with their own mappings, returned to the
 * system when freed. Compiling the bundle at start-up takes ~20 MiB in V8's compiler zones
 * (segments of up to 32 KiB), and freed among live allocations they stayed in malloc's heap for
 * good: 21 MiB of an idle node's RSS. Below the default threshold (128 KiB, which glibc raises
 * further as large blocks are freed) they do; with it they go back. Only for `mega node`.
 */
export const MALLOC_TUNABLE = 'glibc.malloc.mmap_threshold=32768'

/** The environment of the bundled node process. */
export function bundledNodeEnvironment(
  env: NodeJS.ProcessEnv,
  compileCache: string | undefined,
): NodeJS.ProcessEnv {
  const tunables = env.GLIBC_TUNABLES ?? ''
  const next: NodeJS.ProcessEnv = {
    ...env,
    // Set by the user, their threshold stays.
    GLIBC_TUNABLES: tunables.includes('mmap_threshold')
      ? tunables
      : [tunables, MALLOC_TUNABLE].filter(Boolean).join(':'),
  }
  // The launcher's compile cache, for the bundle and the worker threads' TypeScript sources.
  if (compileCache && next.NODE_COMPILE_CACHE === undefined && next.NODE_DISABLE_COMPILE_CACHE === undefined)
    next.NODE_COMPILE_CACHE = compileCache
  return next
}

/**
 * Where the bundle goes when the package's directory is read-only (a service's `ProtectSystem`,
 * a container's root-owned checkout): next to the compile cache, or in the temporary directory;
 * named after the package's root, so that two checkouts never take each other's bundle.
 */
export function fallbackBundleDir(compileCache: string | undefined, root: string = PACKAGE_ROOT): string {
  const checkout = createHash('sha256').update(root).digest('hex').slice(0, 12)
  return join(compileCache ?? tmpdir(), `mega-node-${checkout}`)
}

/** A fresh bundle: the one in the package, in the fallback directory, or a new build. */
async function bundleFor(compileCache: string | undefined, onBuild?: () => void): Promise<string> {
  const fallback = fallbackBundleDir(compileCache)
  const fresh = freshNodeBundle() ?? freshNodeBundle(fallback)
  if (fresh) return fresh
  onBuild?.()
  try {
    return await buildNodeBundle()
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    if (code !== 'EACCES' && code !== 'EROFS' && code !== 'EPERM') throw error
    return await buildNodeBundle(fallback)
  }
}

let ensured: Promise<unknown> | undefined

/**
 * Builds the bundle unless fresh, once per process: for a parent about to start several nodes
 * (`mega devnet`), which would otherwise each build it. A failure is left to each node.
 */
export function ensureNodeBundle(): Promise<unknown> {
  ensured ??= Promise.resolve()
    .then(() => bundleFor(undefined))
    .catch((error: unknown) => {
      process.stderr.write(`mega: could not bundle the node (${reasonOf(error)}); each node tries again\n`)
    })
  return ensured
}

/**
 * Replaces this process with the bundled `mega node` (built first if missing or stale), with
 * {@link NODE_FLAGS} and {@link MALLOC_TUNABLE}: same pid, stdio and arguments. Returns (and the
 * caller runs from the sources) when `MEGA_BUNDLE=0`, when Node cannot replace a process
 * (Windows), or when the build fails (a read-only install): the node then works as before, with
 * more memory.
 */
export async function execBundledNode(compileCache: string | undefined): Promise<void> {
  if (process.env.MEGA_BUNDLE === '0' || typeof process.execve !== 'function') return
  let bundle: string
  try {
    bundle = await bundleFor(compileCache, () =>
      process.stderr.write('mega: bundling the node (first start after a change, a few seconds)\n'),
    )
  } catch (error) {
    process.stderr.write(`mega: could not bundle the node (${reasonOf(error)}); running from the sources\n`)
    return
  }
  const flags = [...NODE_FLAGS.filter((flag) => !process.execArgv.includes(flag)), ...process.execArgv]
  const args = [...flags, bundle, ...process.argv.slice(2)]
  try {
    process.execve(
      process.execPath,
      [process.execPath, ...args],
      bundledNodeEnvironment(process.env, compileCache),
    )
  } catch (error) {
    process.stderr.write(`mega: could not start the bundle (${reasonOf(error)}); running from the sources\n`)
  }
}

/** One line about a failed build (esbuild's first error) or start. */
function reasonOf(error: unknown): string {
  const first = (error as { errors?: { text: string }[] }).errors?.[0]?.text
  return first ?? (error instanceof Error ? error.message : String(error))
}
