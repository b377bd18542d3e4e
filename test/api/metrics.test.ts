/**
 * `GET /metrics`: the pools', the network's, the store's and the API's numbers in the
 * Prometheus text format; every metric documented in docs/operations.md, and the sample
 * dashboard asking only for metrics the node exports.
 */
import assert from 'node:assert/strict'
import { readFile } from 'node:fs/promises'
import { after, describe, it } from 'node:test'
import { admitValue } from '../../src/mempool/pipeline.ts'
import * as fx from '../fixtures/messages.ts'
import { startNode, stopNodes, type TestNode, waitFor } from '../network/helpers.ts'
import { STUB_NETWORK, testApi } from './helpers.ts'

const ROOT = new URL('../..', import.meta.url).pathname
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

/**
 * The samples of a scrape, by `name{labels}`, checking the text format on the way: every sample
 * line is `name[{label="value",…}] number`, and belongs to a family declared by `# TYPE`.
 */
function parseScrape(text: string): { samples: Map<string, number>; types: Map<string, string> } {
  const types = new Map<string, string>()
  const samples = new Map<string, number>()
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('# HELP ')) continue
    const type = /^# TYPE ([a-zA-Z_:][a-zA-Z0-9_:]*) (counter|gauge|histogram|summary|untyped)$/.exec(line)
    if (type) {
      types.set(type[1]!, type[2]!)
      continue
    }
    const sample = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(?:[a-zA-Z_]\w*="(?:[^"\\]|\\.)*",?)*\})? (\S+)$/.exec(line)
    assert.ok(sample, `a sample line: ${line}`)
    const value = Number(sample[3]!.toLowerCase() === 'nan' ? Number.NaN : sample[3])
    assert.ok(sample[3]!.toLowerCase() === 'nan' || !Number.isNaN(value), `a number: ${line}`)
    const name = sample[1]!
    const family = name.replace(/_(bucket|sum|count)$/, '')
    assert.ok(types.has(name) || types.get(family) === 'histogram', `# TYPE declared for ${name}`)
    samples.set(`${name}${sample[2] ?? ''}`, value)
  }
  return { samples, types }
}

async function scrape(url: string) {
  const response = await fetch(`${url}/metrics`)
  assert.equal(response.status, 200)
  assert.match(response.headers.get('content-type')!, /^text\/plain; version=0\.0\.4/)
  return parseScrape(await response.text())
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

describe('GET /metrics of running nodes (loopback)', () => {
  const running: TestNode[] = []
  after(() => stopNodes(running))
  /** Names of every metric family the nodes exported, for the docs and dashboard checks. */
  const exported = new Set<string>()

  it('reports admissions, store commits, HTTP latency and sync sessions with their values', {
    timeout: 60_000,
  }, async () => {
    const first = await startNode()
    running.push(first)
    const ad = fx.oracleAd()
    const posted = await fetch(`${first.node.url}/oracle`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(ad),
    })
    assert.equal(posted.status, 201)
    const late = await startNode({ bootstrap: [first.address] })
    running.push(late)
    // The server counts a session once it ends, which may be after the initiator's end.
    await waitFor(
      'a sync session, counted on both sides',
      async () => {
        const fetched = (await scrape(late.node.url!)).samples
        const served = (await scrape(first.node.url!)).samples
        return (
          (fetched.get('mega_sync_sessions_total{outcome="initiated"}') ?? 0) >= 1 &&
          (served.get('mega_sync_messages_total{event="served"}') ?? 0) >= 1
        )
      },
      40_000,
    )

    const served = await scrape(first.node.url!)
    assert.equal(served.samples.get('mega_admissions_total{kind="oracle",status="added"}'), 1)
    assert.ok(
      served.samples.get(
        'mega_http_request_duration_seconds_count{method="POST",route="/oracle",status_class="2xx"}',
      )! >= 1,
    )
    assert.ok(served.samples.get('mega_store_commit_seconds_count')! >= 1)
    assert.ok(served.samples.get('mega_store_committed_entries_total')! >= 1)
    assert.ok(served.samples.get('mega_sync_messages_total{event="served"}')! >= 1)
    assert.ok(served.samples.get('mega_sync_bytes_total{direction="sent"}')! > 0)
    assert.ok(served.samples.get('mega_peers')! >= 1)

    const synced = await scrape(late.node.url!)
    assert.equal(synced.samples.get('mega_admissions_total{kind="oracle",status="added"}'), 1)
    assert.ok(synced.samples.get('mega_sync_bytes_total{direction="received"}')! > 0)
    assert.ok(synced.samples.get('mega_sync_messages_total{event="fetched"}')! >= 1)
    assert.ok(synced.samples.get('mega_store_commit_seconds_count')! >= 1)
    assert.equal(synced.types.get('mega_store_commit_seconds'), 'histogram')
    assert.ok(synced.samples.has('mega_fact_pool{measure="records"}'))
    for (const { types } of [served, synced]) for (const name of types.keys()) exported.add(name)
  })

  it('docs/operations.md lists every metric the node exports', async () => {
    assert.ok(exported.size > 40, 'the scrape above ran')
    const doc = await readFile(`${ROOT}docs/operations.md`, 'utf8')
    const start = doc.indexOf('\n## Metrics\n')
    assert.ok(start >= 0, 'a Metrics section')
    const end = doc.indexOf('\n## ', start + 1)
    const section = doc.slice(start, end < 0 ? undefined : end)
    const missing = [...exported].filter(
      (name) => !section.includes(`\`${name}\``) && !/^mega_(process|nodejs)_/.test(name),
    )
    assert.deepEqual(missing, [], 'metrics missing from docs/operations.md § Metrics')
    for (const [, name] of section.matchAll(/^\| `(mega_\w+)`/gm))
      assert.ok(exported.has(name!), `${name} is documented but not exported`)
  })

  it('docs/grafana-dashboard.json asks only for metrics the node exports', async () => {
    assert.ok(exported.size > 40, 'the scrape above ran')
    const dashboard = JSON.parse(await readFile(`${ROOT}docs/grafana-dashboard.json`, 'utf8')) as {
      panels: { title: string; targets: { expr: string }[] }[]
    }
    assert.ok(dashboard.panels.length >= 9)
    for (const panel of dashboard.panels) {
      assert.ok(panel.targets.length > 0, `${panel.title} has a query`)
      for (const { expr } of panel.targets) {
        const names = [...expr.matchAll(/\bmega_\w+/g)].map(([name]) => name)
        assert.ok(names.length > 0, `${panel.title}: ${expr} reads a metric`)
        for (const name of names) {
          const family = name.replace(/_(bucket|sum|count)$/, '')
          assert.ok(
            exported.has(name) || (family !== name && exported.has(family)),
            `${panel.title}: ${name} is exported`,
          )
        }
      }
    }
  })
})
