/**
 * A fact-missing report is taken only once the commitment's deadline has passed on every clock
 * within the tolerated skew: the tolerance favours the accused oracle, and a node whose clock is
 * behind ignores the report (no strike for the peer that relayed it) instead of penalising.
 */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { TopicValidatorResult } from '@libp2p/gossipsub'
import { peerIdFromString } from '@libp2p/peer-id'
import { pino } from 'pino'
import { scoreOf } from '../../../src/mempool/entries.ts'
import { Mempool } from '../../../src/mempool/mempool.ts'
import { AdmissionPipeline, admitValue } from '../../../src/mempool/pipeline.ts'
import { BanList } from '../../../src/network/bans.ts'
import { Gossip, type Orphaned } from '../../../src/network/gossip.ts'
import type { MegaGossipSub } from '../../../src/network/libp2p.ts'
import { defaultNetworkOptions } from '../../../src/network/options.ts'
import { OrphanPool } from '../../../src/network/orphans.ts'
import { verdictOf } from '../../../src/network/verdicts.ts'
import { canonicalBytes } from '../../../src/protocol/canonical.ts'
import { verifyReportEvidence } from '../../../src/protocol/verify-report.ts'
import * as fx from '../../support/messages.ts'

const NOW = 1_850_000_000
const LOW = { oracle: 8, capability: 8, report: 8, offer: 8 }
const SKEW = 300
const PEER = peerIdFromString('12D3KooWJWoaqZhDaoEFshF7Rh1bpY9ohihFhzcW6d69Lr2NASuq')

const capability = fx.capabilityAd({ attestation: 'signature' })
const missing = (deadline: number) =>
  fx.report({ type: 'fact-missing', capability, commitment: fx.commitment(deadline) })

/** A pool holding the oracle and its capability, on a clock at `now`. */
function pool(now = NOW) {
  const mempool = new Mempool({ minBits: LOW, clockSkewSeconds: SKEW }, { now: () => now })
  for (const message of [fx.oracleAd({}, fx.ORACLE, 10), capability])
    assert.equal(admitValue(mempool, message).admission.status, 'added')
  return mempool
}

describe('fact-missing deadlines and clock skew', () => {
  it('refuses a report until the deadline has passed by more than the skew', () => {
    for (const early of [NOW + 100, NOW, NOW - 1, NOW - SKEW]) {
      const mempool = pool()
      const { admission } = admitValue(mempool, missing(early))
      assert.equal(admission.status, 'invalid', `deadline now${early - NOW >= 0 ? '+' : ''}${early - NOW}`)
      assert.equal(admission.reason?.code, 'EVIDENCE_INVALID')
      assert.equal(admission.reason?.path, '/content/commitment/deadline')
      const oracle = mempool.oracles.get(fx.ORACLE.publicKey)!
      assert.equal(scoreOf(oracle), oracle.strength, 'the oracle is not penalised')
    }
    const mempool = pool()
    assert.equal(admitValue(mempool, missing(NOW - SKEW - 1)).admission.status, 'added')
  })

  it('the protocol verifier takes the tolerance in favour of the accused', () => {
    const report = missing(NOW - 100)
    assert.equal(verifyReportEvidence(report, { now: NOW }).ok, true)
    assert.equal(verifyReportEvidence(report, { now: NOW, toleranceSeconds: 99 }).ok, true)
    assert.equal(verifyReportEvidence(report, { now: NOW, toleranceSeconds: 100 }).ok, false)
  })

  it('a node whose clock is behind ignores the report on gossip: no reject, no strike', async () => {
    const early = missing(NOW - 100)
    const behind = pool()
    const strikes: string[] = []
    const pipeline = new AdmissionPipeline(behind)
    const gossip = new Gossip({
      // Validation reads only gossipsub's meshes (by which path a copy came): none here.
      pubsub: { mesh: new Map() } as unknown as MegaGossipSub,
      submit: (message) => pipeline.submit(message, 'gossip'),
      events: pipeline.events,
      bans: new BanList({ threshold: 10, windowSeconds: 60, banSeconds: 60 }),
      orphans: new OrphanPool<Orphaned>(defaultNetworkOptions.orphans),
      logger: pino({ level: 'silent' }),
      strike: (peer) => strikes.push(peer),
    })
    assert.equal(await gossip.validate('report', PEER, canonicalBytes(early)), TopicValidatorResult.Ignore)
    assert.deepEqual(strikes, [])
    assert.equal(verdictOf(admitValue(behind, early).admission), 'ignore')
    // The same bytes once the deadline passed on every clock: accepted.
    const later = pool(NOW + SKEW)
    assert.equal(admitValue(later, early).admission.status, 'added')
  })
})
