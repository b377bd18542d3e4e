/**
 * A sync peer serving messages no honest node holds (forged signatures) is struck for each
 * and banned, like a peer gossiping them; the node's own sync uses its signature threads.
 */
import assert from 'node:assert/strict'
import { after, describe, it } from 'node:test'
import { identify } from '@libp2p/identify'
import type { Libp2p } from '@libp2p/interface'
import { noise } from '@libp2p/noise'
import { tcp } from '@libp2p/tcp'
import { yamux } from '@libp2p/yamux'
import { multiaddr } from '@multiformats/multiaddr'
import { createLibp2p } from 'libp2p'
import { syncService } from '../../../src/network/sync-service.ts'
import { canonicalize } from '../../../src/protocol/canonical.ts'
import { messageId } from '../../../src/protocol/message.ts'
import type { OracleId } from '../../../src/protocol/messages/index.ts'
import { itemKey } from '../../../src/sync/keys.ts'
import type { SyncSource } from '../../../src/sync/source.ts'
import { SortedItems } from '../../../src/sync/storage.ts'
import * as fx from '../../support/messages.ts'
import { startNode, stopNodes, type TestNode, waitFor } from './helpers.ts'

/** Ads with valid PoW and a signature that does not verify, one key each. */
function forgedAds(count: number): OracleId[] {
  return Array.from({ length: count }, (_, i) => {
    const ad = fx.oracleAd({}, fx.keyFromSecret('ed25519', (7000 + i).toString(16).padStart(64, '0')))
    const last = ad.signature.at(-1) === '0' ? '1' : '0'
    return { ...ad, signature: ad.signature.slice(0, -1) + last }
  })
}

/** A sync source that serves whatever it is given, as a hostile peer would, in `form`. */
function lyingSource(messages: OracleId[], form: (message: OracleId) => string = canonicalize): SyncSource {
  const byId = new Map(messages.map((message) => [messageId(message), message]))
  const items = SortedItems.from([...byId.keys()].map((id) => ({ key: itemKey('oracle', fx.BITS), id })))
  return {
    snapshot: () => items,
    message: (id) => {
      const message = byId.get(id)
      return message && form(message)
    },
    submit: () => ({ status: 'invalid' }),
  }
}

/** Valid ads, one key each. */
function validAds(count: number): OracleId[] {
  return Array.from({ length: count }, (_, i) =>
    fx.oracleAd({}, fx.keyFromSecret('ed25519', (9000 + i).toString(16).padStart(64, '0'))),
  )
}

/** A libp2p node serving `source` over sync. */
function syncPeer(source: SyncSource): Promise<Libp2p> {
  return createLibp2p({
    addresses: { listen: ['/ip4/127.0.0.1/tcp/0'] },
    transports: [tcp()],
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()],
    services: { identify: identify(), sync: syncService({ source }) },
  })
}

describe('a sync peer serving forged messages', { timeout: 30_000 }, () => {
  const nodes: TestNode[] = []
  let liar: Libp2p | undefined
  after(async () => {
    await liar?.stop()
    await stopNodes(nodes)
  })

  it('is struck for each, banned and hung up on; none is admitted', async () => {
    const hub = await startNode({ invalidThreshold: 20, banSeconds: 600, sync: { signatureThreads: 2 } })
    nodes.push(hub)
    liar = await syncPeer(lyingSource(forgedAds(40)))
    const liarId = liar.peerId.toString()
    // The hub syncs with every peer that connects: it fetches the 40 ads, all forged.
    await liar.dial(multiaddr(hub.address))
    await waitFor('the liar banned', () => hub.node.network!.stats().bans.active === 1)
    const stats = hub.node.network!.stats()
    assert.equal(stats.sync?.misbehaviour, 1)
    assert.ok(stats.bans.strikes >= 20, `${stats.bans.strikes} strikes`)
    assert.equal(hub.node.mempool.oracles.size, 0)
    await waitFor(
      'the liar hung up on',
      () => !hub.node.network!.peers().items.some((peer) => peer.id === liarId),
    )
    const counts = hub.node.mempool.outcomes.byReason
    assert.equal(counts.get('SIGNATURE_INVALID'), 40, JSON.stringify(Object.fromEntries(counts)))
  })

  const otherForms: [string, (message: OracleId) => string][] = [
    ['spaced', (message) => JSON.stringify(message, null, 1)],
    ['after a byte order mark', (message) => `\ufeff${canonicalize(message)}`],
  ]
  for (const [name, form] of otherForms) {
    it(`serving valid messages in another form than the canonical one (${name}): struck and banned, none admitted`, async () => {
      const hub = await startNode({ invalidThreshold: 20, banSeconds: 600 })
      nodes.push(hub)
      const liar = await syncPeer(lyingSource(validAds(30), form))
      try {
        await liar.dial(multiaddr(hub.address))
        await waitFor('the peer banned', () => hub.node.network!.stats().bans.active === 1)
        assert.equal(hub.node.network!.stats().sync?.misbehaviour, 1)
        assert.equal(hub.node.mempool.oracles.size, 0)
      } finally {
        await liar.stop()
      }
    })
  }
})
