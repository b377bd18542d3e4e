import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { CursorError } from '../../../src/mempool/cursor.ts'
import { Mempool } from '../../../src/mempool/mempool.ts'
import { admitValue } from '../../../src/mempool/pipeline.ts'
import {
  getOracle,
  listCapabilities,
  listOffers,
  listOracles,
  listReports,
  type Page,
  poolStats,
} from '../../../src/mempool/queries.ts'
import { messageId } from '../../../src/protocol/message.ts'
import * as fx from '../../support/messages.ts'

const NOW = 1_850_000_000
const LOW = { oracle: 8, capability: 8, report: 8, offer: 8 }

function mempool(options = {}) {
  return new Mempool({ minBits: LOW, ...options }, { now: () => NOW })
}

/** 12 oracles of 8..11 bits, seeds 60..71; the ones with even seeds tagged `weather`. */
function ranked(pool = mempool()) {
  const keys = Array.from({ length: 12 }, (_, i) => fx.testKey('ed25519', 60 + i))
  keys.forEach((key, i) => {
    const tags = i % 2 === 0 ? ['weather'] : ['sports']
    assert.equal(admitValue(pool, fx.oracleAd({ tags }, key, 8 + (i % 4))).admission.status, 'added')
  })
  return { pool, keys }
}

/** Follows `next` to the end, with a guard against loops. */
function all<T>(list: (cursor?: string) => Page<T>): { items: T[]; pages: number } {
  const items: T[] = []
  let cursor: string | undefined
  let pages = 0
  do {
    const page = list(cursor)
    items.push(...page.items)
    cursor = page.next
    assert.ok(++pages < 100, 'paging ends')
  } while (cursor)
  return { items, pages }
}

describe('listOracles', () => {
  it('ranks by score, highest first, and pages through every oracle once', () => {
    const { pool } = ranked()
    const first = listOracles(pool, { limit: 5 })
    assert.equal(first.items.length, 5)
    assert.ok(first.next)
    const { items, pages } = all((cursor) => listOracles(pool, { limit: 5, ...(cursor && { cursor }) }))
    assert.equal(pages, 3)
    assert.equal(new Set(items.map((o) => o.key)).size, 12, 'no oracle twice, none missed')
    const scores = items.map((o) => BigInt(o.score.work))
    assert.deepEqual(
      scores,
      [...scores].sort((a, b) => (a > b ? -1 : a < b ? 1 : 0)),
    )
    assert.equal(items[0]!.score.bits, 11)
    assert.equal(items[0]!.score.work, '2048')
  })

  it('ends the listing at the minimum score, with no `next` past it', () => {
    const { pool } = ranked()
    const page = listOracles(pool, { minScore: 10, limit: 6 })
    assert.equal(page.items.length, 6)
    assert.ok(page.items.every((o) => o.score.bits >= 10))
    assert.equal(page.next, undefined)
  })

  it('filters by tag of the ad or of an active capability, and by text in capabilities', () => {
    const { pool, keys } = ranked()
    assert.equal(all((cursor) => listOracles(pool, { tag: 'weather', limit: 2, cursor })).items.length, 6)
    admitValue(pool, fx.capabilityAd({ tags: ['football'] }, keys[1]))
    assert.deepEqual(
      listOracles(pool, { tag: 'football' }).items.map((o) => o.key),
      [keys[1]!.publicKey],
    )
    assert.equal(listOracles(pool, { text: 'WHO WON' }).items.length, 1, 'case-insensitive, in the question')
    assert.equal(listOracles(pool, { text: 'footb' }).items.length, 1, 'in a capability tag')
    admitValue(pool, fx.capabilityAd({ tags: ['football'], off: true, seqNo: 2 }, keys[1]))
    assert.equal(
      listOracles(pool, { text: 'who won' }).items.length,
      0,
      'switched-off capabilities do not match',
    )
  })

  it('stops a selective scan after scanLimit entries and hands a cursor to go on', () => {
    const { pool } = ranked()
    const limits = { defaultLimit: 20, maxLimit: 100, scanLimit: 4 }
    const first = listOracles(pool, { tag: 'nothing' }, limits)
    assert.deepEqual(first.items, [])
    assert.ok(first.next)
    assert.equal(all((cursor) => listOracles(pool, { tag: 'weather', cursor }, limits)).items.length, 6)
  })

  it('refuses cursors it did not issue', () => {
    const { pool } = ranked()
    const offers = listOffers(pool, {}).next
    for (const cursor of [
      'x',
      'oracles.1',
      `oracles.1.${'g'.repeat(64)}`,
      'capabilities.1.2.3.4',
      offers ?? 'offers.1.a',
    ])
      assert.throws(() => listOracles(pool, { cursor }), CursorError, cursor)
  })
})

