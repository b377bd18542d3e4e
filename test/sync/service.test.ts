/**
 * The node's side of sync and the service's defences: disputes travel with their reports;
 * a peer that sends an oversized or malformed frame over libp2p is cut off while honest
 * sessions keep working; a peer over its session rate is refused with RATE_LIMITED.
 */
import assert from 'node:assert/strict'
import { after, describe, it } from 'node:test'
import { Mempool } from '../../src/mempool/mempool.ts'
import { admitValue } from '../../src/mempool/pipeline.ts'
import { SYNC_PROTOCOL } from '../../src/network/sync-service.ts'
import { MempoolSyncSource } from '../../src/network/sync-source.ts'
import { streamChannel } from '../../src/network/sync-stream.ts'
import { messageId } from '../../src/protocol/message.ts'
import { Writer } from '../../src/sync/bytes.ts'
import { isSyncError, SyncErrorCode } from '../../src/sync/errors.ts'
import { encodeFrame, FrameType } from '../../src/sync/frames.ts'
import { initiateSync } from '../../src/sync/initiator.ts'
import { itemKey } from '../../src/sync/keys.ts'
import { readFrame } from '../../src/sync/read.ts'
import { serveSync } from '../../src/sync/responder.ts'
import * as fx from '../fixtures/messages.ts'
import { channelPair } from './helpers.ts'
import { connect, heldIds, LOW, messages, type SyncTestNode, stopAll, syncNode, waitFor } from './nodes.ts'

const NOW = 1_850_000_000

const started: SyncTestNode[] = []
after(() => stopAll(started))

async function node(...args: Parameters<typeof syncNode>): Promise<SyncTestNode> {
  const created = await syncNode(...args)
  started.push(created)
  return created
}

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

describe('sync service defences', () => {
  it('cuts off a peer that announces an oversized frame, and keeps serving others', async () => {
    const a = await node(messages(500, 510), { syncOnConnect: false, maxFrameBytes: 64 * 1024 })
    const b = await node([], { syncOnConnect: false })
    await connect(b, a)
    const stream = await b.libp2p.dialProtocol(a.libp2p.peerId, SYNC_PROTOCOL)
    const closed = new Promise((resolve) => stream.addEventListener('close', resolve, { once: true }))
    stream.send(new Writer().varint(100 * 1024 * 1024).finish())
    await closed
    assert.notEqual(stream.status, 'open')
    await waitFor('b to see a', () => b.sync.peers.length > 0)
    const stats = await b.sync.syncWith(a.libp2p.peerId)
    assert.equal(stats.outcomes.added, 40)
    assert.deepEqual(heldIds(b), heldIds(a))
  })

  it('answers a malformed reconcile message with an error frame', async () => {
    const a = await node(messages(510, 512), { syncOnConnect: false })
    const b = await node([], { syncOnConnect: false })
    await connect(b, a)
    const stream = await b.libp2p.dialProtocol(a.libp2p.peerId, SYNC_PROTOCOL)
    const channel = streamChannel(stream, { maxFrameBytes: 1 << 20 })
    await channel.write(encodeFrame(FrameType.RECONCILE, new Uint8Array([0x01, 0x00, 0x01, 0x07])))
    await assert.rejects(readFrame(channel, 5000), (error: unknown) => {
      return isSyncError(error, SyncErrorCode.REMOTE_ERROR) && /BAD_BOUND/.test(error.message)
    })
  })

  it('refuses sessions over a peer’s rate limit', async () => {
    const a = await node(messages(520, 521), { syncOnConnect: false, inboundPerPeer: 1 })
    const b = await node([], { syncOnConnect: false })
    await connect(b, a)
    await waitFor('b to see a', () => b.sync.peers.length > 0)
    await b.sync.syncWith(a.libp2p.peerId)
    await assert.rejects(b.sync.syncWith(a.libp2p.peerId), (error: unknown) => {
      return isSyncError(error, SyncErrorCode.REMOTE_ERROR) && /RATE_LIMITED/.test(error.message)
    })
    assert.equal(a.sync.counters.refusedInbound, 1)
  })
})
