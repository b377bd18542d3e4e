/**
 * When `mega node` rebuilds its bundle (an input newer than the build, or missing), and the
 * environment it runs the bundle with (src/cli/node-bundle.ts).
 */
import assert from 'node:assert/strict'
import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, describe, it } from 'node:test'
import {
  bundledNodeEnvironment,
  fallbackBundleDir,
  freshNodeBundle,
  MALLOC_TUNABLE,
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
