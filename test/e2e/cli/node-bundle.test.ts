/**
 * `mega node` runs from one bundled file (src/cli/node-bundle.ts): built from the sources,
 * rebuilt when one changes, run in the launcher's own process with the malloc threshold; what
 * the node loads by path at run time (a dependency's static files, the dashboard's sources
 * built on first request, a worker's script) still loads from where it is.
 */
import assert from 'node:assert/strict'
import { type ChildProcess, execFile, spawn } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { PassThrough } from 'node:stream'
import { after, describe, it } from 'node:test'
import { promisify } from 'node:util'
import { formatHelp } from '../../../src/cli/command.ts'
import { nodeCommand } from '../../../src/cli/commands/node.ts'
import { main } from '../../../src/cli/main.ts'
import {
  buildNodeBundle,
  freshNodeBundle,
  LAZY_BUILTINS,
  LAZY_PACKAGES,
  lazyBuiltins,
  lazyPackages,
  MALLOC_TUNABLE,
  NODE_BUNDLE_DIR,
  NODE_FLAGS,
  PACKAGE_ROOT,
} from '../../../src/cli/node-bundle.ts'

const MEGA = new URL('../../../bin/mega.js', import.meta.url).pathname
const temp = await mkdtemp(join(tmpdir(), 'mega-bundle-'))
const started = new Set<ChildProcess>()
after(async () => {
  for (const child of started) child.kill('SIGKILL')
  await rm(temp, { recursive: true, force: true })
})

