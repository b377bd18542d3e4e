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
import { messageId } from '../../src/protocol/message.ts'
import * as fx from '../fixtures/messages.ts'
import { type TestApi, testApi } from './helpers.ts'

/** Opens `/events`; collects what arrives. */
function connect(
  port: number,
): Promise<{ response: IncomingMessage; text: () => string; close: () => void }> {
  return new Promise((resolve, reject) => {
    const req = request({
      host: '127.0.0.1',
      port,
      path: '/events',
      headers: { accept: 'text/event-stream' },
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

async function listening(init = {}): Promise<{ api: TestApi; port: number }> {
  const api = await testApi({ events: { maxClients: 2, heartbeatMs: 50, ...init } })
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
    assert.deepEqual(events[0], {
      event: 'oracle',
      data: { status: 'added', id: messageId(ad), kind: 'oracle' },
    })
    assert.deepEqual(
      events.map((e) => e.event),
      ['oracle', 'capability'],
    )
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

  it('ends open streams when the server closes', async () => {
    const { api, port } = await listening()
    const client = await connect(port)
    const ended = new Promise<void>((resolve) => client.response.on('end', resolve).on('close', resolve))
    await api.app.close()
    await Promise.race([ended, sleep(3000).then(() => assert.fail('stream not ended'))])
  })
})
