import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import fc from 'fast-check'
import { compareRanks } from '../../../src/mempool/bounded-pool.ts'
import { type OracleEntry, scoreOf } from '../../../src/mempool/entries.ts'
import { Mempool } from '../../../src/mempool/mempool.ts'
import { compareScoreKeys, oracleRank, scoreKey } from '../../../src/mempool/ranks.ts'
import * as fx from '../../support/messages.ts'

const NOW = 1_850_000_000
const ad = fx.oracleAd()
const capability = fx.capabilityAd()
const report = fx.report({
  type: 'fact-conflict',
  capability,
  facts: [fx.fact('home'), fx.fact('away')],
})

/** A distinct key per number, its leading characters spread like a hash's. */
const keyOf = (i: number) =>
  (Math.imul(i + 1, 2654435761) >>> 0).toString(16).padStart(8, '0') + i.toString(16).padStart(56, '0')

/** Whether the ranking by score and the oracle pool hold every oracle where its current values put it. */
function checkRankings(pool: Mempool): void {
  const oracles = [...pool.oracles.strongestFirst()].map(([, oracle]) => oracle)
  const ranks = [...pool.oracles.strongestFirst()].map(([rank]) => ({ ...rank }))
  assert.deepEqual(
    ranks.map(({ tier, work, id }) => ({ tier, work, id })),
    oracles.map(oracleRank).sort(compareRanks).reverse(),
    'the oracle pool ranks each oracle by its bid and strength now',
  )
  for (const oracle of oracles) assert.deepEqual(pool.oracles.rankOf(oracle.key), oracleRank(oracle))
  const ranking = [...pool.byScore()]
  assert.deepEqual(
    ranking.map(([key]) => key),
    oracles.map(scoreKey).sort(compareScoreKeys),
    'the ranking by score holds each oracle under its score now',
  )
  for (const [key, oracle] of ranking) assert.deepEqual(key, scoreKey(oracle))
  for (const oracle of oracles) {
    let strength = oracle.work
    for (const [, held] of oracle.capabilities.strongestFirst()) strength += held.work
    let penalty = 0n
    for (const [, held] of oracle.reports.strongestFirst()) if (held.counts) penalty += held.work
    assert.equal(oracle.strength, strength)
    assert.equal(oracle.penalty, penalty)
  }
}

describe('ranking of oracles', () => {
  const bits = fc.integer({ min: 8, max: 14 })
  const operation = fc.oneof(
    fc.record({ op: fc.constant('ad' as const), oracle: fc.nat(6), bits }),
    fc.record({ op: fc.constant('capability' as const), key: fc.nat(7), oracle: fc.nat(6), bits }),
    fc.record({
      op: fc.constant('report' as const),
      id: fc.nat(7),
      oracle: fc.nat(6),
      bits,
      counts: fc.boolean(),
    }),
    fc.record({
      op: fc.constant('remove' as const),
      kind: fc.constantFrom('oracle', 'capability', 'report'),
      at: fc.nat(7),
    }),
  )

  it('keeps every oracle at its score and rank through ads, capabilities, reports and removals (property)', () => {
    fc.assert(
      fc.property(fc.array(operation, { maxLength: 120 }), (operations) => {
        const pool = new Mempool(
          { maxOracles: 5, maxCapabilitiesPerOracle: 3, maxReportsPerOracle: 2 },
          { now: () => NOW },
        )
        const held = (key: string): OracleEntry | undefined => pool.oracles.get(key)
        for (const step of operations) {
          const work = 2n ** BigInt('bits' in step ? step.bits : 0)
          const facts = { bytes: 500, receivedAt: NOW, work, bits: 'bits' in step ? step.bits : 0 }
          switch (step.op) {
            case 'ad': {
              const key = keyOf(step.oracle)
              pool.insert({
                kind: 'oracle',
                key,
                id: `ad ${key} ${step.bits}`,
                message: ad,
                bid: 0n,
                ...facts,
              })
              break
            }
            case 'capability': {
              const oracle = held(keyOf(step.oracle))
              const key = `capability ${step.key}`
              const taken = pool.capabilities.get(key)
              // The rule refuses a key another oracle holds.
              if (!oracle || (taken && taken.oracle !== oracle.key)) break
              pool.insert({
                kind: 'capability',
                key,
                oracle: oracle.key,
                id: `${key} ${step.bits}`,
                message: capability,
                ...facts,
              })
              break
            }
            case 'report': {
              const oracle = held(keyOf(step.oracle))
              const id = `report ${step.id}`
              const taken = pool.reports.get(id)
              if (!oracle || (taken && taken.oracle !== oracle.key)) break
              pool.insert({
                kind: 'report',
                oracle: oracle.key,
                id,
                message: report,
                verdict: 'verified',
                counts: step.counts,
                ...facts,
              })
              break
            }
            case 'remove': {
              const entries = [...pool.entries()].filter((entry) => entry.kind === step.kind)
              const entry = entries[step.at % Math.max(1, entries.length)]
              if (entry) pool.remove(entry)
              break
            }
          }
          checkRankings(pool)
        }
        assert.ok([...pool.byScore()].every(([, oracle]) => scoreOf(oracle) === -scoreKey(oracle)[0]))
      }),
      { numRuns: 300 },
    )
  })

  it('keeps thousands of oracles at their score and rank through changes and removals', () => {
    const pool = new Mempool(
      { maxOracles: 3_000, maxCapabilitiesPerOracle: 3, maxReportsPerOracle: 2 },
      { now: () => NOW },
    )
    let state = 7
    const random = (below: number) => {
      state = (Math.imul(state, 1103515245) + 12345) | 0
      return (state >>> 0) % below
    }
    const facts = (bits: number) => ({ bytes: 500, receivedAt: NOW, bits, work: 2n ** BigInt(bits) })
    let checked = 0
    for (let step = 0; step < 12_000; step++) {
      const choice = random(100)
      const key = keyOf(random(4_000))
      const oracle = pool.oracles.get(key)
      const bits = 8 + random(7)
      if (choice < 40) {
        pool.insert({ kind: 'oracle', key, id: `ad ${key} ${bits}`, message: ad, bid: 0n, ...facts(bits) })
      } else if (choice < 70 && oracle) {
        const id = `${key} capability ${random(5)}`
        pool.insert({ kind: 'capability', key: id, oracle: key, id, message: capability, ...facts(bits) })
      } else if (choice < 85 && oracle) {
        const id = `${key} report ${random(3)}`
        const input = { kind: 'report', oracle: key, id, message: report, verdict: 'verified' } as const
        pool.insert({ ...input, counts: random(2) === 0, ...facts(bits) })
      } else if (oracle) pool.remove(oracle)
      if (step % 2_500 === 2_499) {
        checkRankings(pool)
        checked++
      }
    }
    checkRankings(pool)
    assert.equal(checked, 4)
    assert.ok(pool.oracles.size > 2_000, `${pool.oracles.size} oracles`)
  })
})
