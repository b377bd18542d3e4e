/**
 * When `mega node` rebuilds its bundle (an input newer than the build, or missing), and the
 * environment it runs the bundle with (src/cli/node-bundle.ts).
 */
import assert from 'node:assert/strict'
import { mkdirSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, describe, it } from 'node:test'
import {
  bundledNodeEnvironment,
  fallbackBundleDir,
  freshNodeBundle,
  inCodeUnitOrder,
  MALLOC_TUNABLE,
  PACKAGE_ROOT,
} from '../../../src/cli/node-bundle.ts'

const root = mkdtempSync(join(tmpdir(), 'mega-bundle-unit-'))
after(() => rmSync(root, { recursive: true, force: true }))

/** A package root with two sources and a bundle built at `builtAt` from them. */
function builtFrom(name: string, builtAt: number): { dir: string; pkg: string } {
  const pkg = join(root, name)
  const dir = join(pkg, 'dist', 'node')
  mkdirSync(join(pkg, 'src'), { recursive: true })
  mkdirSync(dir, { recursive: true })
  const before = new Date(builtAt - 60_000)
  for (const input of ['src/a.ts', 'package.json']) {
    writeFileSync(join(pkg, input), '')
    utimesSync(join(pkg, input), before, before)
  }
  writeFileSync(join(dir, 'mega.mjs'), '')
  writeFileSync(join(dir, 'manifest.json'), JSON.stringify({ builtAt, inputs: ['src/a.ts', 'package.json'] }))
  return { dir, pkg }
}

describe('freshNodeBundle', () => {
  const builtAt = Date.now() - 3_600_000

  it('is the bundle while every input is older than the build', () => {
    const { dir, pkg } = builtFrom('fresh', builtAt)
    assert.equal(freshNodeBundle(dir, pkg), join(dir, 'mega.mjs'))
  })

  it('is stale once an input changed after the build started', () => {
    const { dir, pkg } = builtFrom('edited', builtAt)
    const later = new Date(builtAt + 1_000)
    utimesSync(join(pkg, 'src/a.ts'), later, later)
    assert.equal(freshNodeBundle(dir, pkg), undefined)
  })

  it('is stale when an input is gone, and absent without a manifest or a bundle', () => {
    const gone = builtFrom('gone', builtAt)
    rmSync(join(gone.pkg, 'src/a.ts'))
    assert.equal(freshNodeBundle(gone.dir, gone.pkg), undefined)
    const noManifest = builtFrom('no-manifest', builtAt)
    rmSync(join(noManifest.dir, 'manifest.json'))
    assert.equal(freshNodeBundle(noManifest.dir, noManifest.pkg), undefined)
    const noBundle = builtFrom('no-bundle', builtAt)
    rmSync(join(noBundle.dir, 'mega.mjs'))
    assert.equal(freshNodeBundle(noBundle.dir, noBundle.pkg), undefined)
  })
})

describe('bundledNodeEnvironment', () => {
  it('adds the malloc threshold to the tunables and passes the compile cache on', () => {
    const env = bundledNodeEnvironment({ PATH: '/bin' }, '/tmp/cache')
    assert.deepEqual(env, { PATH: '/bin', GLIBC_TUNABLES: MALLOC_TUNABLE, NODE_COMPILE_CACHE: '/tmp/cache' })
    const more = bundledNodeEnvironment({ GLIBC_TUNABLES: 'glibc.malloc.arena_max=2' }, undefined)
    assert.equal(more.GLIBC_TUNABLES, `glibc.malloc.arena_max=2:${MALLOC_TUNABLE}`)
    assert.equal(more.NODE_COMPILE_CACHE, undefined)
  })

  it("keeps the user's own threshold and compile cache choices", () => {
    const own = { GLIBC_TUNABLES: 'glibc.malloc.mmap_threshold=131072', NODE_DISABLE_COMPILE_CACHE: '1' }
    assert.deepEqual(bundledNodeEnvironment(own, '/tmp/cache'), own)
  })
})

describe('fallbackBundleDir', () => {
  it('is beside the compile cache (else in the temporary directory), one per checkout', () => {
    const one = fallbackBundleDir('/var/cache/mega', '/opt/mega/')
    assert.match(one, /^\/var\/cache\/mega\/mega-node-[0-9a-f]{12}$/)
    assert.equal(fallbackBundleDir('/var/cache/mega', '/opt/mega/'), one)
    assert.notEqual(fallbackBundleDir('/var/cache/mega', '/srv/mega/'), one)
    assert.ok(fallbackBundleDir(undefined, '/opt/mega/').startsWith(tmpdir()))
  })
})

describe('inCodeUnitOrder', () => {
  /** The module's function `name` from transformed text, run as a plain script. */
  const run = (text: string, name: string) =>
    new Function(`${text}\nreturn ${name}`)() as (...args: never[]) => unknown

  it('sorts by a fixed order of code units, without the ICU collator', () => {
    const text = inCodeUnitOrder(
      'function byAddress(list) { return list.sort((a, b) => a.multiaddr.toString().localeCompare(b.multiaddr.toString())) }',
    )
    assert.doesNotMatch(text, /localeCompare/)
    const byAddress = run(text, 'byAddress') as (list: { multiaddr: string }[]) => { multiaddr: string }[]
    const addresses = [
      '/ip4/127.0.0.1/tcp/9001/ws',
      '/ip4/10.0.0.1/tcp/9000',
      '/ip4/127.0.0.1/tcp/9001',
      '/dns4/B',
    ]
    const sorted = byAddress(addresses.map((multiaddr) => ({ multiaddr }))).map((entry) => entry.multiaddr)
    assert.deepEqual(sorted, [
      '/dns4/B',
      '/ip4/10.0.0.1/tcp/9000',
      '/ip4/127.0.0.1/tcp/9001',
      '/ip4/127.0.0.1/tcp/9001/ws',
    ])
    const compare = run(
      inCodeUnitOrder('function compare(a, b) { return a.localeCompare(b) }'),
      'compare',
    ) as (a: string, b: string) => number
    assert.deepEqual(
      [compare('a', 'b'), compare('b', 'a'), compare('a', 'a'), compare('B', 'a')],
      [-1, 1, 0, -1],
    )
  })

  it('leaves a text without localeCompare as it is', () => {
    assert.equal(inCodeUnitOrder('export const a = 1\n'), 'export const a = 1\n')
  })

  it("leaves no localeCompare in the installed peer store's and peer record's modules", () => {
    const files = [
      'node_modules/@libp2p/peer-store/dist/src/utils/dedupe-addresses.js',
      'node_modules/@libp2p/peer-store/dist/src/utils/to-peer-pb.js',
      'node_modules/@libp2p/peer-record/dist/src/peer-record/utils.js',
    ]
    for (const file of files) {
      const text = readFileSync(join(PACKAGE_ROOT, file), 'utf8')
      assert.match(text, /\.localeCompare\(/, `${file} no longer calls localeCompare: update the list`)
      assert.doesNotMatch(inCodeUnitOrder(text), /\.localeCompare\(/, file)
    }
  })
})
