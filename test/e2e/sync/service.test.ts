/**
 * The sync service's defences over libp2p: a peer that sends an oversized or malformed frame is
 * cut off while honest sessions keep working; a peer over its session rate is refused with
 * RATE_LIMITED.
 */
import assert from 'node:assert/strict'
import { after, describe, it } from 'node:test'
import { SYNC_PROTOCOL } from '../../../src/network/sync-service.ts'
import { streamChannel } from '../../../src/network/sync-stream.ts'
import { Writer } from '../../../src/sync/bytes.ts'
import { isSyncError, SyncErrorCode } from '../../../src/sync/errors.ts'
import { encodeFrame, FrameType } from '../../../src/sync/frames.ts'
import { readFrame } from '../../../src/sync/read.ts'
import { connect, heldIds, messages, type SyncTestNode, stopAll, syncNode, waitFor } from './nodes.ts'

const started: SyncTestNode[] = []
after(() => stopAll(started))

async function node(...args: Parameters<typeof syncNode>): Promise<SyncTestNode> {
  const created = await syncNode(...args)
  started.push(created)
  return created
}

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
