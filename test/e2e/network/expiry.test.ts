/**
 * Expired offers leave every node: purged from the pools (and their bytes), deleted from the
 * store, never synced. Two nodes with offers expiring end with the same offers, where a node
 * that kept them would differ forever from a fresh node that refuses them as EXPIRED.
 */
import assert from 'node:assert/strict'
import { after, describe, it } from 'node:test'
import { multiaddr } from '@multiformats/multiaddr'
import { syncService } from '../../../src/network/sync-service.ts'
import { MempoolSyncSource } from '../../../src/network/sync-source.ts'
import type { MegaNode } from '../../../src/node/node.ts'
import { messageId } from '../../../src/protocol/message.ts'
import { openMempoolStore } from '../../../src/store/index.ts'
import { offerExpiring } from '../../support/expiring-offer.ts'
import * as fx from '../../support/messages.ts'
import { validated } from '../../support/validated.ts'
import { startNode, stopNodes, type TestNode, waitFor } from './helpers.ts'

const SKEW = 300

const running: TestNode[] = []
after(() => stopNodes(running))

describe('expired offers', () => {
  it('two nodes converge: the expired offer is purged and deleted from the store, the live one syncs', {
    timeout: 60_000,
  }, async () => {
    let now = Math.floor(Date.now() / 1000)
    const clock = () => now
    const components = (node: MegaNode) => ({
      sync: syncService({
        source: new MempoolSyncSource(node.mempool, (message) => node.submit(message, 'sync'), {
          minSnapshotIntervalMs: 100,
        }),
        intervalMs: 500,
        minPeerIntervalMs: 250,
      }),
    })
    const init = { now: clock, libp2pServices: components }
    const a = await startNode({}, { clockSkewSeconds: SKEW }, undefined, init)
    const b = await startNode({}, { clockSkewSeconds: SKEW }, undefined, init)
    running.push(a, b)
    const expiring = offerExpiring(now + 10, '00000000000000b1')
    const live = offerExpiring(now + 100_000, '00000000000000b2')
    for (const message of [fx.oracleAd(), fx.capabilityAd(), expiring, live])
      assert.equal(a.node.submit(validated(message), 'sync').status, 'added')
    now += 10 + SKEW + 1

    await b.node.network!.libp2p!.dial(multiaddr(a.address))
    const offerIds = (test: TestNode) => [...test.node.mempool.offers.strongestFirst()].map(([, o]) => o.id)
    const onlyLive = JSON.stringify([messageId(live)])
    await waitFor(
      'both nodes to hold the live offer alone',
      () => [a, b].every((test) => JSON.stringify(offerIds(test)) === onlyLive),
      30_000,
    )
    assert.equal(a.node.mempool.outcomes.byReason.get('EXPIRED') ?? 0, 0, 'a never served it')
    assert.equal(b.node.mempool.outcomes.byReason.get('EXPIRED') ?? 0, 0, 'b was never offered it')

    // The store of a lost the row with the offer.
    await a.node.stop()
    const store = openMempoolStore({ dataDir: a.dataDir })
    const offers = store.load().records.filter((record) => record.kind === 'offer')
    store.close()
    assert.equal(offers.length, 1)
    assert.equal(offers[0]!.message.kind === 'offer' && offers[0]!.message.terms.nonce, '00000000000000b2')
  })

  it('an offer that expired while the node was down is not restored, and its row goes', {
    timeout: 30_000,
  }, async () => {
    let now = Math.floor(Date.now() / 1000)
    const init = { now: () => now }
    const first = await startNode({ enabled: false }, { clockSkewSeconds: SKEW }, undefined, init)
    for (const message of [fx.oracleAd(), fx.capabilityAd(), offerExpiring(now + 10, '00000000000000c1')])
      assert.equal(first.node.submit(validated(message)).status, 'added')
    await first.node.stop()
    now += 10 + SKEW + 1
    const again = await startNode({ enabled: false }, { clockSkewSeconds: SKEW }, first.dataDir, init)
    running.push(again)
    assert.equal(again.node.mempool.offers.size, 0)
    assert.equal(again.node.mempool.capabilities.size, 1)
    await again.node.stop()
    const store = openMempoolStore({ dataDir: again.dataDir })
    assert.deepEqual(
      store.load().records.filter((record) => record.kind === 'offer'),
      [],
    )
    store.close()
  })
})
