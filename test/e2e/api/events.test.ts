/**
 * `/events` over a real socket (127.0.0.1, port 0): admitted messages arrive as server-sent
 * events named by kind, heartbeats keep the stream alive, clients beyond the bound get 503,
 * and a closed client is forgotten. Every wait is bounded.
 */
import assert from 'node:assert/strict'
import type { IncomingMessage } from 'node:http'
import { request } from 'node:http'
import { describe, it } from 'node:test'
import { setTimeout as sleep } from 'node:timers/promises'
import type { FastifyBaseLogger } from 'fastify'
import pino from 'pino'
import { messageId } from '../../../src/protocol/message.ts'
import { type TestApi, testApi } from '../../support/api.ts'
import * as fx from '../../support/messages.ts'

/** Opens `/events`; collects what arrives. */
function connect(
  port: number,
  { method = 'GET', headers = {} }: { method?: string; headers?: Record<string, string> } = {},
): Promise<{ response: IncomingMessage; text: () => string; close: () => void }> {
  return new Promise((resolve, reject) => {
    const req = request({
      host: '127.0.0.1',
      port,
      method,
      path: '/events',
      headers: { accept: 'text/event-stream', ...headers },
    })
    req.on('response', (response) => {
      let text = ''
      response.setEncoding('utf8')
      response.on('data', (chunk: string) => {
        text += chunk
      })
      response.on('error', () => {})
      resolve({ response, text: () => text, close: () => req.destroy() })
    })
    req.on('error', reject)
    req.end()
  })
}

/** Waits until `check` holds, at most `ms`. */
async function until(check: () => boolean, ms = 3000): Promise<void> {
  const deadline = Date.now() + ms
  while (!check()) {
    if (Date.now() > deadline) assert.fail('timed out')
    await sleep(10)
  }
}

/** Waits until the async `check` holds, at most `ms`. */
async function untilAsync(check: () => Promise<boolean>, ms = 3000): Promise<void> {
  const deadline = Date.now() + ms
  while (!(await check())) {
    if (Date.now() > deadline) assert.fail('timed out')
    await sleep(10)
  }
}

async function listening(
  init = {},
  options: { trustProxy?: boolean; logger?: FastifyBaseLogger } = {},
): Promise<{ api: TestApi; port: number }> {
  const api = await testApi(
    { events: { maxClients: 2, heartbeatMs: 50, ...init }, trustProxy: options.trustProxy ?? false },
    {},
    options.logger ? { logger: options.logger } : {},
  )
  await api.app.listen({ host: '127.0.0.1', port: 0 })
  const address = api.app.server.address()
  assert.ok(address && typeof address === 'object')
  return { api, port: address.port }
}

