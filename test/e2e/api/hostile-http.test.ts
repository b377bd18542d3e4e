/**
 * Hostile HTTP, over raw sockets on 127.0.0.1: bodies that stop half-way and connections that
 * say nothing are cut at the request deadline (408), one address cannot hold more than its
 * share of connections (503), the parser's errors are problem documents whose status matches
 * their code, and closing the server waits on none of these clients while a request already
 * received still gets its answer. Every wait is bounded.
 */
import assert from 'node:assert/strict'
import { describe, it, type TestContext } from 'node:test'
import { setTimeout as sleep } from 'node:timers/promises'
import { testApi } from '../../support/api.ts'
import * as fx from '../../support/messages.ts'
import {
  assertProblem,
  dropAll,
  exchange,
  hold,
  parseResponse,
  partialPost,
  portOf,
  within,
} from './raw-http.ts'

async function listening(t: TestContext, init: Parameters<typeof testApi>[0] = {}, components = {}) {
  const api = await testApi({ docs: false, dashboard: false, ...init }, {}, components)
  t.after(() => {
    dropAll()
    return api.app.close()
  })
  await api.app.listen({ host: '127.0.0.1', port: 0 })
  return { api, port: portOf(api.app) }
}

describe('hostile HTTP', { timeout: 30_000 }, () => {
  it('cuts a body that stops half-way at the deadline, answering 408', async (t) => {
    const { api, port } = await listening(t, { requestTimeoutMs: 400 })
    const slow = await hold(port, partialPost(100, 10))
    const ms = await within(slow.closed, 3000, 'the deadline to close a partial body')
    assert.ok(ms >= 350, `closed after ${ms} ms, not before the deadline`)
    const problem = assertProblem(slow.text(), 408, 'REQUEST_TIMEOUT')
    assert.equal(problem.instance, '/oracle')
    assert.equal((await api.get('/health')).statusCode, 200)
  })

  it('cuts headers that never end, and a connection that never speaks, answering 408', async (t) => {
    const { port } = await listening(t, { requestTimeoutMs: 400 })
    const headers = await hold(port, 'GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ')
    const silent = await hold(port)
    await within(headers.closed, 3000, 'the deadline to close unfinished headers')
    assertProblem(headers.text(), 408, 'REQUEST_TIMEOUT')
    const ms = await within(silent.closed, 3000, 'the deadline to close a silent connection')
    assert.ok(ms >= 350, `closed after ${ms} ms`)
    assertProblem(silent.text(), 408, 'REQUEST_TIMEOUT')
  })

  it('keeps a connection that was answered and stays idle, until the keep-alive timeout', async (t) => {
    const { port } = await listening(t, { requestTimeoutMs: 300 })
    const client = await hold(port, 'GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n')
    await sleep(700)
    assert.equal(parseResponse(client.text()).status, 200)
    assert.equal(client.socket.destroyed, false, 'an answered connection is not a silent one')
    client.socket.destroy()
  })

  it('caps open connections per address: one more is answered 503 and closed', async (t) => {
    const { port } = await listening(t, { maxConnectionsPerAddress: 3 })
    const open = await Promise.all([hold(port), hold(port), hold(port)])
    await sleep(50)
    const text = await exchange(port, 'GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n', 3000)
    assertProblem(text, 503, 'TOO_MANY_CONNECTIONS')
    for (const held of open) assert.equal(held.socket.destroyed, false, 'the first three stay open')
    open[0]!.socket.destroy()
    await open[0]!.closed
    await sleep(50)
    const again = await hold(port, 'GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n')
    await within(again.closed, 3000, 'the answer')
    assert.equal(parseResponse(again.text()).status, 200, 'a slot freed is a slot again')
    for (const held of open) held.socket.destroy()
  })

  it('answers the parser’s errors with problem documents whose status matches their code', async (t) => {
    const { api, port } = await listening(t)
    const post = (headers: string, body: string) =>
      `POST /oracle HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n${headers}\r\n${body}`
    const cases: [string, string | Buffer, number, string][] = [
      ['bad Content-Length', post('Content-Length: 1x\r\n', '{}'), 400, 'BAD_REQUEST'],
      ['two Content-Lengths', post('Content-Length: 2\r\nContent-Length: 3\r\n', '{}'), 400, 'BAD_REQUEST'],
      ['bad chunk size', post('Transfer-Encoding: chunked\r\n', 'zz\r\n{}\r\n0\r\n\r\n'), 400, 'BAD_REQUEST'],
      [
        'Content-Length with chunked',
        post('Content-Length: 2\r\nTransfer-Encoding: chunked\r\n', '2\r\n{}\r\n0\r\n\r\n'),
        400,
        'BAD_REQUEST',
      ],
      [
        'non-ASCII path',
        Buffer.concat([
          Buffer.from('GET /oracles/'),
          Buffer.from('é'),
          Buffer.from(' HTTP/1.1\r\nHost: x\r\n\r\n'),
        ]),
        400,
        'BAD_REQUEST',
      ],
      ['bad method', 'GE(T / HTTP/1.1\r\nHost: x\r\n\r\n', 400, 'BAD_REQUEST'],
      ['not HTTP', 'HELLO\r\n\r\n', 400, 'BAD_REQUEST'],
      [
        'chunk extensions over 16 KiB',
        post('Transfer-Encoding: chunked\r\n', `2;${'a'.repeat(20_000)}\r\n{}\r\n0\r\n\r\n`),
        413,
        'TOO_LARGE',
      ],
      [
        'headers over 16 KiB',
        `GET /health HTTP/1.1\r\nX-Pad: ${'a'.repeat(17_000)}\r\n\r\n`,
        431,
        'HEADERS_TOO_LARGE',
      ],
      [
        'path over 16 KiB',
        `GET /${'a'.repeat(17_000)} HTTP/1.1\r\nHost: x\r\n\r\n`,
        431,
        'HEADERS_TOO_LARGE',
      ],
    ]
    for (const [what, bytes, status, code] of cases) {
      const text = await exchange(port, bytes).catch((error: Error) =>
        assert.fail(`${what}: ${error.message}`),
      )
      assert.doesNotThrow(() => assertProblem(text, status, code), what)
    }
    assert.equal((await api.get('/health')).statusCode, 200)
  })

  it('gives the errors Fastify raises with a status of their own a code of that status', async (t) => {
    const { port } = await listening(t)
    const long = await exchange(
      port,
      `GET /oracles/${'a'.repeat(200)} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`,
    )
    assertProblem(long, 414, 'URI_TOO_LONG')
    const encoded = await exchange(
      port,
      'GET /oracles/%E0%A4%A HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n',
    )
    assertProblem(encoded, 400, 'BAD_REQUEST')
  })

  it('closes without waiting on slow clients, while a request received finishes', async (t) => {
    let release: () => void = () => {}
    const admitting = new Promise<void>((resolve) => {
      release = resolve
    })
    const { api, port } = await listening(
      t,
      {},
      {
        // A request received whole, whose answer is still being computed when the close starts.
        submit: async (message: Parameters<typeof api.mempool.admit>[0]) => {
          release()
          await sleep(300)
          return api.mempool.admit(message).admission
        },
      },
    )
    const partial = await Promise.all(Array.from({ length: 20 }, () => hold(port, partialPost(100, 10))))
    const silent = await Promise.all(Array.from({ length: 5 }, () => hold(port)))
    const idle = await hold(port, 'GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n')
    const body = JSON.stringify(fx.oracleAd())
    const inFlight = await hold(
      port,
      `POST /oracle HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body}`,
    )
    await within(admitting, 3000, 'the request to reach the node')
    const started = performance.now()
    const closing = api.app.close()
    // A request arriving on a kept connection while closing is refused, not served.
    inFlight.socket.write('GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n')
    await within(closing, 3000, 'the server to close')
    const ms = performance.now() - started
    assert.ok(ms < 2000, `closed in ${ms} ms`)
    for (const held of [...partial, ...silent, idle, inFlight])
      await within(held.closed, 1000, 'every connection to close')
    const [answer, next] = inFlight.text().split(/(?=HTTP\/1\.1 )/)
    assert.equal(parseResponse(answer!).status, 201, 'the request received was answered')
    assertProblem(next!, 503, 'SHUTTING_DOWN')
  })
})
