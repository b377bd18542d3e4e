/**
 * The `mega` launcher (bin/mega.js) turns Node's compile cache on before any TypeScript loads, so
 * that a process started with a warm cache never loads Node's TypeScript stripper (≈ 22 MiB of
 * RSS kept by every node).
 */
import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { mkdir, mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, describe, it } from 'node:test'
import { promisify } from 'node:util'

const BIN = new URL('../../../bin/', import.meta.url).pathname
/** Prints, as the process exits, whether Node loaded its TypeScript stripper (amaro). */
const REPORT_STRIPPER =
  'data:text/javascript,process.on("exit",()=>process.stderr.write("stripper:"+process.moduleLoadList.some((m)=>m.includes("amaro"))))'

const temp = await mkdtemp(join(tmpdir(), 'mega-launcher-'))
after(() => rm(temp, { recursive: true, force: true }))

async function strippedTypeScript(script: string, cacheRoot: string): Promise<boolean> {
  const env: NodeJS.ProcessEnv = { ...process.env, TMPDIR: cacheRoot }
  delete env.NODE_COMPILE_CACHE
  delete env.NODE_DISABLE_COMPILE_CACHE
  const { stdout, stderr } = await promisify(execFile)(
    process.execPath,
    ['--import', REPORT_STRIPPER, join(BIN, script), '--version'],
    { env },
  )
  assert.match(stdout, /^mega \d+\.\d+\.\d+/)
  const reported = /stripper:(true|false)/.exec(stderr)
  assert.ok(reported, stderr)
  return reported[1] === 'true'
}

describe('the mega launcher', () => {
  it('strips TypeScript on its first run only; later runs take the compile cache', async () => {
    const cacheRoot = join(temp, 'launcher')
    await mkdir(cacheRoot)
    assert.equal(await strippedTypeScript('mega.js', cacheRoot), true, 'first run: cold cache')
    assert.equal(await strippedTypeScript('mega.js', cacheRoot), false, 'second run: warm cache')
  })

  it('bin/mega.ts alone strips every time (which is what the launcher avoids)', async () => {
    const cacheRoot = join(temp, 'plain')
    await mkdir(cacheRoot)
    assert.equal(await strippedTypeScript('mega.ts', cacheRoot), true)
    assert.equal(await strippedTypeScript('mega.ts', cacheRoot), true)
  })
})
