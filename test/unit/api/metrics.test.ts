/**
 * `GET /metrics` of an API over a fresh mempool: the pools', the network's, the store's and the
 * API's numbers in the Prometheus text format, responses labelled by route pattern.
 */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { admitValue } from '../../../src/mempool/pipeline.ts'
import { STUB_NETWORK, testApi } from '../../support/api.ts'
import * as fx from '../../support/messages.ts'
import { parseScrape } from '../../support/metrics.ts'

const SYNC = {
  sessions: 2,
  failed: 1,
  served: 5,
  refusedInbound: 0,
  fetched: 9,
  admitted: 7,
  misbehaviour: 0,
  bytesSent: 1200,
  bytesReceived: 4800,
}

describe('GET /metrics', () => {
  it('counts what the node holds and admitted, by kind and status, at each scrape', async (t) => {
    const network = { ...STUB_NETWORK, stats: () => ({ ...STUB_NETWORK.stats(), sync: SYNC }) }
    const api = await testApi({}, {}, { network })
    t.after(() => api.app.close())
    const before = await api.get('/metrics')
    assert.equal(before.statusCode, 200)
    assert.match(before.headers['content-type'] as string, /^text\/plain; version=0\.0\.4/)
    assert.match(before.body, /^mega_pool_entries\{pool="oracles"\} 0$/m)
    // Every kind and status from the start, so rate() has a series before the first message.
    assert.equal(
      before.body.match(/^mega_admissions_total\{kind="\w+",status="[\w-]+"\} 0$/gm)?.length,
      6 * 6,
    )
    const ad = fx.oracleAd()
    assert.equal((await api.post('/oracle', ad)).statusCode, 201)
    assert.equal((await api.post('/oracle', ad)).statusCode, 200)
    assert.equal((await api.post('/oracle', { ...ad, seqNo: ad.seqNo + 1 })).statusCode, 422)
    // What gossip hands the mempool: bytes naming no kind it keeps.
    assert.equal(admitValue(api.mempool, { kind: 'nonsense' }).admission.status, 'invalid')
    const after = (await api.get('/metrics')).body
    const { samples, types } = parseScrape(after)
    assert.equal(types.get('mega_pool_entries'), 'gauge')
    assert.equal(types.get('mega_admissions_total'), 'counter')
    assert.equal(types.get('mega_http_request_duration_seconds'), 'histogram')
    assert.equal(samples.get('mega_pool_entries{pool="oracles"}'), 1)
    assert.equal(samples.get('mega_admissions_total{kind="oracle",status="added"}'), 1)
    assert.equal(samples.get('mega_admissions_total{kind="oracle",status="duplicate"}'), 1)
    assert.equal(samples.get('mega_admissions_total{kind="oracle",status="invalid"}'), 1)
    assert.equal(samples.get('mega_admissions_total{kind="other",status="invalid"}'), 1)
    assert.ok(samples.get('mega_pool_bytes')! > 0)
    assert.equal(samples.get('mega_pool_min_bits{kind="oracle"}'), 8)
    assert.equal(samples.get('mega_gossip_messages_total{verdict="accepted"}'), 3)
    assert.equal(samples.get('mega_gossip_copies_total{event="duplicates"}'), 2)
    assert.equal(samples.get('mega_peer_connections'), 1)
    assert.equal(samples.get('mega_peer_strikes_total'), 1)
    assert.equal(samples.get('mega_bans_total'), 0)
    assert.equal(samples.get('mega_peer_exchange_total{verdict="accepted"}'), 7)
    assert.equal(samples.get('mega_sync_sessions_total{outcome="initiated"}'), 2)
    assert.equal(samples.get('mega_sync_sessions_total{outcome="failed"}'), 1)
    assert.equal(samples.get('mega_sync_messages_total{event="served"}'), 5)
    assert.equal(samples.get('mega_sync_bytes_total{direction="received"}'), 4800)
    assert.ok(samples.get('mega_process_resident_memory_bytes')! > 0)
    assert.ok(samples.has('mega_nodejs_eventloop_lag_seconds'))
    // Three POSTs, two 2xx and one 4xx, under the route's pattern.
    const http = 'mega_http_request_duration_seconds_count{method="POST",route="/oracle",status_class='
    assert.equal(samples.get(`${http}"2xx"}`), 2)
    assert.equal(samples.get(`${http}"4xx"}`), 1)
  })

  it('labels responses by route pattern, never by the URL asked for', async (t) => {
    const api = await testApi()
    t.after(() => api.app.close())
    for (const id of ['a'.repeat(64), 'b'.repeat(64)]) await api.get(`/oracles/${id}`)
    for (const path of ['/no/such/path', '/another/missing']) await api.get(path)
    const { samples } = parseScrape((await api.get('/metrics')).body)
    const series = [...samples.keys()].filter((key) =>
      key.startsWith('mega_http_request_duration_seconds_count'),
    )
    assert.deepEqual(series.sort(), [
      'mega_http_request_duration_seconds_count{method="GET",route="/oracles/:key",status_class="4xx"}',
      'mega_http_request_duration_seconds_count{method="other",route="unmatched",status_class="4xx"}',
    ])
    assert.equal(samples.get(series.sort()[0]!), 2)
    assert.equal(samples.get(series.sort()[1]!), 2)
  })

  it('has no network metrics on a node without peers', async (t) => {
    const api = await testApi()
    t.after(() => api.app.close())
    assert.doesNotMatch((await api.get('/metrics')).body, /mega_peer_connections/)
  })
})
