/**
 * The node's side of sync, in memory: disputes travel with their reports and amend them, fetch
 * replies cut short are asked for again, and the snapshot is rebuilt only after the mempool changed.
 */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { Mempool } from '../../../src/mempool/mempool.ts'
import { admitValue } from '../../../src/mempool/pipeline.ts'
import { MempoolSyncSource } from '../../../src/network/sync-source.ts'
import { canonicalize } from '../../../src/protocol/canonical.ts'
import { messageId } from '../../../src/protocol/message.ts'
import { initiateSync } from '../../../src/sync/initiator.ts'
import { itemKey } from '../../../src/sync/keys.ts'
import { serveSync } from '../../../src/sync/responder.ts'
import * as fx from '../../support/messages.ts'
import { LOW, messages } from '../../support/sync-messages.ts'
import { channelPair } from './helpers.ts'

const NOW = 1_850_000_000

function pool() {
  const mempool = new Mempool({ minBits: LOW }, { now: () => NOW })
  const source = new MempoolSyncSource(mempool, (message) => mempool.admit(message).admission)
  return { mempool, source }
}

describe('the node side of sync', () => {
  it('sends a dispute with its report, after it, and the peer amends the report', async () => {
    const a = pool()
    const capability = fx.capabilityAd({ attestation: 'signature' })
    const missing = fx.report({ type: 'fact-missing', capability, commitment: fx.commitment(NOW - 3600) })
    for (const message of [fx.oracleAd(), capability, missing, fx.dispute(messageId(missing))]) {
      assert.match(admitValue(a.mempool, message).admission.status, /added|updated/)
    }
    const items = [...a.source.snapshot()]
    assert.equal(items.length, 4, 'oracle, capability, report and its dispute')
    assert.equal(items.at(-1)!.key, itemKey('dispute', 0))

    const b = pool()
    const [ours, theirs] = channelPair()
    const served = serveSync(theirs, a.source)
    const stats = await initiateSync(ours, b.source)
    await served
    assert.deepEqual(stats.outcomes, { added: 3, updated: 1 })
    assert.ok(b.mempool.reports.get(messageId(missing))!.dispute, 'the report is amended')
    assert.deepEqual([...b.source.refresh()], items)
  })

  it('asks again for what cut-short fetch replies left out, and admits it all', async () => {
    const a = pool()
    for (const message of messages(600, 620)) admitValue(a.mempool, message)
    const b = pool()
    const [ours, theirs] = channelPair()
    const served = serveSync(theirs, a.source, { fetchReplyBytes: 3000 })
    const stats = await initiateSync(ours, b.source, { fetchPageSize: 16, fetchWindow: 3 })
    const serveStats = await served
    assert.deepEqual(stats.outcomes, { added: 80 })
    assert.ok(stats.fetches > 80 / 16 + 5, `${stats.fetches} fetches`)
    assert.equal(serveStats.served, 80)
    assert.deepEqual([...b.source.refresh()], [...a.source.refresh()])
  })

  it('serves every message as its canonical text, read from the entry without rebuilding the message', () => {
    const { mempool, source } = pool()
    const capability = fx.capabilityAd({ attestation: 'signature' })
    const missing = fx.report({ type: 'fact-missing', capability, commitment: fx.commitment(NOW - 3600) })
    const sent = [
      ...messages(0, 12),
      fx.oracleAd(),
      capability,
      missing,
      fx.dispute(messageId(missing)),
      fx.acceptedOffer(fx.offer()),
    ]
    // Admitted with their members in reverse order, at every level: served in canonical order.
    for (const message of sent)
      assert.match(
        admitValue(mempool, reversed(message)).admission.status,
        /added|updated/,
        JSON.stringify(message),
      )
    const texts = new Set(sent.map((message) => canonicalize(message)))
    mempool.recentMessages.clear()
    const items = [...source.refresh()]
    assert.equal(items.length, sent.length)
    for (const { id } of items) {
      const text = source.message(id)
      assert.ok(text !== undefined && texts.has(text), `${id}: ${text}`)
      texts.delete(text)
    }
    assert.equal(texts.size, 0, 'each message served once')
    assert.equal(mempool.recentMessages.size, 0, 'no message rebuilt to serve it')
  })

  it('rebuilds its snapshot only after the mempool changed, at most once per interval', () => {
    let now = 0
    const mempool = new Mempool({ minBits: LOW })
    const source = new MempoolSyncSource(mempool, () => ({ status: 'invalid' }), {
      minSnapshotIntervalMs: 1000,
      now: () => now,
    })
    const empty = source.snapshot()
    assert.equal(source.snapshot(), empty, 'unchanged: the same snapshot')
    admitValue(mempool, fx.oracleAd())
    assert.equal(source.snapshot(), empty, 'changed, but within the interval')
    now = 1000
    assert.equal(source.snapshot().size, 1)
    assert.equal(source.message('00'.repeat(32)), undefined)
  })
})

/** `value` with the members of each of its objects in reverse order. */
function reversed(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(reversed)
  if (typeof value !== 'object' || value === null) return value
  return Object.fromEntries(
    Object.entries(value)
      .reverse()
      .map(([key, item]) => [key, reversed(item)]),
  )
}
