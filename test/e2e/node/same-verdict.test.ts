/**
 * One verdict per message, whatever it came by: the same bytes posted over REST, handed to the
 * gossip validator and fetched by sync, each into a node holding the same pools, reach the same
 * admission (status and code), and the REST answer, the gossip action and the sync fault agree
 * with the catalogue of reasons. Valid messages of every kind, and hostile ones.
 */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { TopicValidatorResult } from '@libp2p/gossipsub'
import { peerIdFromString } from '@libp2p/peer-id'
import pino from 'pino'
import { buildApi } from '../../../src/api/app.ts'
import type { Admission } from '../../../src/mempool/admission.ts'
import { Mempool } from '../../../src/mempool/mempool.ts'
import { AdmissionPipeline, admitValue } from '../../../src/mempool/pipeline.ts'
import { BanList } from '../../../src/network/bans.ts'
import { Gossip, type Orphaned } from '../../../src/network/gossip.ts'
import type { MegaGossipSub } from '../../../src/network/libp2p.ts'
import { defaultNetworkOptions } from '../../../src/network/options.ts'
import { OrphanPool } from '../../../src/network/orphans.ts'
import { MempoolSyncSource } from '../../../src/network/sync-source.ts'
import { canonicalize } from '../../../src/protocol/canonical.ts'
import { messageId } from '../../../src/protocol/message.ts'
import type { PoolKind } from '../../../src/protocol/messages/index.ts'
import { nodeReason } from '../../../src/protocol/reasons.ts'
import type { SubmitOutcome } from '../../../src/sync/source.ts'
import * as fx from '../../support/messages.ts'

const NOW = 1_850_000_000
const MIN_BITS = { oracle: 8, capability: 8, report: 8, offer: 8 }
const PEER = peerIdFromString('12D3KooWJWoaqZhDaoEFshF7Rh1bpY9ohihFhzcW6d69Lr2NASuq')

/** One message: what the pools hold first, the kind it is sent as, and its bytes. */
interface Case {
  name: string
  held: unknown[]
  kind: PoolKind
  bytes: string
  /** What REST answers: the admission status, or the problem code. */
  expected: string
  /** Whether sync can fetch it (JSON of a pool kind: sync has no topic). @default true */
  sync?: boolean
}

function pool(held: unknown[]): Mempool {
  const mempool = new Mempool({ minBits: MIN_BITS }, { now: () => NOW })
  for (const message of held)
    assert.ok(['added', 'updated'].includes(admitValue(mempool, message).admission.status))
  return mempool
}

async function overRest(test: Case): Promise<string> {
  const app = await buildApi({ mempool: pool(test.held) })
  try {
    const response = await app.inject({
      method: 'POST',
      url: `/${test.kind}`,
      headers: { 'content-type': 'application/json' },
      payload: test.bytes,
    })
    const body = response.json() as { status?: string; code?: string }
    return `${response.statusCode} ${body.code ?? body.status}`
  } finally {
    await app.close()
  }
}

async function overGossip(test: Case): Promise<{ result: TopicValidatorResult; admission?: Admission }> {
  const mempool = pool(test.held)
  const pipeline = new AdmissionPipeline(mempool)
  let admission: Admission | undefined
  const gossip = new Gossip({
    // Validation reads only gossipsub's meshes (by which path a copy came): none here.
    pubsub: { mesh: new Map() } as unknown as MegaGossipSub,
    submit: (message) => {
      admission = pipeline.submit(message, 'gossip')
      return admission
    },
    events: pipeline.events,
    bans: new BanList({ threshold: 100, windowSeconds: 60, banSeconds: 60 }),
    orphans: new OrphanPool<Orphaned>(defaultNetworkOptions.orphans),
    logger: pino({ level: 'silent' }),
    strike: () => {},
  })
  const result = await gossip.validate(test.kind, PEER, new TextEncoder().encode(test.bytes))
  return { result, ...(admission && { admission }) }
}

async function overSync(test: Case): Promise<SubmitOutcome> {
  const mempool = pool(test.held)
  const pipeline = new AdmissionPipeline(mempool)
  const source = new MempoolSyncSource(mempool, (message) => pipeline.submit(message, 'sync'))
  return source.submit(JSON.parse(test.bytes))
}

/** The gossip action the REST answer implies, by the catalogue of reasons. */
function gossipAction(rest: string, deadline: boolean): TopicValidatorResult {
  const [status, outcome] = rest.split(' ') as [string, string]
  if (status.startsWith('2'))
    return outcome === 'duplicate' ? TopicValidatorResult.Ignore : TopicValidatorResult.Accept
  if (deadline) return TopicValidatorResult.Ignore
  const action = nodeReason(outcome)?.gossip
  return action === 'reject' ? TopicValidatorResult.Reject : TopicValidatorResult.Ignore
}

