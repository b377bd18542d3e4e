/**
 * Convergence through set reconciliation: a node that joins late pulls everything it lacks,
 * and two halves of a partitioned network end with the same set once they reconnect.
 */
import assert from 'node:assert/strict'
import { after, describe, it } from 'node:test'
import { multiaddr } from '@multiformats/multiaddr'
import { syncService } from '../../../src/network/sync-service.ts'
import { MempoolSyncSource } from '../../../src/network/sync-source.ts'
import type { MegaNode } from '../../../src/node/node.ts'
import type { OracleId } from '../../../src/protocol/messages/index.ts'
import * as fx from '../../support/messages.ts'
import { validated } from '../../support/validated.ts'
import { startNode, stopNodes, type TestNode, waitFor } from './helpers.ts'

const running: TestNode[] = []
after(() => stopNodes(running))

/** `count` distinct oracle ads from keys seeded at `from`. */
function ads(from: number, count: number): OracleId[] {
  return Array.from({ length: count }, (_, i) => {
    const secret = (from + i).toString(16).padStart(64, '0')
    return fx.oracleAd({}, fx.keyFromSecret('ed25519', secret))
  })
}

/** The node's sync, with rounds every second instead of every minute (the test's patience). */
const fastSync = {
  libp2pServices: (node: MegaNode) => ({
    sync: syncService({
      source: new MempoolSyncSource(node.mempool, (message) => node.submit(message, 'sync'), {
        minSnapshotIntervalMs: 200,
      }),
      intervalMs: 1000,
      minPeerIntervalMs: 500,
    }),
  }),
}

const oracleIds = (node: TestNode) =>
  new Set([...node.node.mempool.oracles.strongestFirst()].map(([, o]) => o.id))

describe('sync', () => {
  it('a node started after 500 messages were posted syncs all of them', { timeout: 60_000 }, async () => {
    const first = await startNode()
    running.push(first)
    for (const ad of ads(1000, 500)) assert.equal(first.node.submit(validated(ad)).status, 'added')
    const late = await startNode({ bootstrap: [first.address] })
    running.push(late)
    await waitFor('the late node to hold all 500 ads', () => late.node.mempool.oracles.size === 500, 40_000)
    assert.deepEqual(oracleIds(late), oracleIds(first))
  })

  it('two partitions converge to the same set when they reconnect', { timeout: 90_000 }, async () => {
    const left = [await startNode({}, {}, undefined, fastSync)]
    const right = [await startNode({}, {}, undefined, fastSync)]
    for (let i = 0; i < 2; i++) {
      left.push(await startNode({ bootstrap: [left[0]!.address] }, {}, undefined, fastSync))
      right.push(await startNode({ bootstrap: [right[0]!.address] }, {}, undefined, fastSync))
    }
    const all = [...left, ...right]
    running.push(...all)
    await waitFor(
      'each half to connect',
      () => all.every((n) => n.node.network!.libp2p!.getPeers().length >= 2),
      20_000,
    )
    const leftAds = ads(5000, 40)
    const rightAds = ads(6000, 40)
    for (const [i, ad] of leftAds.entries())
      assert.equal(left[i % 3]!.node.submit(validated(ad)).status, 'added')
    for (const [i, ad] of rightAds.entries())
      assert.equal(right[i % 3]!.node.submit(validated(ad)).status, 'added')
    await waitFor(
      'each half to agree within itself',
      () => all.every((n) => n.node.mempool.oracles.size === 40),
      30_000,
    )

    await left[0]!.node.network!.libp2p!.dial(multiaddr(right[0]!.address))
    await waitFor(
      'all six nodes to hold both halves',
      () => all.every((n) => n.node.mempool.oracles.size === 80),
      60_000,
    )
    const reference = [...oracleIds(all[0]!)].sort()
    for (const node of all) assert.deepEqual([...oracleIds(node)].sort(), reference)
  })

  it('nodes with the same limits converge to the same strongest entries under eviction', {
    timeout: 60_000,
  }, async () => {
    const limits = { maxOracles: 6 }
    const a = await startNode({}, limits, undefined, fastSync)
    const b = await startNode({}, limits, undefined, fastSync)
    running.push(a, b)
    // Twelve ads of increasing work, alternately to each node before they meet.
    const keys = Array.from({ length: 12 }, (_, i) =>
      fx.keyFromSecret('ed25519', (9000 + i).toString(16).padStart(64, '0')),
    )
    for (const [i, key] of keys.entries()) {
      const target = i % 2 === 0 ? a : b
      target.node.submit(validated(fx.oracleAd({}, key, 8 + i)), 'sync')
    }
    await a.node.network!.libp2p!.dial(multiaddr(b.address))
    const strongest = keys
      .slice(6)
      .map((key) => key.publicKey)
      .sort()
    const held = (node: TestNode) =>
      [...node.node.mempool.oracles.strongestFirst()].map(([, o]) => o.key).sort()
    await waitFor(
      'both nodes to hold the six strongest ads',
      () =>
        JSON.stringify(held(a)) === JSON.stringify(strongest) &&
        JSON.stringify(held(b)) === JSON.stringify(strongest),
      40_000,
    )
  })
})
