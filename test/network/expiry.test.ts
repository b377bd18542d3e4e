/**
 * Expired offers leave every node: purged from the pools (and their bytes), deleted from the
 * store, never synced. Two nodes with offers expiring end with the same offers, where a node
 * that kept them would differ forever from a fresh node that refuses them as EXPIRED.
 */
import assert from 'node:assert/strict'
import { after, describe, it } from 'node:test'
import { multiaddr } from '@multiformats/multiaddr'
import { Mempool } from '../../src/mempool/mempool.ts'
import { admitValue } from '../../src/mempool/pipeline.ts'
import { syncService } from '../../src/network/sync-service.ts'
import { MempoolSyncSource } from '../../src/network/sync-source.ts'
import type { MegaNode } from '../../src/node/node.ts'
import { messageId, offerKey } from '../../src/protocol/message.ts'
import { mineMessageSync } from '../../src/protocol/message-pow.ts'
import type { Offer } from '../../src/protocol/messages/index.ts'
import { type Draft, sign } from '../../src/protocol/sign.ts'
import { openMempoolStore } from '../../src/store/index.ts'
import * as fx from '../fixtures/messages.ts'
import { validated } from '../fixtures/validated.ts'
import { LOW, startNode, stopNodes, type TestNode, waitFor } from './helpers.ts'

const SKEW = 300

/** An open offer on the fixture capability that expires at `expires`. */
function offerExpiring(expires: number, nonce: string): Offer {
  const draft: Draft<Offer> = { ...fx.offer(), seqNo: 0 }
  const { signature: _signature, pow: _pow, ...unsigned } = draft as Offer
  const terms = { ...unsigned.terms, expires, nonce }
  return mineMessageSync<Offer>(sign<Offer>({ ...unsigned, terms } as Draft<Offer>, fx.TRADER.secretKey), 8)
}

const running: TestNode[] = []
after(() => stopNodes(running))

describe('expired offers', () => {
  it('are purged from the pool, with their bytes, at expiry plus the tolerated skew', () => {
    let now = 1_850_000_000
    const pool = new Mempool({ minBits: LOW, clockSkewSeconds: SKEW }, { now: () => now })
    for (const message of [fx.oracleAd(), fx.capabilityAd()]) admitValue(pool, message)
    const bytesBefore = pool.bytes
    const soon = offerExpiring(now + 10, '00000000000000a1')
    const later = offerExpiring(now + 1000, '00000000000000a2')
    for (const offer of [soon, later]) assert.equal(admitValue(pool, offer).admission.status, 'added')
    now += 10 + SKEW
    assert.equal(pool.purgeExpired().removed.length, 0, 'still within the skew')
    now += 1
    const { removed } = pool.purgeExpired()
    assert.deepEqual(removed, [{ kind: 'offer', key: offerKey(soon) }])
    assert.equal(pool.offers.size, 1)
    assert.equal(admitValue(pool, soon).admission.reason?.code, 'EXPIRED', 'and refused like on a fresh node')
    // Admission purges first: the next message of any kind takes the other one along.
    now += 1000
    const { changes } = admitValue(pool, fx.oracleAd())
    assert.equal(changes.removed.length, 1)
    assert.equal(pool.offers.size, 0)
    assert.equal(pool.bytes, bytesBefore, 'the byte budget is given back')
  })

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
