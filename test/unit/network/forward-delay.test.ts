/**
 * The forward hold (`gossip.forwardDelayMs`): an accepted message is released for forwarding
 * only once the hold has passed since it arrived, so mesh peers' IDONTWANTs can come first;
 * refused messages are not held.
 */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { TopicValidatorResult } from '@libp2p/gossipsub'
import { peerIdFromString } from '@libp2p/peer-id'
import { pino } from 'pino'
import { Mempool } from '../../../src/mempool/mempool.ts'
import { AdmissionPipeline } from '../../../src/mempool/pipeline.ts'
import { BanList } from '../../../src/network/bans.ts'
import { Gossip, type Orphaned } from '../../../src/network/gossip.ts'
import type { MegaGossipSub } from '../../../src/network/libp2p.ts'
import { defaultNetworkOptions } from '../../../src/network/options.ts'
import { OrphanPool } from '../../../src/network/orphans.ts'
import { topicOf } from '../../../src/network/topics.ts'
import { canonicalBytes } from '../../../src/protocol/canonical.ts'
import * as fx from '../../support/messages.ts'
import { LOW } from '../../support/pool-settings.ts'

const PEER = peerIdFromString('12D3KooWJWoaqZhDaoEFshF7Rh1bpY9ohihFhzcW6d69Lr2NASuq')

/** `meshPeers`: this node's mesh of the oracle topic (all validation reads of gossipsub). */
function gossip(forwardDelayMs: number, meshPeers: string[] = []) {
  const mempool = new Mempool({ minBits: LOW }, { now: () => 1_850_000_000 })
  const pipeline = new AdmissionPipeline(mempool)
  return new Gossip({
    // Validation reads only gossipsub's mesh (by which path a copy came).
    pubsub: { mesh: new Map([[topicOf('oracle'), new Set(meshPeers)]]) } as unknown as MegaGossipSub,
    submit: (message) => pipeline.submit(message, 'gossip'),
    events: pipeline.events,
    bans: new BanList({ threshold: 10, windowSeconds: 60, banSeconds: 60 }),
    orphans: new OrphanPool<Orphaned>(defaultNetworkOptions.orphans),
    logger: pino({ level: 'silent' }),
    strike: () => {},
    forwardDelayMs,
  })
}

async function timed(run: () => Promise<TopicValidatorResult>): Promise<[TopicValidatorResult, number]> {
  const started = performance.now()
  const result = await run()
  return [result, performance.now() - started]
}

describe('the forward hold', () => {
  it('releases an accepted message after the hold, and refusals at once', async () => {
    const held = gossip(80)
    const ad = canonicalBytes(fx.oracleAd())
    const [accepted, acceptMs] = await timed(() => held.validate('oracle', PEER, ad))
    assert.equal(accepted, TopicValidatorResult.Accept)
    assert.ok(acceptMs >= 75, `accepted after ${acceptMs.toFixed(1)} ms`)
    const [duplicate, duplicateMs] = await timed(() => held.validate('oracle', PEER, ad))
    assert.equal(duplicate, TopicValidatorResult.Ignore)
    const [rejected, rejectMs] = await timed(() => held.validate('oracle', PEER, new Uint8Array([123])))
    assert.equal(rejected, TopicValidatorResult.Reject)
    assert.ok(duplicateMs < 40 && rejectMs < 40, `${duplicateMs.toFixed(1)} and ${rejectMs.toFixed(1)} ms`)
  })

  it('is off at 0', async () => {
    const [accepted, ms] = await timed(() =>
      gossip(0).validate('oracle', PEER, canonicalBytes(fx.oracleAd())),
    )
    assert.equal(accepted, TopicValidatorResult.Accept)
    assert.ok(ms < 75, `${ms.toFixed(1)} ms`)
  })
})

describe('the path of a first copy', () => {
  it('counts an accepted copy from a mesh peer as from the mesh, from another peer as from outside it', async () => {
    const OTHER = peerIdFromString('12D3KooWQYhTNQdmr3ArTeUHRYzFg94BKyTkoWBDWez9kSCVe2Xo')
    const node = gossip(0, [PEER.toString()])
    await node.validate('oracle', PEER, canonicalBytes(fx.oracleAd()))
    await node.validate('oracle', OTHER, canonicalBytes(fx.oracleAd({}, fx.testKey('ed25519', 3))))
    // Refused and ignored copies are not counted by path.
    await node.validate('oracle', OTHER, new Uint8Array([123]))
    await node.validate('oracle', PEER, canonicalBytes(fx.oracleAd()))
    const { accepted, fromMesh, fromOutsideMesh } = node.counters
    assert.deepEqual(
      { accepted, fromMesh, fromOutsideMesh },
      { accepted: 2, fromMesh: 1, fromOutsideMesh: 1 },
    )
  })
})
