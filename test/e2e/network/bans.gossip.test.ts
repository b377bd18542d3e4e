/**
 * A peer that gossips messages with bad signatures: every one is rejected (never forwarded),
 * and after `invalidThreshold` of them the node hangs up on it and refuses it, while honest
 * nodes keep exchanging messages through the same node.
 */
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { multiaddr } from '@multiformats/multiaddr'
import type { OracleId } from '../../../src/protocol/messages/index.ts'
import * as fx from '../../support/messages.ts'
import { startNode, stopNodes, type TestNode, waitFor } from './helpers.ts'
import { type RawPeer, rawPeer } from './raw-peer.ts'

/** An oracle ad with valid PoW (bound to the key) and a signature that does not verify. */
function forged(seqNo: number): OracleId {
  const ad = fx.oracleAd({ seqNo })
  const last = ad.signature.at(-1) === '0' ? '1' : '0'
  return { ...ad, signature: ad.signature.slice(0, -1) + last }
}

describe('a peer sending invalid messages', { timeout: 30_000 }, () => {
  const network = { invalidThreshold: 5, invalidWindowSeconds: 60, banSeconds: 600 }
  let nodes: TestNode[] = []
  let hub: TestNode
  let attacker: RawPeer

  before(async () => {
    hub = await startNode(network)
    const others = await Promise.all([1, 2].map(() => startNode({ ...network, bootstrap: [hub.address] })))
    nodes = [hub, ...others]
    await waitFor('a full mesh of three', () =>
      nodes.every((n) => n.node.network!.peers().items.length === 2),
    )
    attacker = await rawPeer()
    await attacker.connect(hub.address)
  })
  after(async () => {
    await attacker.stop()
    await stopNodes(nodes)
  })

  it('is rejected, scored down, disconnected and refused, while honest traffic flows', async () => {
    const attackerId = attacker.libp2p.peerId.toString()
    for (let seqNo = 1; seqNo <= 4; seqNo++) await attacker.publish('oracle', forged(seqNo))
    await waitFor('four rejections', () => hub.node.network!.stats().gossip.rejected === 4)
    // (gossipsub caches scores for a moment)
    await waitFor('a negative gossipsub score', () => {
      const score = hub.node.network!.peers().items.find((peer) => peer.id === attackerId)?.score
      return score !== undefined && score < 0
    })

    // Honest traffic through the hub while the attacker is connected.
    assert.equal((await nodes[1]!.client.post('oracle', fx.oracleAd())).status, 201)
    await waitFor('the honest ad on all three', () => nodes.every((n) => n.node.mempool.oracles.size === 1))

    await attacker.publish('oracle', forged(5))
    await waitFor('the attacker banned and disconnected', () => {
      const stats = hub.node.network!.stats()
      return (
        stats.bans.active === 1 && !hub.node.network!.peers().items.some((peer) => peer.id === attackerId)
      )
    })
    // Its dial may complete the handshake on its side; the hub's gater drops it right after.
    await attacker.libp2p.dial(multiaddr(hub.address), { signal: AbortSignal.timeout(5_000) }).catch(() => {})
    await waitFor('the redial dropped', () => attacker.libp2p.getConnections().length === 0, 3_000)
    assert.ok(!hub.node.network!.peers().items.some((peer) => peer.id === attackerId), 'the hub refused it')
    for (const n of nodes.slice(1)) {
      const stats = n.node.network!.stats()
      assert.equal(stats.gossip.rejected, 0, 'invalid messages were never forwarded')
      assert.equal(stats.bans.total, 0)
    }

    // Honest traffic after the ban.
    const capability = fx.capabilityAd()
    assert.equal((await nodes[2]!.client.post('capability', capability)).status, 201)
    await waitFor('the honest capability on all three', () =>
      nodes.every((n) => n.node.mempool.capabilities.size === 1),
    )
    assert.equal(hub.node.mempool.oracles.get(fx.ORACLE.publicKey)?.message.seqNo, 1, 'no forged update')
  })
})
