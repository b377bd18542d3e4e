/**
 * Five nodes on loopback, bootstrapped to node 0 only: they find each other by peer exchange,
 * and a message posted over REST to any of them reaches all five.
 */
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { PEER_EXCHANGE_TOPIC } from '../../../src/network/topics.ts'
import { messageId } from '../../../src/protocol/message.ts'
import * as fx from '../../support/messages.ts'
import { startNode, stopNodes, type TestNode, waitFor } from './helpers.ts'

describe('propagation over gossip', { timeout: 30_000 }, () => {
  let nodes: TestNode[] = []

  before(async () => {
    const first = await startNode()
    const rest = await Promise.all([1, 2, 3, 4].map(() => startNode({ bootstrap: [first.address] })))
    nodes = [first, ...rest]
  })
  after(() => stopNodes(nodes))

  it('nodes that know only node 0 find each other (peer exchange)', async () => {
    await waitFor('every node connected to the 4 others', () =>
      nodes.every((n) => n.node.network!.peers().items.length === 4),
    )
    const ids = nodes.map((n) => n.node.network!.peerId!.toString())
    const peersOf4 = nodes[4]!.node.network!.peers().items.map((peer) => peer.id)
    assert.deepEqual(peersOf4.sort(), ids.slice(0, 4).sort())
  })

  it('relays peer announcements without IDONTWANT notices (they would arrive after the copy)', async () => {
    const pubsubOf = (n: TestNode) => n.node.network!.libp2p!.services.pubsub
    await waitFor('meshes of the peer-exchange topic', () =>
      nodes.every((n) => pubsubOf(n).getMeshPeers(PEER_EXCHANGE_TOPIC).length >= 2),
    )
    const heard = () => nodes.reduce((sum, n) => sum + n.node.network!.stats().peerExchange.accepted, 0)
    const before = heard()
    // Short of minConnections (8), each node announces every 250 ms (helpers.ts).
    await waitFor('20 more announcements relayed', () => heard() >= before + 20)
    // No message has been posted yet: every IDONTWANT so far would be about an announcement.
    for (const n of nodes) assert.equal(n.node.network!.stats().wire.idontwantSent, 0)
  })

  it('a message posted to one node reaches all five, and updates follow', async () => {
    const ad = fx.oracleAd()
    assert.equal((await nodes[3]!.client.post('oracle', ad)).status, 201)
    await waitFor('the ad on all five', () => nodes.every((n) => n.node.mempool.oracles.size === 1))
    const capability = fx.capabilityAd()
    assert.equal((await nodes[1]!.client.post('capability', capability)).status, 201)
    await waitFor('the capability on all five', () =>
      nodes.every((n) => n.node.mempool.capabilities.size === 1),
    )
    const update = fx.oracleAd({ seqNo: 2, tags: ['weather'] })
    assert.equal((await nodes[0]!.client.post('oracle', update)).status, 200)
    await waitFor('the update on all five', () =>
      nodes.every((n) => n.node.mempool.oracles.get(fx.ORACLE.publicKey)?.id === messageId(update)),
    )
    // The same message posted to a second node is a duplicate there, and no new gossip.
    assert.equal((await nodes[2]!.client.post('oracle', update)).status, 200)
    const stats = nodes.map((n) => n.node.network!.stats())
    assert.equal(
      stats.reduce((sum, s) => sum + s.gossip.published, 0),
      3,
      'one publish per message: by the node that admitted it over REST',
    )
    assert.ok(stats.every((s) => s.gossip.rejected === 0))
    // Wire counters: each of the three messages reached the four other nodes, at least one
    // copy each (gossipsub counts copies before its seen-cache, repeats included).
    const received = stats.reduce((sum, s) => sum + s.wire.received, 0)
    assert.ok(received >= 12, `${received} copies received`)
    assert.ok(received >= stats.reduce((sum, s) => sum + s.wire.duplicates, 0) + 12)
    assert.ok(stats.reduce((sum, s) => sum + s.wire.sent, 0) >= 12)
    assert.ok(stats.every((s) => s.wire.bytesSent > 0 && s.wire.bytesReceived > 0))
    assert.ok(
      stats.some((s) => s.wire.idontwantSent > 0),
      'message topics send IDONTWANT (idontwantMinBytes 0)',
    )
  })

  it('serves /peers and the network counters in /stats', async () => {
    const { status, body } = await nodes[0]!.client.get('peers')
    assert.equal(status, 200)
    const list = body as { self: { id: string; addresses: string[] }; items: Record<string, unknown>[] }
    assert.equal(list.self.id, nodes[0]!.node.network!.peerId!.toString())
    assert.ok(list.self.addresses.includes(nodes[0]!.address))
    assert.equal(list.items.length, 4)
    for (const peer of list.items) {
      assert.equal(peer.direction, 'inbound', 'everyone dialled node 0')
      assert.equal(typeof peer.score, 'number')
    }
    await waitFor('a ping measured', async () => {
      const { body } = await nodes[0]!.client.get('peers')
      return (body as typeof list).items.some((peer) => typeof peer.latencyMs === 'number')
    })
    const stats = (await nodes[4]!.client.get('stats')).body as { network: Record<string, unknown> }
    assert.equal(stats.network.peers, 4)
    assert.deepEqual(Object.keys(stats.network.gossip as object).sort(), [
      'accepted',
      'fromMesh',
      'fromOutsideMesh',
      'ignored',
      'orphaned',
      'published',
      'rejected',
    ])
    assert.deepEqual(Object.keys(stats.network.wire as object).sort(), [
      'bytesReceived',
      'bytesSent',
      'duplicates',
      'idontwantSent',
      'idontwantSkipped',
      'iwantAsked',
      'iwantServed',
      'received',
      'sent',
    ])
  })
})
