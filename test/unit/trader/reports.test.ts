import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import type { Report } from '../../../src/protocol/messages/index.ts'
import { sign } from '../../../src/protocol/sign.ts'
import { detectReports } from '../../../src/trader/detect.ts'
import { isTraderError } from '../../../src/trader/errors.ts'
import {
  adCollision,
  checkReportDraft,
  factConflict,
  factDisagreesWithPublic,
  factMissing,
  freeForm,
  reportDraft,
  reportSubject,
} from '../../../src/trader/reports.ts'
import * as fx from '../../support/messages.ts'

const NOW = 1_800_000_000
const capability = fx.capabilityAd()
const oracle = fx.ORACLE.publicKey
const reporter = { scheme: fx.REPORTER.scheme, pubkey: fx.REPORTER.publicKey }

describe('report building', () => {
  it('builds every kind and states the verdict nodes will reach', () => {
    const cases = [
      [factConflict(capability, [fx.fact('home'), fx.fact('away')]), 'verified'],
      [factMissing(capability, fx.commitment(NOW - 301)), 'verified'],
      [adCollision([fx.oracleAd({ tags: ['a'] }), fx.oracleAd({ tags: ['b'] })]), 'verified'],
      [
        factDisagreesWithPublic(capability, fx.fact('home'), ['https://example.org/result'], 'it was a draw'),
        'subjective',
      ],
      [freeForm('slow answers'), 'subjective'],
    ] as const
    for (const [content, verdict] of cases) {
      assert.equal(checkReportDraft(reportDraft(oracle, content, reporter), NOW), verdict, content.type)
    }
  })

  it('refuses, before any work, what the protocol verifier would reject', () => {
    const refused: [ReturnType<typeof reportDraft>, RegExp][] = [
      [reportDraft(oracle, factConflict(capability, [fx.fact('home'), fx.fact('home')])), /same answer/],
      [reportDraft(oracle, factMissing(capability, fx.commitment(NOW + 60))), /deadline/],
      [
        reportDraft(fx.OTHER_ORACLE.publicKey, factMissing(capability, fx.commitment(NOW - 301))),
        /not the reported oracle/,
      ],
      [reportDraft(oracle, adCollision([fx.oracleAd(), fx.oracleAd()])), /same ad/],
      [reportDraft(oracle, freeForm('')), /comment/],
      [reportDraft(oracle, freeForm('x', ['ftp://nope'])), /links\/0/],
    ]
    const forged = { ...fx.fact('away'), answer: 'draw' }
    refused.push([
      reportDraft(oracle, factConflict(capability, [fx.fact('home'), forged])),
      /facts\/1\/signature/,
    ])
    for (const [draft, expected] of refused) {
      assert.throws(
        () => checkReportDraft(draft, NOW),
        (error) => isTraderError(error, 'REPORT_REFUSED') && expected.test(error.message),
        String(expected),
      )
    }
  })

  it('waits, like nodes, until a deadline has passed by more than the tolerated clock skew', () => {
    const draft = reportDraft(oracle, factMissing(capability, fx.commitment(NOW - 10)), reporter)
    // Nodes tolerate 300 s by default: a report 10 s after the deadline would be refused, so no
    // work is spent on it.
    assert.throws(
      () => checkReportDraft(draft, NOW),
      (error) => isTraderError(error, 'REPORT_REFUSED') && /by more than 300 s/.test(error.message),
    )
    assert.equal(checkReportDraft(draft, NOW, 9), 'verified')
    assert.throws(
      () => checkReportDraft(draft, NOW, 10),
      (error) => isTraderError(error, 'REPORT_REFUSED'),
    )
  })

  it('the subject of a report ignores fact order, reporter and work', () => {
    const [a, b] = [fx.fact('home'), fx.fact('away')]
    assert.equal(
      reportSubject(oracle, factConflict(capability, [a, b])),
      reportSubject(oracle, factConflict(capability, [b, a])),
    )
  })
})

describe('automatic detection', () => {
  const base = { oracles: [], capabilities: [capability], commitments: [], facts: [], reports: [], now: NOW }

  it('proposes a verified fact-conflict for two answers to one request, once', () => {
    const facts = [fx.fact('home'), fx.fact('away'), fx.fact('home')]
    const [proposal, ...rest] = detectReports({ ...base, facts })
    assert.equal(rest.length, 0)
    assert.equal(proposal!.verdict, 'verified')
    assert.equal(proposal!.oracle, oracle)
    assert.equal(proposal!.content.type, 'fact-conflict')
    const filed: Report = fx.report(proposal!.content)
    assert.deepEqual(detectReports({ ...base, facts, reports: [filed] }), [], 'already reported')
  })

  it('proposes fact-missing for an own commitment past its deadline, not when a fact kept it', () => {
    const commitment = fx.commitment(NOW - 10)
    const [proposal] = detectReports({ ...base, commitments: [commitment] })
    assert.equal(proposal!.content.type, 'fact-missing')
    assert.deepEqual(detectReports({ ...base, commitments: [commitment], facts: [fx.fact('home')] }), [])
    assert.deepEqual(detectReports({ ...base, commitments: [fx.commitment(NOW + 10)] }), [], 'not due yet')
    assert.deepEqual(detectReports({ ...base, commitments: [commitment], graceSeconds: 60 }), [], 'grace')
  })

  it('proposes ad-collision for two different ads with one seqNo', () => {
    const oracles = [fx.oracleAd({ tags: ['a'] }), fx.oracleAd({ tags: ['b'] }), fx.oracleAd({ seqNo: 2 })]
    const capabilities = [capability, fx.capabilityAd({ question: 'Who won on $date, $home or $away?' })]
    const proposals = detectReports({ ...base, oracles, capabilities })
    assert.deepEqual(
      proposals.map((proposal) => [proposal.content.type, proposal.verdict]),
      [
        ['ad-collision', 'verified'],
        ['ad-collision', 'verified'],
      ],
    )
  })

  it('proposes subjective disagreements between oracles against both, after verified ones', () => {
    const other = fx.capabilityAd({}, fx.OTHER_ORACLE, fx.OTHER_CAPABILITY)
    const theirs = fx.fact('away', fx.OTHER_CAPABILITY)
    const proposals = detectReports({
      ...base,
      capabilities: [capability, other],
      facts: [fx.fact('home'), theirs, fx.fact('draw')],
    })
    assert.equal(proposals[0]!.verdict, 'verified')
    const subjective = proposals.filter((proposal) => proposal.verdict === 'subjective')
    assert.deepEqual(
      new Set(subjective.map((proposal) => proposal.oracle)),
      new Set([oracle, fx.OTHER_ORACLE.publicKey]),
    )
  })

  it('ignores facts it cannot attribute and forged facts', () => {
    const forged = { ...fx.fact('away'), answer: 'draw' }
    assert.deepEqual(detectReports({ ...base, facts: [fx.fact('home'), forged] }), [])
    assert.deepEqual(
      detectReports({ ...base, capabilities: [], facts: [fx.fact('home'), fx.fact('away')] }),
      [],
    )
  })

  it('signed proposals are reports nodes accept', () => {
    const [proposal] = detectReports({ ...base, facts: [fx.fact('home'), fx.fact('away')] })
    const signed = sign<Report>(
      reportDraft(proposal!.oracle, proposal!.content, reporter) as Report,
      fx.REPORTER.secretKey,
    )
    assert.equal(checkReportDraft(signed, NOW), 'verified')
  })
})
