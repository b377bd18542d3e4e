/**
 * Gossip carries each message as its canonical bytes only. A peer that sends other forms of a
 * message the node holds (spacing, key order, a byte order mark: each a new gossip id) is rejected and struck for
 * each, then banned; the canonical bytes and the republished form (one trailing newline) are
 * plain duplicates.
 */
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { canonicalBytes, canonicalize } from '../../../src/protocol/canonical.ts'
import { utf8 } from '../../../src/protocol/hex.ts'
import * as fx from '../../support/messages.ts'
import { startNode, stopNodes, type TestNode, waitFor } from './helpers.ts'
import { type RawPeer, rawPeer } from './raw-peer.ts'

describe('a peer gossiping other forms of a held message', { timeout: 30_000 }, () => {
  let hub: TestNode
  let peer: RawPeer
  const ad = fx.oracleAd()

  before(async () => {
    hub = await startNode({ invalidThreshold: 6, banSeconds: 600 })
    assert.equal((await hub.client.post('oracle', ad)).status, 201)
    peer = await rawPeer()
    await peer.connect(hub.address)
  })
  after(async () => {
    await peer.stop()
    await stopNodes([hub])
  })

  it('sending the canonical bytes, or them and one newline, is a duplicate, not a fault', async () => {
    // The canonical bytes are in the hub's seen-cache (it published them): dropped unparsed.
    await peer.publish('oracle', canonicalBytes(ad))
    await peer.publish('oracle', utf8(`${canonicalize(ad)}\n`))
    await waitFor('the newline form ignored', () => hub.node.network!.stats().gossip.ignored === 1)
    const stats = hub.node.network!.stats()
    assert.equal(stats.wire.duplicates, 1)
    assert.equal(stats.bans.strikes, 0)
  })

  it('sending other forms is rejected and struck for each, then banned', async () => {
    const peerId = peer.libp2p.peerId.toString()
    const variants = [
      JSON.stringify(ad, null, 1),
      JSON.stringify(ad, null, 2),
      ` ${canonicalize(ad)}`,
      `${canonicalize(ad)}\n\n`,
      JSON.stringify(Object.fromEntries(Object.entries(ad).reverse())),
      // A byte order mark before the canonical bytes: not JCS(m), and not JSON here (BAD_JSON).
      `\ufeff${canonicalize(ad)}`,
    ]
    for (const variant of variants) await peer.publish('oracle', utf8(variant))
    await waitFor('the peer banned and hung up on', () => {
      const stats = hub.node.network!.stats()
      return stats.bans.active === 1 && !hub.node.network!.peers().items.some((p) => p.id === peerId)
    })
    const stats = hub.node.network!.stats()
    assert.equal(stats.gossip.rejected, 6)
    assert.equal(stats.bans.strikes, 6)
    assert.equal(hub.node.mempool.oracles.size, 1)
  })
})
