/** The page's self-test over docs/test-vectors.json, run under Node: every check passes, and an altered file fails. */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import vectors from '../../../docs/test-vectors.json' with { type: 'json' }
import { checkVectorFile } from '../../../src/web-trader/vectors.ts'

describe('test vectors self-test', () => {
  it('passes every case of docs/test-vectors.json', () => {
    const outcomes = checkVectorFile(vectors)
    assert.equal(outcomes.length, vectors.cases.length)
    for (const outcome of outcomes) assert.deepEqual(outcome.failures, [], outcome.name)
    assert.ok(outcomes.every((outcome) => outcome.checks >= 5))
  })

  it('fails a case whose id, evidence verdict or work was altered', () => {
    const altered = structuredClone(vectors) as typeof vectors
    altered.cases[0]!.id = '00'.repeat(32)
    const report = altered.cases.find((c) => 'evidence' in c && c.evidence)!
    const evidence = (report as { evidence: { verdict?: string }[] }).evidence.find((e) => e.verdict)!
    evidence.verdict = evidence.verdict === 'verified' ? 'subjective' : 'verified'
    const mined = altered.cases[1] as { message: { pow: { bits: number } } }
    mined.message.pow.bits = 60
    const outcomes = checkVectorFile(altered)
    assert.deepEqual(outcomes[0]!.failures, ['id'])
    assert.ok(outcomes.find((o) => o.name === report.name)!.failures.some((f) => f.startsWith('evidence')))
    assert.ok(outcomes[1]!.failures.length > 0)
    assert.throws(() => checkVectorFile({}), /no "cases"/)
  })
})
