/**
 * `GET /metrics` of running nodes on loopback: admissions, store commits, HTTP latency and sync
 * sessions with their values; every metric documented in docs/operations.md, and the sample
 * dashboard asking only for metrics the node exports.
 */
import assert from 'node:assert/strict'
import { readFile } from 'node:fs/promises'
import { after, describe, it } from 'node:test'
import * as fx from '../../support/messages.ts'
import { parseScrape } from '../../support/metrics.ts'
import { startNode, stopNodes, type TestNode, waitFor } from '../network/helpers.ts'

const ROOT = new URL('../../..', import.meta.url).pathname

async function scrape(url: string) {
  const response = await fetch(`${url}/metrics`)
  assert.equal(response.status, 200)
  assert.match(response.headers.get('content-type')!, /^text\/plain; version=0\.0\.4/)
  return parseScrape(await response.text())
}

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
