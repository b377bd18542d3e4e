/**
 * One size rule at every entry point: a message's size is its canonical form `JCS(m)` with its
 * proofs, the bytes a node publishes, and nothing larger than 64 KiB is admitted, whatever the
 * whitespace of the body that brought it. Property: whatever a node admits through REST, a
 * peer's gossip validator (the real one) accepts as the node publishes it.
 */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { TopicValidatorResult } from '@libp2p/gossipsub'
import { peerIdFromString } from '@libp2p/peer-id'
import fc from 'fast-check'
import { pino } from 'pino'
import { buildApi } from '../../../src/api/index.ts'
import { Mempool } from '../../../src/mempool/mempool.ts'
import { AdmissionPipeline, admitValue } from '../../../src/mempool/pipeline.ts'
import { BanList } from '../../../src/network/bans.ts'
import { Gossip, type Orphaned } from '../../../src/network/gossip.ts'
import type { MegaGossipSub } from '../../../src/network/libp2p.ts'
import { defaultNetworkOptions } from '../../../src/network/options.ts'
import { OrphanPool } from '../../../src/network/orphans.ts'
import { canonicalBytes } from '../../../src/protocol/canonical.ts'
import { messageSize } from '../../../src/protocol/message.ts'
import type { Message } from '../../../src/protocol/messages/index.ts'
import { LIMITS } from '../../../src/protocol/messages/limits.ts'
import * as fx from '../../support/messages.ts'
import { LOW, NOW } from '../../support/pool-settings.ts'

const PEER = peerIdFromString('12D3KooWJWoaqZhDaoEFshF7Rh1bpY9ohihFhzcW6d69Lr2NASuq')
/** Characters of 1, 2, 3 and 4 UTF-8 bytes, and a control character (6 bytes escaped). */
const CHARACTERS = ['a', 'é', '€', '😀', '\u0001']

/** A gossip endpoint over its own mempool; `sent` collects what it publishes. */
function gossipNode() {
  const mempool = new Mempool({ minBits: LOW }, { now: () => NOW })
  const sent: { topic: string; bytes: Uint8Array }[] = []
  const strikes: string[] = []
  const pubsub = {
    publish: async (topic: string, bytes: Uint8Array) => {
      sent.push({ topic, bytes })
      return { recipients: [] }
    },
    mesh: new Map(),
  } as unknown as MegaGossipSub
  const pipeline = new AdmissionPipeline(mempool)
  const gossip = new Gossip({
    pubsub,
    submit: (message) => pipeline.submit(message, 'gossip'),
    events: pipeline.events,
    bans: new BanList({ threshold: 1000, windowSeconds: 60, banSeconds: 60 }),
    orphans: new OrphanPool<Orphaned>(defaultNetworkOptions.orphans),
    logger: pino({ level: 'silent' }),
    strike: (peer) => strikes.push(peer),
  })
  return { mempool, gossip, sent, strikes }
}

/**
 * A node (REST API whose submit admits and then publishes, as MegaNode does) and a peer, both
 * holding the oracle the generated capabilities belong to.
 */
async function nodeAndPeer() {
  const node = gossipNode()
  const peer = gossipNode()
  const app = await buildApi({
    mempool: node.mempool,
    submit: async (message) => {
      const { admission } = node.mempool.admit(message)
      if (admission.status === 'added' || admission.status === 'updated')
        await node.gossip.publish(message.kind, message)
      return admission
    },
  })
  const ad = fx.oracleAd({}, fx.ORACLE, 10)
  for (const pool of [node.mempool, peer.mempool])
    assert.equal(admitValue(pool, ad).admission.status, 'added')
  return { app, node, peer }
}

/** A capability whose answers make it about `answers × length` characters of `character`. */
function largeCapability(answers: number, length: number, character: string, seqNo = 1) {
  // Lengths count code points, like the schema's maxLength.
  const values = Array.from({ length: answers }, (_, i) => `${i}${character.repeat(length - `${i}`.length)}`)
  return fx.capabilityAd({ answers: [...new Set(values)], seqNo })
}

