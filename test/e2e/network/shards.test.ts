/**
 * Two shards: a report kept by shard 1 reaches the shard-1 node when it enters the network at
 * a shard-0 node, whether a client posts it there (REST) or a peer gossips it there. The
 * shard-0 node validates and relays it without storing it.
 */
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { messageId } from '../../../src/protocol/message.ts'
import type { Report } from '../../../src/protocol/messages/index.ts'
import * as fx from '../../support/messages.ts'
import { startNode, stopNodes, type TestNode, waitFor, waitForMesh } from './helpers.ts'
import { type RawPeer, rawPeer } from './raw-peer.ts'

/** Reports whose id is in shard 1 of 2. */
function shardOneReports(count: number): Report[] {
  const found: Report[] = []
  for (let i = 0; found.length < count; i++) {
    const report = fx.report({ type: 'free-form', comment: `late ${i}`, links: [] })
    if (BigInt(`0x${messageId(report)}`) % 2n === 1n) found.push(report)
  }
  return found
}

describe('sharded nodes', { timeout: 30_000 }, () => {
  let nodes: TestNode[] = []
  let shard0: TestNode
  let shard1: TestNode
  let peer: RawPeer

  before(async () => {
    shard0 = await startNode({}, { shard: { index: 0, count: 2 } })
    shard1 = await startNode({ bootstrap: [shard0.address] }, { shard: { index: 1, count: 2 } })
    nodes = [shard0, shard1]
    await waitFor('the two nodes connected', () => shard0.node.network!.peers().items.length === 1)
    await waitForMesh(nodes, ['oracle', 'report'])
    // Oracle ads are kept by every shard: the reports need one.
    assert.equal((await shard0.client.post('oracle', fx.oracleAd())).status, 201)
    await waitFor('the ad on both', () => nodes.every((n) => n.node.mempool.oracles.size === 1))
    peer = await rawPeer()
    await peer.connect(shard0.address)
  })
  after(async () => {
    await peer?.stop()
    await stopNodes(nodes)
  })

  it('relay a report posted to a node of the other shard', async () => {
    const [report] = shardOneReports(1)
    const response = await shard0.client.post('report', report!)
    assert.equal(response.status, 202)
    await waitFor('the report on the shard-1 node', () => shard1.node.mempool.reports.size === 1)
    assert.equal(shard0.node.mempool.reports.size, 0)
  })

  it('relay a report gossiped to a node of the other shard', async () => {
    const [, report] = shardOneReports(2)
    await peer.publish('report', report!)
    await waitFor('the report on the shard-1 node', () => shard1.node.mempool.reports.has(messageId(report!)))
    assert.equal(shard0.node.mempool.reports.size, 0)
    assert.equal(shard0.node.network!.stats().gossip.rejected, 0)
  })
})