/** Starts `mega node` through the launcher; resolves with the process and its REST URL. */
async function startNode(name: string, env: Record<string, string> = {}) {
  const child = spawn(
    process.execPath,
    [MEGA, 'node', '--data', join(temp, name), '--http', '127.0.0.1:0', '--p2p', '127.0.0.1:0'],
    { env: { ...process.env, MEGA_LOG_PRETTY: 'false', MEGA_LOG_LEVEL: 'info', ...env }, stdio: 'pipe' },
  )
  started.add(child)
  let output = ''
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no start in 60 s:\n${output}`)), 60_000)
    const read = (chunk: Buffer) => {
      output += chunk
      const match = /"url":"(http:\/\/127\.0\.0\.1:\d+)".*"msg":"node started"/.exec(output)
      if (match?.[1]) {
        clearTimeout(timer)
        resolve(match[1])
      }
    }
    child.stdout.on('data', read)
    child.stderr.on('data', read)
    child.on('exit', (code) => reject(new Error(`exited with ${code}:\n${output}`)))
  })
  const pid = child.pid as number
  const commandLine = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0')
  const environment = readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0')
  return { child, url, commandLine, environment }
}

async function stop(child: ChildProcess): Promise<void> {
  const exited = new Promise((resolve) => child.once('exit', resolve))
  child.kill('SIGTERM')
  await exited
  started.delete(child)
}

describe('the bundled node', () => {
  it('builds one ASCII file that runs, and lists the sources it was built from', async () => {
    const dir = join(temp, 'build')
    const bundle = await buildNodeBundle(dir)
    assert.equal(freshNodeBundle(dir), bundle)
    const text = await readFile(bundle)
    assert.ok(
      text.every((byte) => byte < 0x80),
      'one non-ASCII byte makes V8 hold the whole text in two bytes a character',
    )
    const manifest = JSON.parse(await readFile(join(dir, 'manifest.json'), 'utf8')) as { inputs: string[] }
    for (const input of [
      'src/node/node.ts',
      'src/cli/node-main.ts',
      'src/cli/node-bundle.ts',
      'package-lock.json',
    ])
      assert.ok(manifest.inputs.includes(input), input)
    assert.ok(!manifest.inputs.some((input) => input.includes('node_modules/typebox')))
    // The node command alone: the other commands' code is not held by every node.
    for (const other of ['src/cli/main.ts', 'src/cli/commands/trader/index.ts', 'src/cli/commands/devnet.ts'])
      assert.ok(!manifest.inputs.includes(other), other)
    // An ES import of node:http would load Node's undici (13 MiB of RSS) for its WebSocket getter.
    assert.doesNotMatch(text.toString(), /\bfrom\s*"(node:)?http"/)
    // Nor is any of the built-ins an idle node never uses imported when the bundle starts.
    const lazy = LAZY_BUILTINS.join('|')
    assert.doesNotMatch(text.toString(), new RegExp(`\\bfrom\\s*"(node:)?(${lazy})"`))
    for (const match of text.toString().matchAll(new RegExp(`__require\\("(node:)?(${lazy})"\\)`, 'g')))
      assert.match(text.toString().slice(match.index - 30, match.index), /loaded\d*\s*\?\?=\s*$/, match[0])
    // Nor the code of the packages it does not call (LAZY_PACKAGES): only their stand-ins; nor
    // light-my-request, which fastify requires on the first inject.
    const unused = [...Object.keys(LAZY_PACKAGES), 'light-my-request'].join('|')
    const lazyPackage = new RegExp(`\\{"(?!lazy-package)[^"]*/node_modules/(${unused})/`)
    const bundled = lazyPackage.exec(text.toString())
    assert.equal(
      bundled,
      null,
      `bundled: ${text.toString().slice(bundled?.index, (bundled?.index ?? 0) + 120)}`,
    )
    const { stdout } = await promisify(execFile)(process.execPath, [bundle, '--version'])
    assert.match(stdout, /^mega \d+\.\d+\.\d+\n$/)
  })

  it('loads the built-ins an idle node does not use on first use, and they work then', async () => {
    const dir = join(temp, 'lazy')
    const entry = join(temp, 'lazy-entry.mjs')
    await writeFile(
      entry,
      `import https from 'node:https'
const tls = require('node:tls')
const loaded = () => ['https', 'tls'].filter((name) => process.moduleLoadList.includes('NativeModule ' + name))
const before = loaded()
const agent = new https.Agent({ keepAlive: true })
console.log(JSON.stringify({ before, agent: agent instanceof https.Agent, request: typeof https.request,
  connect: typeof tls.connect, has: 'connect' in tls, keys: Object.keys(tls).includes('createSecureContext'), after: loaded() }))
`,
    )
    const { build } = await import('esbuild')
    await build({
      entryPoints: [entry],
      outfile: join(dir, 'lazy.mjs'),
      bundle: true,
      platform: 'node',
      format: 'esm',
      logLevel: 'silent',
      banner: {
        js: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);",
      },
      plugins: [lazyBuiltins],
    })
    const { stdout } = await promisify(execFile)(process.execPath, [join(dir, 'lazy.mjs')])
    assert.deepEqual(JSON.parse(stdout), {
      before: [],
      agent: true,
      request: 'function',
      connect: 'function',
      has: true,
      keys: true,
      after: ['https', 'tls'],
    })
  })

  it('loads the packages an idle node does not call on first use, and they answer as bundled', async () => {
    const dir = join(temp, 'lazy-packages')
    const entry = join(temp, 'lazy-packages-entry.mjs')
    const listed = join(temp, 'listed')
    await mkdir(listed)
    for (const file of ['a.json', 'b.json', 'c.txt']) await writeFile(join(listed, file), '')
    await writeFile(
      entry,
      `import { parse } from 'yaml'
import YAML from 'yaml'
import { mdns } from '@libp2p/mdns'
const mime = require('mime')
const { glob } = require('glob')
// As @fastify/static does at its top level, before any use.
mime.default_type = 'application/octet-stream'
const loaded = () => ['yaml', 'mime', 'glob'].filter((name) =>
  Object.keys(require.cache).some((path) => path.includes('/node_modules/' + name + '/')))
const before = loaded()
console.log(JSON.stringify({ before, default_type: mime.default_type, parsed: parse('a: [1, two]'),
  yaml: YAML.stringify({ b: 'c' }), css: mime.getType('x.css'), unknown: mime.getType('x.zzz') || mime.default_type,
  files: (await glob('*.json', { cwd: ${JSON.stringify(listed)} })).sort(), after: loaded(),
  mdns: typeof mdns() }))
`,
    )
    const { build } = await import('esbuild')
    await build({
      entryPoints: [entry],
      outfile: join(dir, 'lazy-packages.mjs'),
      bundle: true,
      platform: 'node',
      format: 'esm',
      logLevel: 'silent',
      nodePaths: [join(PACKAGE_ROOT, 'node_modules')],
      banner: {
        js: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);",
      },
      plugins: [lazyPackages],
    })
    const text = await readFile(join(dir, 'lazy-packages.mjs'), 'utf8')
    assert.doesNotMatch(text, /YAMLMap|class Mime|minimatch/, "the packages' code is not in the bundle")
    const { stdout } = await promisify(execFile)(process.execPath, [join(dir, 'lazy-packages.mjs')])
    assert.deepEqual(JSON.parse(stdout), {
      before: [],
      default_type: 'application/octet-stream',
      parsed: { a: [1, 'two'] },
      yaml: 'b: c\n',
      css: 'text/css',
      unknown: 'application/octet-stream',
      files: ['a.json', 'b.json'],
      after: ['yaml', 'mime', 'glob'],
      mdns: 'function',
    })
  })

  it('mega node --help and a bad option answer as from the full command line', async () => {
    const run = (args: string[]) =>
      promisify(execFile)(process.execPath, [MEGA, ...args]).catch(
        (error: { stdout: string; stderr: string; code: number }) => error,
      )
    const help = await run(['node', '--help'])
    assert.equal(help.stdout, formatHelp(nodeCommand))
    const bad = (await run(['node', '--bogus'])) as { stderr: string; code: number }
    const { stderr, code } = await (async () => {
      const io = { stdout: new PassThrough(), stderr: new PassThrough(), stdin: process.stdin }
      let text = ''
      io.stderr.on('data', (chunk) => (text += chunk))
      const exit = await main(['node', '--bogus'], io as never)
      return { stderr: text, code: exit }
    })()
    assert.equal(bad.code, code)
    assert.equal(bad.stderr, stderr)
  })

  it('mega node runs the bundle in its own process, and serves what it loads by path', async () => {
    const { child, url, commandLine, environment } = await startNode('bundled')
    assert.equal(freshNodeBundle(), join(NODE_BUNDLE_DIR, 'mega.mjs'), 'built by the first start')
    assert.deepEqual(commandLine.slice(1, NODE_FLAGS.length + 2), [
      ...NODE_FLAGS,
      join(NODE_BUNDLE_DIR, 'mega.mjs'),
    ])
    // The node's own collections (src/node/heap.ts) take V8's gc from the flag, not a context.
    assert.ok(commandLine.includes('--expose-gc'), commandLine.join(' '))
    assert.ok(environment.includes(`GLIBC_TUNABLES=${MALLOC_TUNABLE}`), environment.join(' '))
    assert.equal((await fetch(`${url}/health`)).status, 200)
    // A CommonJS dependency's static file, found through its own __dirname.
    const logo = await fetch(`${url}/docs/static/logo.svg`)
    assert.equal(logo.status, 200)
    assert.match(await logo.text(), /<svg/)
    // The document as YAML, through the yaml package loaded on this first use.
    const yaml = await fetch(`${url}/docs/yaml`)
    assert.equal(yaml.status, 200)
    assert.match(await yaml.text(), /^openapi: 3\.1\.0\n/)
    // The dashboard, built on first request by esbuild from sources found by import.meta.url.
    const dashboard = await fetch(`${url}/dashboard/app.js`)
    assert.equal(dashboard.status, 200)
    assert.ok((await dashboard.text()).length > 10_000)
    await stop(child)
  })

  it('MEGA_BUNDLE=0 runs the node from the sources', async () => {
    const { child, url, commandLine, environment } = await startNode('sources', { MEGA_BUNDLE: '0' })
    assert.equal(commandLine[1], MEGA)
    assert.ok(!environment.some((variable) => variable.startsWith('GLIBC_TUNABLES=')))
    assert.equal((await fetch(`${url}/health`)).status, 200)
    await stop(child)
  })
})