describe('other queries', () => {
  it('returns one oracle with its capabilities, report summaries, work and floors', () => {
    const pool = mempool()
    admitValue(pool, fx.oracleAd({}, fx.ORACLE, 10))
    admitValue(pool, fx.capabilityAd({}, fx.ORACLE, fx.CAPABILITY, 9))
    const conflict = fx.report(
      { type: 'fact-conflict', capability: fx.capabilityAd(), facts: [fx.fact('home'), fx.fact('away')] },
      fx.REPORTER,
      8,
    )
    admitValue(pool, conflict)
    const oracle = getOracle(pool, fx.ORACLE.publicKey)!
    assert.equal(oracle.strength.work, String(2 ** 10 + 2 ** 9))
    assert.equal(oracle.score.work, String(2 ** 10 + 2 ** 9 - 2 ** 8))
    assert.equal(oracle.capabilities.length, 1)
    assert.equal(oracle.capabilityCount, 1)
    assert.deepEqual(
      oracle.reports.map((r) => [r.id, r.type, r.verdict, r.counts, r.reporter]),
      [[messageId(conflict), 'fact-conflict', 'verified', true, fx.REPORTER.publicKey]],
    )
    assert.deepEqual(oracle.floors, { capabilities: 0, reports: 0 })
    assert.equal(getOracle(pool, 'a'.repeat(64)), undefined)
  })

  it('lists capabilities and reports by oracle, tag, text and type, paging across oracles', () => {
    const { pool, keys } = ranked()
    const admit = (message: unknown) => assert.equal(admitValue(pool, message).admission.status, 'added')
    for (const [i, key] of keys.slice(0, 3).entries()) {
      admit(fx.capabilityAd({ tags: ['rain'] }, key, fx.testKey('bip340', 80 + i)))
      const temperature = { question: 'Temperature in $city?', params: [{ name: 'city', values: ['Oslo'] }] }
      admit(fx.capabilityAd({ ...temperature, tags: ['temp'] }, key, fx.testKey('bip340', 90 + i)))
    }
    const everything = all((cursor) => listCapabilities(pool, { limit: 4, cursor }))
    assert.equal(everything.items.length, 6)
    assert.equal(new Set(everything.items.map((c) => c.key)).size, 6)
    assert.equal(listCapabilities(pool, { oracle: keys[0]!.publicKey }).items.length, 2)
    assert.equal(listCapabilities(pool, { tag: 'rain' }).items.length, 3)
    assert.equal(listCapabilities(pool, { text: 'temperature' }).items.length, 3)
    assert.deepEqual(listCapabilities(pool, { oracle: 'b'.repeat(64) }).items, [])
    admit(fx.oracleAd({}, fx.ORACLE, 9))
    for (let i = 0; i < 5; i++) admit(fx.report({ type: 'free-form', comment: `bad ${i}`, links: [] }, null))
    const reports = all((cursor) => listReports(pool, { limit: 2, type: 'free-form', cursor }))
    assert.equal(reports.pages, 3)
    assert.equal(new Set(reports.items.map((r) => r.id)).size, 5)
    assert.equal(listReports(pool, { oracle: fx.ORACLE.publicKey }).items.length, 5)
    assert.deepEqual(listReports(pool, { oracle: keys[0]!.publicKey }).items, [])
    assert.deepEqual(listReports(pool, { type: 'fact-missing' }).items, [])
    // A counting report of less work comes first, and paging one by one crosses the tiers.
    admit(
      fx.report(
        { type: 'fact-conflict', capability: fx.capabilityAd(), facts: [fx.fact('home'), fx.fact('away')] },
        fx.REPORTER,
        8,
      ),
    )
    const one = all((cursor) => listReports(pool, { oracle: fx.ORACLE.publicKey, limit: 1, cursor }))
    assert.equal(one.pages, 6)
    assert.deepEqual(
      one.items.map((r) => r.counts),
      [true, false, false, false, false, false],
    )
    assert.equal(new Set(one.items.map((r) => r.id)).size, 6)
  })

  it('lists offers by capability with their stage, strongest first', () => {
    const pool = mempool()
    admitValue(pool, fx.oracleAd())
    admitValue(pool, fx.capabilityAd())
    admitValue(pool, fx.offer())
    assert.deepEqual(
      listOffers(pool, { capability: fx.CAPABILITY.publicKey }).items.map((o) => o.stage),
      ['open'],
    )
    admitValue(pool, fx.acceptedOffer())
    assert.equal(listOffers(pool).items[0]!.stage, 'accepted')
    admitValue(pool, fx.finalizedOffer())
    assert.equal(listOffers(pool, { stage: 'finalized' }).items.length, 1)
    assert.equal(listOffers(pool, { stage: 'open' }).items.length, 0)
    assert.deepEqual(listOffers(pool, { capability: 'c'.repeat(64) }).items, [])
  })

  it('reports sizes, bytes, floors and outcome counters', () => {
    const { pool } = ranked(mempool({ maxOracles: 11 }))
    admitValue(pool, { kind: 'oracle' })
    const stats = poolStats(pool)
    assert.equal(stats.oracles.count, 11)
    assert.equal(stats.oracles.capacity, 11)
    assert.ok(stats.oracles.floorBits > 8, 'an eviction raised the floor')
    assert.ok(stats.bytes.used > 0)
    assert.deepEqual(stats.minBits, pool.options.minBits)
    assert.equal(stats.counters.status.added, 12)
    assert.equal(stats.counters.reason.SCHEMA_VIOLATION, 1)
  })
})
