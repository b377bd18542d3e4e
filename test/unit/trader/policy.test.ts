import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { messageId } from '../../../src/protocol/message.ts'
import type { Report } from '../../../src/protocol/messages/index.ts'
import { isTraderError } from '../../../src/trader/errors.ts'
import { type CollectedReport, defaultPolicy, parsePolicy, rankOracles } from '../../../src/trader/policy.ts'
import * as fx from '../../support/messages.ts'

const NOW = 1_800_000_000
const capability = fx.capabilityAd({}, fx.ORACLE, fx.CAPABILITY, 10)
const honestAd = fx.oracleAd({}, fx.OTHER_ORACLE, 12)
const honestCapability = fx.capabilityAd({}, fx.OTHER_ORACLE, fx.OTHER_CAPABILITY, 10)
const cheatAd = fx.oracleAd({}, fx.ORACLE, 12)

function collected(report: Report, dispute?: CollectedReport['dispute']): CollectedReport {
  return { report, id: messageId(report), bits: report.pow.bits, dispute }
}

const conflict = collected(
  fx.report(
    { type: 'fact-conflict', capability, facts: [fx.fact('home'), fx.fact('away')] },
    fx.REPORTER,
    13,
  ),
)
const missing = fx.report(
  { type: 'fact-missing', capability, commitment: fx.commitment(NOW - 60) },
  fx.REPORTER,
  11,
)
const freeForm = collected(fx.report({ type: 'free-form', comment: 'slow answers', links: [] }, null, 11))

describe('reputation policy', () => {
  it('default policy: a verified report lowers the score below an honest oracle, and says why', () => {
    const ranking = rankOracles(
      [
        { ad: cheatAd, capabilities: [capability], reports: [conflict, freeForm] },
        { ad: honestAd, capabilities: [honestCapability], reports: [] },
      ],
      defaultPolicy,
      NOW,
    )
    assert.deepEqual(
      ranking.map((oracle) => oracle.key),
      [fx.OTHER_ORACLE.publicKey, fx.ORACLE.publicKey],
    )
    const cheat = ranking[1]!
    assert.equal(cheat.strength, 2n ** 12n + 2n ** 10n)
    assert.equal(cheat.score, 2n ** 12n + 2n ** 10n - 2n ** 13n)
    const [counted, ignored] = cheat.reports
    assert.deepEqual([counted!.verdict, counted!.counts, counted!.bits], ['verified', true, 13])
    assert.deepEqual([ignored!.verdict, ignored!.counts], ['subjective', false])
    assert.match(ignored!.reason!, /only verified evidence/)
  })

  it('counts subjective reports, disputed reports and kinds only when the policy says so', () => {
    const disputed = collected(missing, fx.dispute(messageId(missing), 'home'))
    const facts = { ad: cheatAd, capabilities: [capability], reports: [conflict, freeForm, disputed] }
    const counted = (policy = defaultPolicy) =>
      rankOracles([facts], policy, NOW)[0]!
        .reports.filter((report) => report.counts)
        .map((report) => report.type)
    assert.deepEqual(counted(), ['fact-conflict'])
    assert.equal(rankOracles([facts], defaultPolicy, NOW)[0]!.reports[2]!.verdict, 'disputed')
    assert.deepEqual(counted({ ...defaultPolicy, subjective: true }), ['fact-conflict', 'free-form'])
    assert.deepEqual(counted({ ...defaultPolicy, disputed: true }), ['fact-conflict', 'fact-missing'])
    assert.deepEqual(counted({ ...defaultPolicy, kinds: ['fact-missing'], disputed: true }), ['fact-missing'])
    assert.deepEqual(counted({ ...defaultPolicy, minReportBits: 14 }), [])
  })

  it('a dispute that does not answer the commitment does not cancel the report', () => {
    const wrong = fx.dispute(messageId(missing), 'home')
    const forged = { ...wrong, fact: { ...wrong.fact, answer: 'away' } }
    const ranking = rankOracles(
      [{ ad: cheatAd, capabilities: [capability], reports: [collected(missing, forged)] }],
      defaultPolicy,
      NOW,
    )
    assert.equal(ranking[0]!.reports[0]!.verdict, 'verified')
    assert.equal(ranking[0]!.reports[0]!.counts, true)
  })

  it('refutes reports whose evidence does not hold, whatever a node claimed', () => {
    const early = collected(
      fx.report({ type: 'fact-missing', capability, commitment: fx.commitment(NOW + 600) }),
    )
    const [standing] = rankOracles(
      [{ ad: cheatAd, capabilities: [], reports: [early] }],
      defaultPolicy,
      NOW,
    )[0]!.reports
    assert.equal(standing!.verdict, 'refuted')
    assert.equal(standing!.counts, false)
    assert.match(standing!.reason!, /deadline/)
  })

  it('hides weak and not domain-verified oracles, listing them last with the reason', () => {
    const oracles = [
      { ad: cheatAd, capabilities: [], reports: [] },
      { ad: honestAd, capabilities: [honestCapability], reports: [], domain: 'oracle.example' },
    ]
    const strong = rankOracles(oracles, { ...defaultPolicy, minStrengthBits: 12.1 }, NOW)
    assert.equal(strong[0]!.excluded, undefined)
    assert.match(strong[1]!.excluded!, /strength 12.00 bits is under/)
    const verified = rankOracles(oracles, { ...defaultPolicy, domainVerifiedOnly: true }, NOW)
    assert.equal(verified[0]!.domain, 'oracle.example')
    assert.equal(verified[1]!.excluded, 'not domain-verified')
  })

  it('parses policy files with defaults, refusing bad ones precisely', () => {
    assert.deepEqual(parsePolicy('{}'), defaultPolicy)
    assert.equal(parsePolicy('{"subjective":true}').subjective, true)
    const cases: [string, RegExp][] = [
      ['{', /not JSON/],
      ['[]', /must be object/],
      ['{"kinds":["spam"]}', /\/kinds\/0/],
      ['{"subjective":"yes"}', /\/subjective/],
      ['{"minStrengthBits":-1}', /\/minStrengthBits/],
      ['{"extra":1}', /unknown property "extra"/],
    ]
    for (const [text, expected] of cases) {
      assert.throws(
        () => parsePolicy(text, 'p.json'),
        (error) => isTraderError(error, 'POLICY_INVALID') && expected.test(error.message),
        text,
      )
    }
  })
})