function cases(): Case[] {
  const ad = fx.oracleAd({}, fx.ORACLE, 10)
  const capability = fx.capabilityAd({ attestation: 'signature' })
  const missing = fx.report({ type: 'fact-missing', capability, commitment: fx.commitment(NOW - 3600) })
  const early = fx.report({ type: 'fact-missing', capability, commitment: fx.commitment(NOW + 3600) })
  const free = fx.report({ type: 'free-form', comment: 'slow answers', links: [] })
  const offer = fx.offer()
  const json = (value: unknown) => canonicalize(value)
  const forged = { ...ad, signature: ad.signature.replace(/^./, (c) => (c === '0' ? '1' : '0')) }
  return [
    // valid, every kind
    { name: 'oracle ad', held: [], kind: 'oracle', bytes: json(ad), expected: '201 added' },
    { name: 'capability', held: [ad], kind: 'capability', bytes: json(capability), expected: '201 added' },
    { name: 'free-form report', held: [ad], kind: 'report', bytes: json(free), expected: '201 added' },
    {
      name: 'fact-missing report',
      held: [ad, capability],
      kind: 'report',
      bytes: json(missing),
      expected: '201 added',
    },
    {
      name: 'dispute',
      held: [ad, capability, missing],
      kind: 'dispute',
      bytes: json(fx.dispute(messageId(missing))),
      expected: '200 updated',
    },
    { name: 'offer', held: [ad, capability], kind: 'offer', bytes: json(offer), expected: '201 added' },
    {
      name: 'newer ad',
      held: [ad],
      kind: 'oracle',
      bytes: json(fx.oracleAd({ seqNo: ad.seqNo + 1 }, fx.ORACLE, 10)),
      expected: '200 updated',
    },
    // hostile, or not news
    { name: 'duplicate', held: [ad], kind: 'oracle', bytes: json(ad), expected: '200 duplicate' },
    {
      name: 'bad signature',
      held: [],
      kind: 'oracle',
      bytes: json(forged),
      expected: '422 SIGNATURE_INVALID',
    },
    {
      name: 'PoW under the minimum',
      held: [],
      kind: 'oracle',
      bytes: json(fx.oracleAd({}, fx.OTHER_ORACLE, 4)),
      expected: '422 POW_TOO_WEAK',
    },
    {
      name: 'PoW that does not hold',
      held: [],
      kind: 'oracle',
      bytes: json({ ...ad, pow: { ...ad.pow, bits: ad.pow.bits + 6 } }),
      expected: '422 POW_BITS_OVERSTATED',
    },
    {
      name: 'bad schema',
      held: [],
      kind: 'oracle',
      bytes: json({ ...ad, tags: 'x' }),
      expected: '422 SCHEMA_VIOLATION',
    },
    // (Sync skips a kind no pool keeps without holding it against the peer.)
    {
      name: 'unknown kind',
      held: [],
      kind: 'oracle',
      bytes: json({ ...ad, kind: 'nonsense' }),
      expected: '422 UNKNOWN_KIND',
      sync: false,
    },
    {
      name: 'kind of another topic',
      held: [ad],
      kind: 'oracle',
      bytes: json(capability),
      expected: '422 UNKNOWN_KIND',
      sync: false,
    },
    {
      name: 'stale seqNo',
      held: [fx.oracleAd({ seqNo: ad.seqNo + 1 }, fx.ORACLE, 10)],
      kind: 'oracle',
      bytes: json(ad),
      expected: '422 STALE_SEQNO',
    },
    {
      name: 'orphan capability',
      held: [],
      kind: 'capability',
      bytes: json(capability),
      expected: '422 UNKNOWN_ORACLE',
    },
    {
      name: 'deadline not passed',
      held: [ad, capability],
      kind: 'report',
      bytes: json(early),
      expected: '422 EVIDENCE_INVALID',
    },
    { name: 'not JSON', held: [], kind: 'oracle', bytes: '{"kind":', expected: '400 BAD_JSON', sync: false },
  ]
}

describe('same verdict over REST, gossip and sync', { timeout: 120_000 }, () => {
  for (const test of cases()) {
    it(test.name, async () => {
      const rest = await overRest(test)
      assert.equal(rest, test.expected, 'REST')
      const gossip = await overGossip(test)
      const deadline = test.name === 'deadline not passed'
      assert.equal(gossip.result, gossipAction(rest, deadline), 'gossip action')
      const outcome = rest.split(' ')[1]
      if (gossip.admission) {
        // The admission gossip got is the one REST answered with.
        assert.equal(gossip.admission.reason?.code ?? gossip.admission.status, outcome)
      } else {
        assert.equal(
          gossip.result,
          TopicValidatorResult.Reject,
          'refused before admission only when it breaks a rule',
        )
      }
      if (test.sync !== false) {
        const synced = await overSync(test)
        assert.equal(synced.reason?.code ?? synced.status, outcome, 'sync outcome')
        assert.equal(synced.fault === true, gossip.result === TopicValidatorResult.Reject, 'sync fault')
      }
    })
  }

  it('REST takes any JSON layout; gossip and sync take the canonical form alone', async () => {
    const ad = fx.oracleAd({}, fx.ORACLE, 10)
    const spaced = JSON.stringify(ad, null, 1)
    const test: Case = { name: 'spaced', held: [], kind: 'oracle', bytes: spaced, expected: '201 added' }
    assert.equal(await overRest(test), '201 added')
    assert.equal((await overGossip(test)).result, TopicValidatorResult.Reject)
  })
})
