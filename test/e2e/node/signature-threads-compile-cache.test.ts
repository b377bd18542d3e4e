/**
 * Signature threads change a V8 flag for the whole process (WebAssembly skips Liftoff, see
 * signature-threads.ts). V8 stamps every compile-cache entry with the flags in force when the
 * module was compiled: a flag that changed while a thread was still loading its modules would
 * stamp them differently from one start to the next, and every start would throw the cache away
 * and write it again. Three starts of a process whose two threads check a page: from the second
 * on, every entry is accepted.
 */
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, it } from 'node:test'

const THREADS = new URL('../../../src/node/signature-threads.ts', import.meta.url).href
const dirs: string[] = []
after(async () => {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true })
})

const SCRIPT = `
const { SignatureThreads } = await import(${JSON.stringify(THREADS)})
const threads = new SignatureThreads({ threads: 2 })
threads.start()
const page = Array.from({ length: 4 }, () => new TextEncoder().encode('{"kind":"oracle"}'))
const { canonical } = await threads.check(page)
if (canonical.length !== 4) throw new Error('no answer for the page')
await threads.stop()
`

it('signature threads leave the compile cache valid for the next start', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'mega-compile-cache-'))
  dirs.push(dir)
  const cache = join(dir, 'cache')
  // A file, not --eval: the threads inherit the process's options, and --input-type would refuse their entry.
  const script = join(dir, 'start.mjs')
  await writeFile(script, SCRIPT)
  const start = () => {
    const run = spawnSync(process.execPath, [script], {
      // Node reports each cache entry it reads as accepted or rejected on stderr.
      env: { ...process.env, NODE_COMPILE_CACHE: cache, NODE_DEBUG_NATIVE: 'COMPILE_CACHE' },
      encoding: 'utf8',
      timeout: 60_000,
    })
    assert.equal(run.status, 0, run.stderr.slice(-2000))
    return run.stderr
  }
  start()
  for (const again of [start(), start()]) {
    assert.match(again, /signature-thread\.ts was accepted/, 'the threads read their modules from the cache')
    const rejected = again.split('\n').filter((line) => line.includes('was rejected'))
    assert.deepEqual(rejected, [], 'no entry is thrown away')
  }
})
