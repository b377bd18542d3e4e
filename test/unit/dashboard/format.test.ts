/** The dashboard's pure formatting and data shaping (src/dashboard/ui/format.ts). */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import {
  argsLabel,
  barPercent,
  bitsOf,
  fillQuestion,
  formatAge,
  formatBits,
  formatBytes,
  formatCount,
  formatDuration,
  formatPercent,
  formatTime,
  negativeScoreHelp,
  orderBooks,
  outcomesOf,
  pushSample,
  ratesOf,
  reportEvidence,
  reportState,
  scoreHistory,
  scoreParts,
  shortKey,
} from '../../../src/dashboard/ui/format.ts'
import type {
  CapabilityView,
  OfferView,
  OracleDetail,
  ReportView,
} from '../../../src/mempool/view-schemas.ts'
import { workToBits } from '../../../src/protocol/score.ts'
import * as fx from '../../support/messages.ts'

describe('numbers for people', () => {
  it('formats bits with one decimal and a real minus sign', () => {
    assert.equal(formatBits(20.58), '20.6')
    assert.equal(formatBits(-12), '−12.0')
    assert.equal(formatBits(-0.01), '0.0', 'no negative zero')
    assert.equal(formatBits(128.4), '128')
  })

  it('computes bits of work as the API does, exact for powers of two and beyond a double', () => {
    for (const work of [0n, 1n, 1024n, 1536n, -1536n, (1n << 80n) + (1n << 79n), 2n ** 300n])
      assert.equal(bitsOf(work), workToBits(work), `work ${work}`)
  })

  it('formats counts, bytes, durations, ages, percentages and keys', () => {
    assert.equal(formatCount(1234567), '1,234,567')
    assert.equal(formatBytes(512), '512 B')
    assert.equal(formatBytes(1536), '1.5 KiB')
    assert.equal(formatBytes(256 * 1024 * 1024), '256 MiB')
    assert.equal(formatDuration(0), '0s')
    assert.equal(formatDuration(12.9), '12s')
    assert.equal(formatDuration(250), '4m 10s')
    assert.equal(formatDuration(7500), '2h 5m')
    assert.equal(formatDuration(3600), '1h')
    assert.equal(formatDuration(3 * 86_400 + 4 * 3600 + 59), '3d 4h')
    assert.equal(formatAge(1000, 700), '5m ago')
    assert.equal(formatAge(1000, 1000 + 7200), 'in 2h')
    assert.equal(formatAge(1000, 1000), 'now')
    assert.equal(formatPercent(0.4545), '45%')
    assert.equal(
      shortKey('8a88e3dd7409f195fd52db2d3cba5d72ca6709bf1d94121bf3748801b40f6f5c'),
      '8a88e3dd…6f5c',
    )
    assert.equal(shortKey('abc'), 'abc')
  })

  it('sizes bars by |bits| relative to the largest, within 0–100%', () => {
    assert.equal(barPercent(10, 20), 50)
    assert.equal(barPercent(-10, 20), 50)
    assert.equal(barPercent(30, 20), 100)
    assert.equal(barPercent(5, 0), 0)
  })
})

describe('score parts', () => {
  const work = (bits: number) => ({ bits, work: String(2n ** BigInt(bits)) })
  it('names the capabilities’ work and the counting reports’ work, even when rounding hides them', () => {
    const strength = 2n ** 19n + 2n ** 14n
    const score = strength - 2n ** 12n
    const parts = scoreParts({
      identity: work(19),
      strength: { bits: 19.04, work: String(strength) },
      score: { bits: 19.03, work: String(score) },
    })
    assert.equal(parts.capabilities.bits, 14)
    assert.equal(parts.counting.bits, 12)
    assert.equal(parts.negative, false)
  })

  it('explains a negative score in words', () => {
    const parts = scoreParts({
      identity: work(17),
      strength: work(17),
      score: { bits: -19.8, work: String(-(2n ** 19n)) },
    })
    assert.equal(parts.negative, true)
    assert.equal(parts.capabilities.work, 0n)
    assert.match(
      negativeScoreHelp(-19.8),
      /^Below zero: the reports that count carry more work .* −19\.8 bits means/,
    )
  })
})

describe('report states', () => {
  it('shows a disputed report as disputed (the traders’ word), else the node’s verdict', () => {
    assert.equal(reportState({ verdict: 'verified', disputed: false }), 'verified')
    assert.equal(reportState({ verdict: 'subjective', disputed: false }), 'subjective')
    assert.equal(reportState({ verdict: 'verified', disputed: true }), 'disputed')
  })
})

describe('report evidence', () => {
  const view = (content: Parameters<typeof fx.report>[0], dispute?: ReportView['dispute']) =>
    ({ message: fx.report(content), ...(dispute && { dispute }) }) as ReportView

  it('says what each kind of report shows, and the oracle’s answer when disputed', () => {
    assert.equal(formatTime(1_795_219_200), '2026-11-21 00:00 UTC')
    assert.equal(
      reportEvidence(
        view({
          type: 'fact-conflict',
          capability: fx.capabilityAd(),
          facts: [fx.fact('home'), fx.fact('away')],
        }),
      ),
      'answered “home” and “away” to away=CHE date=2026-11-21 home=ARS',
    )
    const missing = view({
      type: 'fact-missing',
      capability: fx.capabilityAd(),
      commitment: fx.commitment(1_795_219_200),
    })
    assert.equal(
      reportEvidence({ ...missing, dispute: fx.dispute('0'.repeat(64), 'draw') }),
      'no fact for away=CHE date=2026-11-21 home=ARS by 2026-11-21 00:00 UTC — disputed with the fact “draw”',
    )
    assert.equal(
      reportEvidence(
        view({ type: 'free-form', comment: 'Slow at weekends', links: ['https://status.example/'] }),
      ),
      'Slow at weekends (https://status.example/)',
    )
    assert.equal(
      reportEvidence(view({ type: 'ad-collision', ads: [fx.oracleAd(), fx.oracleAd({ tags: ['other'] })] })),
      'two different oracle ads with sequence number 1',
    )
  })
})

