/**
 * Sync over real libp2p nodes on loopback (TCP, Noise, Yamux): a fresh node pulls every message
 * a peer holds; after a partition, both sides converge to the union; three nodes converge by
 * periodic syncs; updates (higher seqNo, more work) travel and nothing is fetched in a loop.
 */
import assert from 'node:assert/strict'
import { after, describe, it } from 'node:test'
import { build } from '../../../bench/admission-messages.ts'
import { mineMessageSync } from '../../../src/protocol/message-pow.ts'
import type { OracleId } from '../../../src/protocol/messages/index.ts'
import { type Draft, sign } from '../../../src/protocol/sign.ts'
import { publicKeyOf } from '../../../src/protocol/signature.ts'
import {
  connect,
  heldIds,
  messages,
  nextSync,
  type SyncTestNode,
  stopAll,
  syncNode,
  waitFor,
} from './nodes.ts'

const started: SyncTestNode[] = []
after(() => stopAll(started))

async function node(...args: Parameters<typeof syncNode>): Promise<SyncTestNode> {
  const created = await syncNode(...args)
  started.push(created)
  return created
}

describe('sync over libp2p', () => {
  it('a fresh node syncs 500 real messages from a peer, in dependency order', async () => {
    const held = messages(0, 125) // 125 oracles, capabilities, reports and offers
    const a = await node(held)
    const b = await node()
    const synced = nextSync(b, a)
    await connect(b, a)
    const stats = await synced
    assert.equal(stats.need, 500)
    assert.equal(stats.outcomes.added, 500, JSON.stringify(stats.outcomes))
    assert.equal(stats.bad, 0)
    assert.deepEqual(heldIds(b), heldIds(a))
    assert.equal(b.mempool.oracles.size, 125)
    assert.equal(b.mempool.offers.size, 125)
  })

  it('after a partition, both sides converge to the union', async () => {
    const common = messages(200, 230)
    const a = await node([...common, ...messages(230, 260)])
    const b = await node([...common, ...messages(260, 300)])
    const aSynced = nextSync(a, b)
    const bSynced = nextSync(b, a)
    await connect(a, b)
    const [fromB, fromA] = await Promise.all([aSynced, bSynced])
    assert.equal(fromB.need, 160)
    assert.equal(fromA.need, 120)
    assert.deepEqual(heldIds(a), heldIds(b))
    assert.equal(heldIds(a).length, 120 + 120 + 160)
  })

  it('three nodes in a line converge by periodic syncs', async () => {
    const init = { intervalMs: 300, minPeerIntervalMs: 200 }
    const a = await node(messages(300, 310), init)
    const b = await node(messages(310, 320), init)
    const c = await node(messages(320, 330), init)
    await connect(a, b)
    await connect(b, c)
    await waitFor('all three nodes to hold 120 messages', () =>
      [a, b, c].every(
        (n) =>
          n.mempool.oracles.size +
            n.mempool.capabilities.size +
            n.mempool.reports.size +
            n.mempool.offers.size ===
          120,
      ),
    )
    assert.deepEqual(heldIds(a), heldIds(c))
    assert.deepEqual(heldIds(a), heldIds(b))
  })

  it('newer versions win and are not fetched back and forth', async () => {
    const secret = '11'.repeat(32)
    const ad = (seqNo: number, bits: number) => {
      const draft: Draft<OracleId> = {
        kind: 'oracle',
        scheme: 'ed25519',
        pubkey: publicKeyOf('ed25519', secret),
        seqNo,
        tags: ['sync'],
      }
      return mineMessageSync<OracleId>(sign<OracleId>(draft, secret), bits)
    }
    const strong = build({ kind: 'oracle', keys: 'sync-upgrade', bits: 8, count: 1 }, 0) as OracleId
    const stronger = mineMessageSync<OracleId>({ ...strong, pow: undefined } as never, 11)
    const a = await node([ad(2, 8), stronger])
    const b = await node([ad(1, 8), strong])
    const aSynced = nextSync(a, b)
    const bSynced = nextSync(b, a)
    await connect(a, b)
    const [aStats, bStats] = await Promise.all([aSynced, bSynced])
    // b takes the newer ad and the extra work; a refuses the stale ad and skips the weaker copy.
    assert.equal(bStats.outcomes.updated, 2, JSON.stringify(bStats))
    assert.equal(aStats.wanted, 1, 'the weaker copy of an entry a holds is not fetched')
    assert.equal(aStats.outcomes.invalid, 1, 'the stale ad is refused')
    assert.deepEqual(heldIds(a), heldIds(b))
    // Again: nothing left to fetch either way, and one round trip each.
    const again = await a.sync.syncWith(b.libp2p.peerId)
    assert.equal(again.need, 0)
    assert.equal(again.rounds, 1)
  })

  it('compares with the naive inventory method', async () => {
    const quiet = { syncOnConnect: false }
    const a = await node(messages(400, 450), quiet)
    const b = await node(messages(400, 440), quiet)
    const c = await node(messages(400, 440), quiet)
    await connect(b, a)
    await connect(c, a)
    await waitFor('b and c to see a', () => b.sync.peers.length > 0 && c.sync.peers.length > 0)
    const range = await b.sync.syncWith(a.libp2p.peerId)
    const naive = await c.sync.syncWith(a.libp2p.peerId, { method: 'inventory' })
    for (const stats of [range, naive]) {
      assert.equal(stats.need, 40)
      assert.equal(stats.outcomes.added, 40)
    }
    assert.deepEqual(heldIds(b), heldIds(a))
    assert.deepEqual(heldIds(c), heldIds(a))
    assert.equal(naive.rounds, 1, 'one inventory page')
  })
})
