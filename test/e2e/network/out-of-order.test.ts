/**
 * Out-of-order arrival: a peer gossips an offer before its capability and the capability
 * before its oracle. The node keeps both as orphans (no penalty), admits them when the oracle
 * arrives, and republishes them so a node behind it gets them too.
 */
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import * as fx from '../../support/messages.ts'
import { startNode, stopNodes, type TestNode, waitFor } from './helpers.ts'
import { type RawPeer, rawPeer } from './raw-peer.ts'

describe('out-of-order gossip', { timeout: 30_000 }, () => {
  let a: TestNode
  let b: TestNode
  let peer: RawPeer

  before(async () => {
    a = await startNode({ orphans: { maxPerPeer: 3, expirySeconds: 2 } })
    b = await startNode({ bootstrap: [a.address] })
    await waitFor('b connected to a', () => b.node.network!.peers().items.length === 1)
    peer = await rawPeer()
    await peer.connect(a.address)
  })
  after(async () => {
    await peer.stop()
    await stopNodes([a, b])
  })

  it('keeps children as orphans until their parent arrives, then admits and republishes them', async () => {
    assert.equal(await peer.publish('offer', fx.offer()), 1)
    await peer.publish('capability', fx.capabilityAd())
    await waitFor('two orphans on a', () => a.node.network!.orphans.size === 2)
    assert.equal(a.node.mempool.capabilities.size, 0)
    assert.equal(b.node.network!.stats().gossip.accepted, 0, 'a forwarded nothing yet')

    await peer.publish('oracle', fx.oracleAd())
    await waitFor('the oracle, capability and offer on a and b', () =>
      [a, b].every(
        (n) =>
          n.node.mempool.oracles.size === 1 &&
          n.node.mempool.capabilities.size === 1 &&
          n.node.mempool.offers.size === 1,
      ),
    )
    const stats = a.node.network!.stats()
    assert.equal(stats.gossip.orphaned, 2)
    assert.equal(stats.gossip.rejected, 0, 'an orphan is not misbehaviour')
    assert.deepEqual(
      { count: stats.orphans.count, resolved: stats.orphans.resolved },
      { count: 0, resolved: 2 },
    )
    assert.equal(stats.gossip.published, 2, 'the two orphans, republished once admitted')
    assert.equal(stats.bans.strikes, 0)
  })

  it('bounds a peer’s orphans, and drops those whose parent never comes', async () => {
    const strangers = Array.from({ length: 5 }, (_, i) => fx.testKey('ed25519', 100 + i))
    for (const oracle of strangers) await peer.publish('capability', fx.capabilityAd({}, oracle))
    await waitFor('five more capabilities seen', () => a.node.network!.stats().gossip.orphaned === 7)
    assert.equal(a.node.network!.orphans.size, 3, 'at most maxPerPeer from one peer')
    assert.equal(a.node.network!.stats().orphans.evicted, 2, 'its oldest went')
    await waitFor('expiry', () => a.node.network!.orphans.size === 0, 5_000)
    assert.equal(a.node.network!.stats().orphans.expired, 3)
    assert.equal(a.node.mempool.capabilities.size, 1)
  })
})
