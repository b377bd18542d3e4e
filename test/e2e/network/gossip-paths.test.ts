/**
 * By which path a message's first copy reaches a node, as `/stats` counts it: from a mesh
 * peer (forwarded or published along the mesh), or from a peer outside the mesh, asked for
 * with IWANT after its IHAVE (heartbeat gossip, up to a heartbeat late).
 */
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { multiaddr } from '@multiformats/multiaddr'
import { topicOf } from '../../../src/network/topics.ts'
import * as fx from '../../support/messages.ts'
import { startNode, stopNodes, type TestNode, waitFor, waitForMesh } from './helpers.ts'
import { type RawPeer, rawPeer } from './raw-peer.ts'

describe('gossip paths', { timeout: 30_000 }, () => {
  let a: TestNode
  let b: TestNode
  let peer: RawPeer

  before(async () => {
    a = await startNode()
    b = await startNode({ bootstrap: [a.address] })
  })
  after(async () => {
    await peer?.stop()
    await stopNodes([a, b])
  })

  it('counts a copy forwarded by a mesh peer as from the mesh', async () => {
    await waitForMesh([a, b], ['oracle'])
    assert.equal((await a.client.post('oracle', fx.oracleAd())).status, 201)
    await waitFor('the ad on b', () => b.node.mempool.oracles.size === 1)
    const { gossip, wire } = b.node.network!.stats()
    assert.deepEqual(
      { fromMesh: gossip.fromMesh, fromOutsideMesh: gossip.fromOutsideMesh },
      { fromMesh: 1, fromOutsideMesh: 0 },
    )
    assert.equal(wire.iwantAsked, 0)
    assert.equal(a.node.network!.stats().wire.iwantServed, 0)
  })

  it('counts a copy asked for with IWANT after an IHAVE as from outside the mesh', async () => {
    // A peer that keeps no mesh (it refuses grafts) holds a message it published while alone:
    // once connected, it can only announce it at its heartbeat (IHAVE), and b asks (IWANT).
    peer = await rawPeer({ D: 0, Dlo: 0, Dhi: 0, Dout: 0, Dscore: 0 })
    const ad = fx.oracleAd({}, fx.testKey('ed25519', 7))
    await peer.publish('oracle', ad)
    // b dials, so the peer sees an inbound connection and prunes b's graft (over Dhi).
    const address = peer.libp2p.getMultiaddrs()[0]!.toString()
    await b.node.network!.libp2p!.dial(multiaddr(address))
    await waitFor('the ad on b', () => b.node.mempool.oracles.size === 2)
    const { gossip, wire } = b.node.network!.stats()
    assert.deepEqual(
      { fromMesh: gossip.fromMesh, fromOutsideMesh: gossip.fromOutsideMesh },
      { fromMesh: 1, fromOutsideMesh: 1 },
    )
    assert.equal(wire.iwantAsked, 1, 'b asked for the one id it did not have')
    const peerId = peer.libp2p.peerId.toString()
    assert.ok(!b.node.network!.libp2p!.services.pubsub.getMeshPeers(topicOf('oracle')).includes(peerId))
    // a got it along the mesh from b.
    await waitFor('the ad on a', () => a.node.mempool.oracles.size === 2)
    assert.equal(a.node.network!.stats().gossip.fromMesh, 1)
  })
})
