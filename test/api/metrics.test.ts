/** `GET /metrics`: the pools' and the network's numbers in the Prometheus text format. */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import * as fx from '../fixtures/messages.ts'
import { STUB_NETWORK, testApi } from './helpers.ts'

describe('GET /metrics', () => {
  it('counts what the node holds and admitted, at each scrape', async (t) => {
    const api = await testApi({}, {}, { network: STUB_NETWORK })
    t.after(() => api.app.close())
    const before = await api.get('/metrics')
    assert.equal(before.statusCode, 200)
    assert.match(before.headers['content-type'] as string, /^text\/plain; version=0\.0\.4/)
    assert.match(before.body, /^mega_pool_entries\{pool="oracles"\} 0$/m)
    assert.equal((await api.post('/oracle', fx.oracleAd())).statusCode, 201)
    const after = (await api.get('/metrics')).body
    assert.match(after, /^# TYPE mega_pool_entries gauge$/m)
    assert.match(after, /^mega_pool_entries\{pool="oracles"\} 1$/m)
    assert.match(after, /^# TYPE mega_admissions_total counter$/m)
    assert.match(after, /^mega_admissions_total\{status="added"\} 1$/m)
    assert.match(after, /^mega_pool_bytes [1-9]\d*$/m)
    assert.match(after, /^mega_gossip_messages_total\{verdict="accepted"\} 3$/m)
    assert.match(after, /^mega_peer_connections 1$/m)
    assert.match(after, /^mega_process_resident_memory_bytes \d+$/m)
  })

  it('has no network metrics on a node without peers', async (t) => {
    const api = await testApi()
    t.after(() => api.app.close())
    assert.doesNotMatch((await api.get('/metrics')).body, /mega_peer_connections/)
  })
})
