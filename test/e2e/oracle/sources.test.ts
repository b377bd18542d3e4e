import assert from 'node:assert/strict'
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { factSource, resolvePointer } from '../../../src/oracle/sources.ts'
import { capability, HOSTILE, request } from '../../support/hostile-capability.ts'

let dir: string
let server: Server
let base: string
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mega-sources-'))
  server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x')
    if (url.pathname === '/fail') return void res.writeHead(500).end('{}')
    res.setHeader('content-type', 'application/json')
    const x = url.searchParams.get('x')
    res.end(JSON.stringify({ result: { winner: x === '--help' ? null : `got ${x}`, n: 3 } }))
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
})
after(async () => {
  server?.close()
  await rm(dir, { recursive: true, force: true })
})

describe('fact sources', () => {
  it('command: arguments go to argv as name=value, never through a shell', async () => {
    const source = factSource({ type: 'command', command: ['printf', '%s|'] })
    for (const value of HOSTILE) {
      assert.equal(await source(request(value), capability), `x=${value}|y=1|`, value)
    }
    assert.deepEqual(
      (await readdir(dir)).filter((name) => name.includes('pwned')),
      [],
    )
    assert.deepEqual(
      await readdir(process.cwd()).then((names) => names.filter((name) => name === 'pwned')),
      [],
    )
  })

  it('command: a timeout kills it, a failure and empty output are told apart', async () => {
    const started = performance.now()
    await assert.rejects(
      factSource({ type: 'command', command: ['sh', '-c', 'sleep 10'], timeoutMs: 200 })(
        request("it's"),
        capability,
      ),
      (error: Error & { code: string }) => {
        assert.equal(error.code, 'SOURCE_FAILED')
        assert.match(error.message, /timed out after 200 ms/)
        return true
      },
    )
    assert.ok(performance.now() - started < 3000, 'killed promptly')
    // The whole process group goes: the shell and the sleep it started.
    const pidFile = join(dir, 'group.pid')
    await assert.rejects(
      factSource({
        type: 'command',
        command: ['sh', '-c', `echo $$ > ${pidFile}; sleep 30`],
        timeoutMs: 300,
      })(request("it's"), capability),
      { code: 'SOURCE_FAILED' },
    )
    const group = Number(await readFile(pidFile, 'utf8'))
    const alive = () => {
      try {
        process.kill(-group, 0)
        return true
      } catch {
        return false
      }
    }
    for (let waited = 0; alive() && waited < 3000; waited += 50) await new Promise((r) => setTimeout(r, 50))
    assert.equal(alive(), false, 'no process of the group survives (the sleep would for 30 s)')
    const chatty = factSource({ type: 'command', command: ['sh', '-c', 'yes home'] })
    await assert.rejects(chatty(request("it's"), capability), /printed more than 65536 bytes/)
    await assert.rejects(
      factSource({ type: 'command', command: ['/nonexistent/program'] })(request("it's"), capability),
      /could not start \(ENOENT\)/,
    )
    await assert.rejects(factSource({ type: 'command', command: ['false'] })(request("it's"), capability), {
      code: 'SOURCE_FAILED',
    })
    assert.equal(
      await factSource({ type: 'command', command: ['true'] })(request("it's"), capability),
      undefined,
    )
    assert.throws(() => factSource({ type: 'command', command: [] }), { code: 'SOURCE_CONFIG' })
    assert.throws(() => factSource({ type: 'command', command: 'rm -rf /' as unknown as string[] }), {
      code: 'SOURCE_CONFIG',
    })
  })

  it('http: URL-encoded placeholders, a JSON pointer into the answer, failures coded', async () => {
    const source = factSource({ type: 'http', url: `${base}/facts?x={x}`, pointer: '/result/winner' })
    assert.equal(await source(request('$(touch pwned)'), capability), 'got $(touch pwned)')
    assert.equal(await source(request('--help'), capability), undefined, 'null: not known yet')
    const numbers = factSource({ type: 'http', url: `${base}/facts`, pointer: '/result/n' })
    assert.equal(await numbers(request("it's"), capability), '3')
    const failing = factSource({ type: 'http', url: `${base}/fail`, pointer: '/result' })
    await assert.rejects(failing(request("it's"), capability), { code: 'SOURCE_FAILED' })
    const objects = factSource({ type: 'http', url: `${base}/facts`, pointer: '/result' })
    await assert.rejects(objects(request("it's"), capability), { code: 'SOURCE_FAILED' })
    assert.throws(() => factSource({ type: 'http', url: 'file:///etc/passwd', pointer: '' }), {
      code: 'SOURCE_CONFIG',
    })
    assert.equal(resolvePointer({ 'a/b': { '~': 1 } }, '/a~1b/~0'), 1)
  })
})
