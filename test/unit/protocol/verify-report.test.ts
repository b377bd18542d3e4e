import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import type { Report, ReportContent } from '../../../src/protocol/messages/index.ts'
import { instantiateQuestion, verifyReportEvidence } from '../../../src/protocol/verify-report.ts'
import * as fx from '../../support/messages.ts'

const NOW = 1_900_000_000
const capability = fx.capabilityAd()

function verdict(content: ReportContent, now = NOW) {
  const report: Report = { ...fx.report({ type: 'free-form', comment: 'x', links: [] }), content }
  const result = verifyReportEvidence(report, { now })
  return result.ok ? result.value : `${result.error.code} ${result.error.details.path}`
}

describe('verifyReportEvidence', () => {
  it('fact-conflict: two answers signed by the capability key for one request are verified', () => {
    assert.equal(
      verdict({ type: 'fact-conflict', capability, facts: [fx.fact('home'), fx.fact('away')] }),
      'verified',
    )
  })

  it('fact-conflict: refuses same answers, forged facts, other requests and foreign capabilities', () => {
    const same = verdict({ type: 'fact-conflict', capability, facts: [fx.fact('home'), fx.fact('home')] })
    assert.equal(same, 'EVIDENCE_INVALID /content/facts')
    const forged = { ...fx.fact('away'), signature: fx.fact('home').signature }
    assert.equal(
      verdict({ type: 'fact-conflict', capability, facts: [fx.fact('home'), forged] }),
      'EVIDENCE_INVALID /content/facts/1/signature',
    )
    const otherRequest = fx.fact('away', fx.CAPABILITY, {
      ...fx.factRequest(),
      args: { home: 'CHE', away: 'ARS', date: '2026-11-21' },
    })
    assert.equal(
      verdict({ type: 'fact-conflict', capability, facts: [fx.fact('home'), otherRequest] }),
      'EVIDENCE_INVALID /content/facts',
    )
    const foreign = fx.capabilityAd({}, fx.OTHER_ORACLE, fx.CAPABILITY)
    assert.equal(
      verdict({ type: 'fact-conflict', capability: foreign, facts: [fx.fact('home'), fx.fact('away')] }),
      'EVIDENCE_INVALID /content/capability/oracle',
    )
  })

  it('fact-conflict across oracles on the same question is a subjective disagreement', () => {
    const counterCapability = fx.capabilityAd({}, fx.OTHER_ORACLE, fx.OTHER_CAPABILITY)
    const theirs = fx.fact('away', fx.OTHER_CAPABILITY)
    assert.equal(
      verdict({ type: 'fact-conflict', capability, facts: [fx.fact('home'), theirs], counterCapability }),
      'subjective',
    )
    assert.equal(
      verdict({ type: 'fact-conflict', capability, facts: [fx.fact('home'), theirs] }),
      'EVIDENCE_INVALID /content/counterCapability',
    )
  })

  it('fact-missing: verified once the deadline passed, refused before', () => {
    const content: ReportContent = { type: 'fact-missing', capability, commitment: fx.commitment(NOW - 60) }
    assert.equal(verdict(content), 'verified')
    assert.equal(verdict(content, NOW - 61), 'EVIDENCE_INVALID /content/commitment/deadline')
    const forged = { ...fx.commitment(NOW - 60), deadline: NOW - 120 }
    assert.equal(
      verdict({ type: 'fact-missing', capability, commitment: forged }),
      'EVIDENCE_INVALID /content/commitment/signature',
    )
  })

  it('ad-collision: two different signed ads with one seqNo are verified', () => {
    const a = fx.oracleAd({ tags: ['a'] })
    const b = fx.oracleAd({ tags: ['b'] })
    assert.equal(verdict({ type: 'ad-collision', ads: [a, b] }), 'verified')
    assert.equal(verdict({ type: 'ad-collision', ads: [a, a] }), 'EVIDENCE_INVALID /content/ads')
    const later = fx.oracleAd({ tags: ['b'], seqNo: 2 })
    assert.equal(verdict({ type: 'ad-collision', ads: [a, later] }), 'EVIDENCE_INVALID /content/ads')
    const c1 = fx.capabilityAd({ answers: ['yes', 'no'] })
    const c2 = fx.capabilityAd({ answers: ['no', 'yes'] })
    assert.equal(verdict({ type: 'ad-collision', ads: [c1, c2] }), 'verified')
    const stranger = fx.oracleAd({ tags: ['b'] }, fx.OTHER_ORACLE)
    assert.equal(verdict({ type: 'ad-collision', ads: [a, stranger] }), 'EVIDENCE_INVALID /content/ads/1')
  })

  it('subjective kinds are subjective, but quoted facts must be genuinely signed', () => {
    assert.equal(verdict({ type: 'free-form', comment: 'rude support', links: [] }), 'subjective')
    const content: ReportContent = {
      type: 'fact-disagrees-with-public',
      capability,
      fact: fx.fact('draw'),
      links: [],
      comment: 'it was 2-1',
    }
    assert.equal(verdict(content), 'subjective')
    const fake = { ...content, fact: { ...fx.fact('draw'), answer: 'home' } }
    assert.equal(verdict(fake), 'EVIDENCE_INVALID /content/fact/signature')
  })

  it('fact-disagrees-with-public: the fact must come from a capability of the reported oracle', () => {
    const base = { type: 'fact-disagrees-with-public' as const, links: [], comment: 'it was 2-1' }
    // Another oracle's fact, with that oracle's capability, filed against this oracle.
    const otherCapability = fx.capabilityAd({}, fx.OTHER_ORACLE, fx.OTHER_CAPABILITY)
    const otherFact = fx.fact('draw', fx.OTHER_CAPABILITY)
    assert.equal(
      verdict({ ...base, capability: otherCapability, fact: otherFact }),
      'EVIDENCE_INVALID /content/capability/oracle',
    )
    // This oracle's capability, but a fact signed by some other key.
    assert.equal(
      verdict({ ...base, capability, fact: otherFact }),
      'EVIDENCE_INVALID /content/fact/request/capability',
    )
    // A capability ad naming this oracle but not signed by it.
    const unsigned = { ...otherCapability, oracle: fx.ORACLE.publicKey, oracleScheme: fx.ORACLE.scheme }
    assert.equal(
      verdict({ ...base, capability: unsigned, fact: otherFact }),
      'EVIDENCE_INVALID /content/capability/signature',
    )
    // This oracle squatting the other oracle's capability key: the key never proved it serves it.
    const squatted = fx.capabilityAd({ keyProof: otherCapability.keyProof }, fx.ORACLE, fx.OTHER_CAPABILITY)
    assert.equal(
      verdict({ ...base, capability: squatted, fact: otherFact }),
      'EVIDENCE_INVALID /content/capability/keyProof',
    )
    // A fact in another scheme than the capability signs with.
    const edKey = fx.testKey('ed25519', 8)
    const edFact = fx.fact('draw', edKey)
    const edCapability = fx.capabilityAd({ attestation: 'signature' }, fx.ORACLE, edKey)
    assert.equal(verdict({ ...base, capability: edCapability, fact: edFact }), 'subjective')
    assert.equal(
      verdict({ ...base, capability: edCapability, fact: { ...edFact, scheme: 'bip340' } }),
      'EVIDENCE_INVALID /content/fact/scheme',
    )
  })
})

describe('instantiateQuestion', () => {
  it('replaces longer parameter names first', () => {
    const cap = fx.capabilityAd({
      question: 'Did $team beat $teamB?',
      params: [
        { name: 'team', values: ['A'] },
        { name: 'teamB', values: ['B'] },
      ],
    })
    assert.equal(
      instantiateQuestion(cap, { capability: cap.capabilityKey, args: { team: 'A', teamB: 'B' } }),
      'Did A beat B?',
    )
  })
})