describe('the size of a message', () => {
  it('is the length of its canonical form with proofs, for every kind', () => {
    const capability = fx.capabilityAd({ attestation: 'signature' })
    const samples: Message[] = [
      fx.oracleAd(),
      capability,
      fx.report({ type: 'free-form', comment: 'é😀\u0001', links: [] }),
      fx.report({ type: 'free-form', comment: 'anonymous', links: [] }, null),
      fx.report({ type: 'fact-missing', capability, commitment: fx.commitment(NOW - 3600) }),
      fx.dispute('ab'.repeat(32)),
      fx.finalizedOffer(),
      largeCapability(200, 60, '\u0001'),
    ]
    for (const message of samples)
      assert.equal(messageSize(message), canonicalBytes(message).length, message.kind)
  })

  it('REST refuses a capability over 64 KiB canonical, even in a body under the body limit', async (t) => {
    const { app } = await nodeAndPeer()
    t.after(() => app.close())
    const large = largeCapability(256, 64, '\u0001') // ≈ 16k characters of 6 bytes (escaped)
    const raw = JSON.stringify(large)
    assert.ok(Buffer.byteLength(raw) > LIMITS.messageBytes && Buffer.byteLength(raw) < 128 * 1024)
    const answer = await app.inject({
      method: 'POST',
      url: '/capability',
      headers: { 'content-type': 'application/json' },
      payload: raw,
    })
    assert.equal(answer.statusCode, 413)
    assert.equal(answer.json().code, 'TOO_LARGE')
    // The measure is the canonical form: whitespace in the body does not count.
    const small = fx.capabilityAd()
    const padded = await app.inject({
      method: 'POST',
      url: '/capability',
      headers: { 'content-type': 'application/json' },
      payload: JSON.stringify(small, null, 2) + ' '.repeat(70_000),
    })
    assert.equal(padded.statusCode, 201)
  })

  it('whatever a node admits through REST, a peer accepts on gossip as published', {
    timeout: 120_000,
  }, async () => {
    const { app, node, peer } = await nodeAndPeer()
    let seqNo = 1
    let admitted = 0
    let refused = 0
    await fc.assert(
      fc.asyncProperty(
        // Often at the limits of the schema, where the size limit bites.
        fc.oneof(fc.integer({ min: 1, max: 256 }), fc.integer({ min: 200, max: 256 })),
        fc.oneof(fc.integer({ min: 4, max: 64 }), fc.constant(64)),
        fc.constantFrom(...CHARACTERS),
        fc.boolean(),
        async (answers, length, character, pretty) => {
          const capability = largeCapability(answers, length, character, ++seqNo)
          const payload = pretty ? JSON.stringify(capability, null, 1) : JSON.stringify(capability)
          node.sent.length = 0
          const answer = await app.inject({
            method: 'POST',
            url: '/capability',
            headers: { 'content-type': 'application/json' },
            payload,
          })
          const fits = messageSize(capability) <= LIMITS.messageBytes
          if (answer.statusCode === 201 || answer.statusCode === 200) {
            admitted++
            assert.equal(node.sent.length, 1)
            const verdict = await peer.gossip.validate('capability', PEER, node.sent[0]!.bytes)
            assert.equal(verdict, TopicValidatorResult.Accept, `${messageSize(capability)} bytes`)
            assert.ok(fits, `admitted ${messageSize(capability)} bytes`)
          } else {
            refused++
            assert.equal(answer.json().code, 'TOO_LARGE', answer.body)
            assert.ok(!fits || Buffer.byteLength(payload) > 128 * 1024)
          }
        },
      ),
      { numRuns: 50, seed: 4242 },
    )
    assert.deepEqual(peer.strikes, [], 'the peer never struck the node')
    assert.ok(admitted > 0 && refused > 0, `admitted ${admitted}, refused ${refused}: both sides exercised`)
    await app.close()
  })
})
