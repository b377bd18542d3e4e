import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { buildDemoData } from '../../../src/client/demo-data.ts'
import { scoreOf } from '../../../src/mempool/entries.ts'
import { Mempool } from '../../../src/mempool/mempool.ts'
import { admitValue } from '../../../src/mempool/pipeline.ts'

describe('demo data', () => {
  it('is admitted whole by a node with default limits, with the stories it tells', () => {
    const pool = new Mempool()
    const data = buildDemoData({ oracleBits: 18 })
    for (const { kind, message } of data) {
      const { admission } = admitValue(pool, message)
      assert.ok(['added', 'updated'].includes(admission.status), `${kind}: ${JSON.stringify(admission)}`)
    }
    assert.equal(pool.oracles.size, 3)
    assert.equal(pool.offers.size, 3)
    const ranked = [...pool.byScore()].map(([, oracle]) => oracle)
    const penalised = ranked.filter((oracle) => oracle.penalty > 0n)
    assert.equal(
      penalised.length,
      1,
      'only the equivocating oracle loses score (the dispute cancels the other)',
    )
    assert.ok(scoreOf(penalised[0]!) < penalised[0]!.strength)
  })
  it('dates its matches relative to now: disputes on a played match, offers on an upcoming one', () => {
    const now = Math.floor(Date.now() / 1000)
    const day = (seconds: number) => new Date(seconds * 1000).toISOString().slice(0, 10)
    const data = buildDemoData({ oracleBits: 12, now })
    const offers = data.flatMap(({ message }) => (message.kind === 'offer' ? [message] : []))
    assert.ok(offers.length > 0)
    for (const offer of offers)
      assert.equal(
        offer.terms.question.args.date,
        day(now + 2 * 86_400),
        'bets on a match still to be played',
      )
    const reports = data.flatMap(({ message }) => (message.kind === 'report' ? [message] : []))
    const conflict = reports.find((report) => report.content.type === 'fact-conflict')
    assert.ok(conflict?.content.type === 'fact-conflict')
    assert.equal(conflict.content.facts[0].request.args.date, day(now - 86_400), 'a match already played')
  })
})