describe('GET /events', { timeout: 15_000 }, () => {
  it('streams admitted messages as events named by kind, with heartbeats', async (t) => {
    const { api, port } = await listening()
    t.after(() => api.app.close())
    const client = await connect(port)
    assert.equal(client.response.statusCode, 200)
    assert.match(String(client.response.headers['content-type']), /^text\/event-stream/)
    const ad = fx.oracleAd()
    await api.post('/oracle', ad)
    await api.post('/oracle', ad) // a duplicate is no event
    await api.post('/capability', fx.capabilityAd())
    await until(() => client.text().includes('event: capability'))
    const events = client
      .text()
      .split('\n\n')
      .filter((frame) => frame.startsWith('event:'))
      .map((frame) => {
        const lines = Object.fromEntries(
          frame
            .split('\n')
            .map((line) => [line.slice(0, line.indexOf(':')), line.slice(line.indexOf(':') + 2)]),
        )
        return { event: lines.event, data: JSON.parse(lines.data!) }
      })
    const capability = fx.capabilityAd()
    assert.deepEqual(events, [
      {
        event: 'oracle',
        data: { status: 'added', id: messageId(ad), kind: 'oracle', oracle: fx.ORACLE.publicKey },
      },
      {
        event: 'capability',
        data: {
          status: 'added',
          id: messageId(capability),
          kind: 'capability',
          oracle: fx.ORACLE.publicKey,
          capability: capability.capabilityKey,
        },
      },
    ])
    await until(() => client.text().includes(': heartbeat'))
    client.close()
  })

  it('refuses clients beyond the bound with 503 and forgets closed ones', async (t) => {
    const { api, port } = await listening()
    t.after(() => api.app.close())
    const first = await connect(port)
    const second = await connect(port)
    const third = await connect(port)
    assert.equal(third.response.statusCode, 503)
    await until(() => third.text().length > 0)
    assert.equal(JSON.parse(third.text()).code, 'TOO_MANY_CLIENTS')
    assert.equal((await api.get('/stats')).json().events.clients, 2)
    first.close()
    await untilAsync(async () => (await api.get('/stats')).json().events.clients === 1)
    const again = await connect(port)
    assert.equal(again.response.statusCode, 200)
    second.close()
    again.close()
  })

  it('answers HEAD with the headers of a stream and no body, taking no slot', async (t) => {
    const { api, port } = await listening()
    t.after(() => api.app.close())
    const head = await connect(port, { method: 'HEAD' })
    assert.equal(head.response.statusCode, 200)
    assert.match(String(head.response.headers['content-type']), /^text\/event-stream/)
    assert.equal(head.response.headers['cache-control'], 'no-cache, no-transform')
    await until(() => head.response.complete) // the answer ended: no stream behind it
    assert.equal(head.text(), '')
    assert.equal((await api.get('/stats')).json().events.clients, 0)
    const streams = [await connect(port), await connect(port)]
    const full = await connect(port, { method: 'HEAD' })
    assert.equal(full.response.statusCode, 503, 'HEAD says what GET would get')
    for (const stream of streams) stream.close()
    head.close()
    full.close()
  })

  it('serves a GET after many HEADs from the same address: a HEAD opens no stream and holds no slot', async (t) => {
    const { api, port } = await listening({ maxClients: 3, maxClientsPerAddress: 1 })
    t.after(() => api.app.close())
    const heads = await Promise.all(Array.from({ length: 12 }, () => connect(port, { method: 'HEAD' })))
    for (const head of heads) assert.equal(head.response.statusCode, 200)
    await until(() => heads.every((head) => head.response.complete))
    assert.equal((await api.get('/stats')).json().events.clients, 0)
    const stream = await connect(port)
    assert.equal(stream.response.statusCode, 200, 'the one slot of the address is still free')
    await until(() => stream.text().includes(': connected'))
    for (const head of heads) head.close()
    stream.close()
  })

  it('caps the streams of one address, whatever the others hold', async (t) => {
    const { api, port } = await listening({ maxClients: 10, maxClientsPerAddress: 2 }, { trustProxy: true })
    t.after(() => api.app.close())
    const from = (address: string) => connect(port, { headers: { 'x-forwarded-for': address } })
    const first = [await from('203.0.113.1'), await from('203.0.113.1')]
    const third = await from('203.0.113.1')
    assert.equal(third.response.statusCode, 503)
    await until(() => third.text().length > 0)
    const problem = JSON.parse(third.text())
    assert.equal(problem.code, 'TOO_MANY_CLIENTS')
    assert.match(problem.detail, /per client address/)
    const other = await from('203.0.113.2')
    assert.equal(other.response.statusCode, 200, 'another address still gets a stream')
    first[0]!.close()
    await untilAsync(async () => (await api.get('/stats')).json().events.clients === 2)
    const again = await from('203.0.113.1')
    assert.equal(again.response.statusCode, 200, 'a slot freed is a slot again')
    for (const client of [first[1]!, other, again, third]) client.close()
  })

  it('logs a full server at warn without a stack: nothing failed', async (t) => {
    const lines: Record<string, unknown>[] = []
    const logger = pino(
      { level: 'info' },
      { write: (line: string) => lines.push(JSON.parse(line) as Record<string, unknown>) },
    )
    const { api, port } = await listening({ maxClients: 1 }, { logger })
    t.after(() => api.app.close())
    const first = await connect(port)
    const second = await connect(port)
    assert.equal(second.response.statusCode, 503)
    await until(() => lines.some((line) => (line.level as number) >= 40))
    const refused = lines.find((line) => (line.level as number) >= 40)!
    assert.equal(refused.level, 40, 'warn')
    assert.equal(refused.code, 'TOO_MANY_CLIENTS')
    assert.equal(refused.err, undefined, 'no error object, no stack')
    assert.deepEqual(
      lines.filter((line) => (line.level as number) >= 50),
      [],
      'nothing at error',
    )
    first.close()
    second.close()
  })

  it('ends open streams when the server closes', async () => {
    const { api, port } = await listening()
    const client = await connect(port)
    const ended = new Promise<void>((resolve) => client.response.on('end', resolve).on('close', resolve))
    await api.app.close()
    await Promise.race([ended, sleep(3000).then(() => assert.fail('stream not ended'))])
  })
})
