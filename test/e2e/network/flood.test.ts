/**
 * A peer floods a node with messages that carry too little work (and children of oracles
 * nobody knows): the pools stay within their configured limits, the orphan pool within its
 * bounds, the heap does not grow with the flood, and none of it is forwarded.
 */
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { after, before, describe, it } from 'node:test'
import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
import { publicKeyOf } from '../../../src/protocol/signature.ts'
import * as fx from '../../support/messages.ts'
import { startNode, stopNodes, type TestNode, waitFor, waitForMesh } from './helpers.ts'
import { type RawPeer, rawPeer } from './raw-peer.ts'

setFlagsFromString('--expose-gc')
const gc = runInNewContext('gc') as () => void

function heapAfterGc(): number {
  gc()
  return process.memoryUsage().heapUsed
}

function randomKey(): fx.TestKey {
  const secretKey = randomBytes(32).toString('hex')
  return { scheme: 'ed25519', secretKey, publicKey: publicKeyOf('ed25519', secretKey) }
}

const FLOOD = 600
const LIMITS = { maxOracles: 20 }
const ORPHANS = { maxCount: 100, maxPerPeer: 50, maxBytes: 64 * 1024, expirySeconds: 600 }

describe('a flood of low-PoW messages', { timeout: 30_000 }, () => {
  let a: TestNode
  let b: TestNode
  let peer: RawPeer

  before(async () => {
    a = await startNode({ orphans: ORPHANS }, LIMITS)
    b = await startNode({ bootstrap: [a.address] }, LIMITS)
    await waitFor('b connected', () => b.node.network!.peers().items.length === 1)
    await waitForMesh([a, b], ['oracle'])
    peer = await rawPeer()
    await peer.connect(a.address)
  })
  after(async () => {
    await peer.stop()
    await stopNodes([a, b])
  })

  it('keeps pools, orphans and memory within the configured limits', async () => {
    // Fill the oracle pool with honest ads first, so the flood has to beat them.
    for (let seed = 10; seed < 30; seed++) {
      assert.equal(
        (await a.client.post('oracle', fx.oracleAd({}, fx.testKey('ed25519', seed), 12))).status,
        201,
      )
    }
    await waitFor('b holds the 20 honest ads', () => b.node.mempool.oracles.size === 20)
    const weak = Array.from({ length: FLOOD }, (_, i) => fx.oracleAd({}, randomKey(), i % 2 === 0 ? 8 : 3))
    const strays = Array.from({ length: FLOOD / 2 }, () => fx.capabilityAd({}, randomKey()))
    const before = heapAfterGc()
    for (const ad of weak) await peer.publish('oracle', ad)
    for (const capability of strays) await peer.publish('capability', capability)
    await waitFor(
      'the whole flood processed',
      () => {
        const { gossip } = a.node.network!.stats()
        return gossip.ignored + gossip.orphaned >= FLOOD * 1.5
      },
      20_000,
    )
    const grown = heapAfterGc() - before
    const stats = a.node.network!.stats()
    assert.equal(a.node.mempool.oracles.size, LIMITS.maxOracles)
    assert.equal(a.node.mempool.capabilities.size, 0)
    assert.ok(stats.orphans.count <= ORPHANS.maxPerPeer, `orphans ${stats.orphans.count}`)
    assert.ok(stats.orphans.bytes <= ORPHANS.maxBytes)
    assert.equal(stats.orphans.evicted, FLOOD / 2 - stats.orphans.count)
    assert.equal(stats.gossip.accepted, 0, 'no weak ad entered')
    assert.equal(stats.gossip.rejected, 0, 'too little work is not misbehaviour: ignored, no penalty')
    assert.equal(b.node.network!.stats().gossip.accepted, 20, 'b got the honest ads and nothing of the flood')
    const { outcomes } = a.node.mempool
    assert.equal(outcomes.byReason.get('POW_TOO_WEAK'), FLOOD / 2)
    assert.equal(a.node.mempool.countOf('low-pow'), FLOOD / 2)
    // The flood itself is ~0.5 MB of JSON; what the node keeps of it is bounded, so the heap
    // grows by gossipsub's seen-cache of ids and little else.
    assert.ok(grown < 16 * 1024 * 1024, `heap grew by ${(grown / 1048576).toFixed(1)} MiB`)
  })
})