describe('admission rates', () => {
  it('groups statuses into admitted, ignored and rejected', () => {
    assert.deepEqual(
      outcomesOf({ added: 5, updated: 2, duplicate: 3, 'low-pow': 1, skipped: 1, invalid: 4 }),
      { admitted: 7, ignored: 5, rejected: 4 },
    )
    assert.deepEqual(outcomesOf({}), { admitted: 0, ignored: 0, rejected: 0 })
  })

  it('turns counter samples into rates per second, restarting from zero after a reset', () => {
    const samples = [
      { t: 0, admitted: 10, ignored: 0, rejected: 0 },
      { t: 2000, admitted: 30, ignored: 4, rejected: 2 },
      { t: 2000, admitted: 31, ignored: 4, rejected: 2 }, // no time passed: skipped
      { t: 4000, admitted: 6, ignored: 4, rejected: 2 }, // the node restarted
    ]
    assert.deepEqual(ratesOf(samples), [
      { t: 2000, admitted: 10, ignored: 2, rejected: 1 },
      { t: 4000, admitted: 3, ignored: 0, rejected: 0 },
    ])
  })

  it('keeps the last samples only', () => {
    let samples = pushSample([], { t: 0, admitted: 0, ignored: 0, rejected: 0 }, 3)
    for (let t = 1; t <= 5; t++) samples = pushSample(samples, { t, admitted: t, ignored: 0, rejected: 0 }, 3)
    assert.deepEqual(
      samples.map((s) => s.t),
      [3, 4, 5],
    )
  })
})

const work = (n: bigint) => ({ bits: workToBits(n), work: n.toString() })

describe('score history', () => {
  it('steps through capabilities and counting reports by receive time, ending at the current score', () => {
    const detail = {
      identity: work(1024n),
      receivedAt: 100,
      capabilities: [
        { receivedAt: 90, work: work(256n) },
        { receivedAt: 200, work: work(512n) },
      ] as CapabilityView[],
      reports: [
        { receivedAt: 300, work: work(256n), counts: true },
        { receivedAt: 300, work: work(128n), counts: true },
        { receivedAt: 250, work: work(4096n), counts: false },
      ] as OracleDetail['reports'],
    }
    assert.deepEqual(scoreHistory(detail), [
      { t: 90, strength: 1280n, score: 1280n },
      { t: 200, strength: 1792n, score: 1792n },
      { t: 300, strength: 1792n, score: 1408n },
    ])
  })

  it('can go negative', () => {
    const points = scoreHistory({
      identity: work(256n),
      receivedAt: 10,
      capabilities: [],
      reports: [{ receivedAt: 20, work: work(1024n), counts: true }] as OracleDetail['reports'],
    })
    assert.equal(points.at(-1)!.score, -768n)
  })
})

describe('order books', () => {
  const args = { home: 'ARS', away: 'CHE' }
  const offer = (id: string, capability: string, stage: OfferView['stage'], mine: number, theirs: number) =>
    ({
      id,
      capability,
      stage,
      message: {
        terms: {
          question: { capability, args },
          originatorBets: ['home'],
          acceptorBets: ['away', 'draw'],
          originatorAmount: mine,
          acceptorAmount: theirs,
          expires: 2_000_000_000,
        },
      },
    }) as unknown as OfferView

  it('groups offers by capability, busiest first, open offers first, with implied odds', () => {
    const ad = { key: 'c1', message: { question: 'Who won $home vs $away?' } } as CapabilityView
    const books = orderBooks(
      [
        offer('a', 'c1', 'finalized', 300, 300),
        offer('b', 'c2', 'open', 10, 10),
        offer('c', 'c1', 'open', 100, 300),
        offer('d', 'c1', 'open', 300, 100),
      ],
      new Map([['c1', ad]]),
    )
    assert.deepEqual(
      books.map((b) => b.capability),
      ['c1', 'c2'],
    )
    const [first, second] = books
    assert.equal(first!.ad, ad)
    assert.equal(second!.ad, undefined)
    assert.deepEqual(
      first!.rows.map((r) => r.offer.id),
      ['d', 'c', 'a'],
    )
    assert.deepEqual(first!.stages, { open: 2, accepted: 0, finalized: 1 })
    assert.equal(first!.volume, 1400)
    assert.equal(first!.rows[0]!.impliedOdds, 0.75)
    assert.equal(first!.rows[0]!.market, 'away=CHE home=ARS')
  })

  it('fills a question’s placeholders from a request’s arguments', () => {
    assert.equal(fillQuestion('Who won $home vs $away on $date?', args), 'Who won ARS vs CHE on $date?')
    assert.equal(argsLabel({}), '')
  })
})
