import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { workBits } from '../../../src/mempool/bounded-pool.ts'
import { type Entry, entryKey, scoreOf } from '../../../src/mempool/entries.ts'
import { Mempool } from '../../../src/mempool/mempool.ts'
import { admitValue } from '../../../src/mempool/pipeline.ts'
import { messageId } from '../../../src/protocol/message.ts'
import { sign } from '../../../src/protocol/sign.ts'
import * as fx from '../../support/messages.ts'

const NOW = 1_850_000_000
const LOW = { oracle: 8, capability: 8, report: 8, offer: 8 }

function mempool(options = {}) {
  let now = NOW
  const pool = new Mempool({ minBits: LOW, ...options }, { now: () => now })
  return { pool, advance: (seconds: number) => (now += seconds) }
}

function status(pool: Mempool, message: unknown) {
  const { admission } = admitValue(pool, message)
  return admission.reason ? `${admission.status} ${admission.reason.code}` : admission.status
}

describe('Mempool admission outcomes', () => {
  it('adds, then reports duplicates, updates and stale seqNo for oracle ads', () => {
    const { pool } = mempool()
    const ad = fx.oracleAd({ seqNo: 2 })
    assert.equal(status(pool, ad), 'added')
    assert.equal(status(pool, ad), 'duplicate')
    assert.equal(
      status(pool, fx.oracleAd({ seqNo: 2 }, fx.ORACLE, 10)),
      'updated',
      'more work on the same ad',
    )
    assert.equal(
      status(pool, fx.oracleAd({ seqNo: 3, tags: ['news'] }, fx.ORACLE, 10)),
      'updated',
      'higher seqNo',
    )
    assert.equal(status(pool, fx.oracleAd({ seqNo: 1 })), 'invalid STALE_SEQNO')
    assert.equal(
      status(pool, fx.oracleAd({ seqNo: 3, tags: ['other'] }, fx.ORACLE, 10)),
      'invalid SEQNO_CONFLICT',
    )
    assert.equal(
      status(pool, fx.oracleAd({ seqNo: 4 }, fx.ORACLE, 8)),
      'low-pow LOW_POW',
      'an update keeps the work',
    )
  })

  it('rejects bad schema, bad PoW, weak PoW and bad signatures with the reason', () => {
    const { pool } = mempool({ minBits: { ...LOW, oracle: 9 } })
    assert.equal(status(pool, { kind: 'oracle' }), 'invalid SCHEMA_VIOLATION')
    assert.equal(status(pool, fx.commitment(1)), 'invalid UNKNOWN_KIND')
    const ad = fx.oracleAd({}, fx.ORACLE, 10)
    assert.equal(status(pool, { ...ad, pow: { ...ad.pow, bits: 30 } }), 'invalid POW_BITS_OVERSTATED')
    assert.equal(
      status(pool, { ...ad, pow: { ...ad.pow, nonce: 'ffffffffffffffff' } }),
      'invalid POW_INVALID',
    )
    assert.equal(status(pool, fx.oracleAd({}, fx.ORACLE, 8)), 'invalid POW_TOO_WEAK')
    assert.equal(status(pool, { ...ad, tags: ['tampered'] }), 'invalid SIGNATURE_INVALID')
    assert.equal(pool.oracles.size, 0, 'nothing invalid was stored')
  })

  it('keeps capabilities, reports and offers only for what it holds', () => {
    const { pool } = mempool()
    assert.equal(status(pool, fx.capabilityAd()), 'invalid UNKNOWN_ORACLE')
    admitValue(pool, fx.oracleAd())
    assert.equal(status(pool, fx.offer()), 'invalid UNKNOWN_CAPABILITY')
    assert.equal(status(pool, fx.capabilityAd()), 'added')
    assert.equal(status(pool, fx.capabilityAd({ off: true, seqNo: 2 })), 'updated', 'switched off')
    assert.equal(status(pool, fx.capabilityAd({}, fx.OTHER_ORACLE)), 'invalid UNKNOWN_ORACLE')
    admitValue(pool, fx.oracleAd({}, fx.OTHER_ORACLE))
    assert.equal(status(pool, fx.capabilityAd({}, fx.OTHER_ORACLE)), 'invalid KEY_TAKEN')
    assert.equal(status(pool, fx.offer()), 'added')
    assert.equal(status(pool, fx.acceptedOffer()), 'updated')
    assert.equal(status(pool, fx.finalizedOffer()), 'updated')
    assert.equal(status(pool, fx.offer()), 'invalid STALE_SEQNO')
  })

  it('keeps strength and score up to date as capabilities and reports arrive', () => {
    const { pool } = mempool()
    admitValue(pool, fx.oracleAd({}, fx.ORACLE, 10))
    admitValue(pool, fx.capabilityAd({}, fx.ORACLE, fx.CAPABILITY, 10))
    const oracle = pool.oracles.get(fx.ORACLE.publicKey)!
    assert.equal(oracle.strength, 2n ** 11n)
    const conflict = fx.report(
      { type: 'fact-conflict', capability: fx.capabilityAd(), facts: [fx.fact('home'), fx.fact('away')] },
      fx.REPORTER,
      9,
    )
    assert.equal(status(pool, conflict), 'added')
    assert.equal(scoreOf(oracle), 2n ** 11n - 2n ** 9n)
    const subjective = fx.report({ type: 'free-form', comment: 'rude', links: [] }, fx.REPORTER, 9)
    assert.equal(status(pool, subjective), 'added')
    assert.equal(scoreOf(oracle), 2n ** 11n - 2n ** 9n, 'subjective reports do not count by default')
    const forged = {
      ...conflict,
      content: { ...conflict.content, facts: [fx.fact('home'), fx.fact('home')] },
    }
    assert.equal(
      status(pool, forged),
      'invalid POW_INVALID',
      'changing the evidence breaks the work bound to it',
    )
  })

  it('amends a fact-missing report with a valid dispute, which then stops counting', () => {
    const { pool } = mempool()
    admitValue(pool, fx.oracleAd({}, fx.ORACLE, 10))
    const capability = fx.capabilityAd({ attestation: 'signature' })
    admitValue(pool, capability)
    const missing = fx.report({ type: 'fact-missing', capability, commitment: fx.commitment(NOW - 3600) })
    assert.equal(status(pool, missing), 'added')
    const oracle = pool.oracles.get(fx.ORACLE.publicKey)!
    const before = scoreOf(oracle)
    assert.equal(status(pool, fx.dispute(messageId(missing), 'maybe')), 'invalid DISPUTE_MISMATCH')
    const foreignFact = {
      kind: 'dispute',
      report: messageId(missing),
      fact: fx.fact('home', fx.OTHER_CAPABILITY),
    }
    assert.equal(status(pool, foreignFact), 'invalid DISPUTE_MISMATCH')
    assert.equal(status(pool, fx.dispute(messageId(missing))), 'updated')
    assert.equal(scoreOf(oracle), before + 2n ** BigInt(missing.pow.bits))
    assert.equal(status(pool, fx.dispute(messageId(missing))), 'duplicate')
    const early = fx.report({ type: 'fact-missing', capability, commitment: fx.commitment(NOW + 3600) })
    assert.equal(status(pool, early), 'invalid EVIDENCE_INVALID')
  })

  it('counts outcomes by status and reason', () => {
    const { pool } = mempool()
    admitValue(pool, {})
    admitValue(pool, fx.oracleAd())
    assert.equal(pool.countOf('added'), 1)
    assert.equal(pool.outcomes.byReason.get('UNKNOWN_KIND'), 1)
  })
})

describe('Mempool eviction', () => {
  it('evicts the weakest oracle with everything hanging on it, and raises the floor', () => {
    const { pool, advance } = mempool({ maxOracles: 2, floorHalfLifeSeconds: 60 })
    const keys = [1, 2, 3].map((seed) => fx.testKey('ed25519', 40 + seed))
    admitValue(pool, fx.oracleAd({}, keys[0], 9))
    admitValue(pool, fx.capabilityAd({}, keys[0], fx.CAPABILITY))
    admitValue(pool, fx.oracleAd({}, keys[1], 11))
    assert.equal(pool.capabilities.size, 1)
    const { admission, changes } = admitValue(pool, fx.oracleAd({}, keys[2], 12))
    assert.equal(admission.status, 'added')
    assert.deepEqual(
      changes.removed.map((r) => r.kind).sort(),
      ['capability', 'oracle'],
      'the evicted oracle took its capability along',
    )
    assert.equal(pool.capabilities.size, 0)
    const weak = admitValue(pool, fx.oracleAd({}, fx.testKey('ed25519', 50), 9)).admission
    assert.equal(weak.status, 'low-pow')
    assert.ok(weak.requiredBits! >= 10)
    advance(3600)
    pool.remove(pool.oracles.get(keys[1]!.publicKey)!)
    assert.equal(
      admitValue(pool, fx.oracleAd({}, fx.testKey('ed25519', 50), 9)).admission.status,
      'added',
      'floor decayed',
    )
  })

  it('keeps only its shard of reports', () => {
    const { pool } = mempool({ shard: { index: 0, count: 2 } })
    admitValue(pool, fx.oracleAd())
    const outcomes = new Set<string>()
    for (let i = 0; i < 8; i++)
      outcomes.add(status(pool, fx.report({ type: 'free-form', comment: `c${i}`, links: [] }, null)))
    assert.deepEqual([...outcomes].sort(), ['added', 'skipped'])
  })

  it('holds the byte budget by evicting the least work per byte', () => {
    const { pool } = mempool({ maxBytes: 4000 })
    admitValue(pool, fx.oracleAd({}, fx.ORACLE, 14))
    for (let i = 0; i < 10; i++)
      admitValue(
        pool,
        fx.report({ type: 'free-form', comment: 'x'.repeat(300) + i, links: [] }, null, 8 + (i % 3)),
      )
    assert.ok(pool.bytes <= 4000, `bytes ${pool.bytes}`)
    assert.ok(pool.oracles.has(fx.ORACLE.publicKey), 'the dense oracle ad survives')
  })

  it('evicts by bytes exactly the least work per byte held, once the budget is first exceeded', () => {
    const { pool } = mempool({ maxBytes: 5000 })
    admitValue(pool, fx.oracleAd({}, fx.ORACLE, 12))
    admitValue(pool, fx.oracleAd({}, fx.OTHER_ORACLE, 9))
    const densityOf = (entry: Entry) =>
      workBits(entry.kind === 'oracle' ? entry.strength : entry.work) - Math.log2(entry.bytes)
    const order = (a: Entry, b: Entry) =>
      densityOf(a) - densityOf(b) ||
      (a.kind < b.kind ? -1 : a.kind > b.kind ? 1 : 0) ||
      (entryKey(a) < entryKey(b) ? -1 : 1)
    let evictions = 0
    for (let i = 0; i < 40; i++) {
      const before = [...pool.entries()].sort(order)
      const message =
        i === 25
          ? fx.capabilityAd() // moves its oracle's strength, density and rank
          : fx.report(
              { type: 'free-form', comment: 'y'.repeat(40 * (i % 5)) + i, links: [] },
              null,
              8 + (i % 4),
            )
      const { changes } = admitValue(pool, message)
      const added = changes.put.find((entry) => !before.includes(entry))
      const expected = [...before, ...(added ? [added] : [])].sort(order)
      for (const removed of changes.removed) {
        assert.deepEqual(removed, { kind: expected[0]!.kind, key: entryKey(expected[0]!) }, `admission ${i}`)
        expected.shift()
        evictions++
      }
      assert.ok(pool.bytes <= 5000)
    }
    assert.ok(evictions > 3, `only ${evictions} evictions`)
  })

  it('ranks reports that count above those that do not, so an oracle cannot wash them out', () => {
    const { pool } = mempool({ maxReportsPerOracle: 3 })
    admitValue(pool, fx.oracleAd({}, fx.ORACLE, 12))
    const capability = fx.capabilityAd({ attestation: 'signature' })
    admitValue(pool, capability)
    const conflict = fx.report(
      { type: 'fact-conflict', capability, facts: [fx.fact('home'), fx.fact('away')] },
      fx.REPORTER,
      8,
    )
    assert.equal(status(pool, conflict), 'added')
    const oracle = pool.oracles.get(fx.ORACLE.publicKey)!
    const reported = scoreOf(oracle)
    // The oracle praises itself, each report with more work than the last and far more than
    // the verified one; the pool fills, then each new praise evicts an older one.
    const praise = (i: number) =>
      fx.report({ type: 'free-form', comment: `all good ${i}`, links: [] }, fx.ORACLE, 12 + i)
    for (let i = 0; i < 2; i++) assert.equal(status(pool, praise(i)), 'added')
    const { admission: third, changes: evicted } = admitValue(pool, praise(2))
    assert.equal(third.status, 'added')
    assert.deepEqual(evicted.removed, [{ kind: 'report', key: messageId(praise(0)) }])
    assert.ok(pool.reports.has(messageId(conflict)), 'the counting report stays')
    assert.equal(scoreOf(oracle), reported)

    // A second counting report pushes out the weakest praise, not the first report.
    const missing = fx.report({ type: 'fact-missing', capability, commitment: fx.commitment(NOW - 3600) })
    assert.equal(status(pool, missing), 'added')
    assert.ok(pool.reports.has(messageId(conflict)))
    assert.equal(pool.reports.size, 3)

    // Once disputed, the fact-missing report stops counting and drops below the counting one,
    // but stays above what never counted (a flood of praise must not evict the dispute): the
    // next counting report evicts the praise.
    assert.equal(status(pool, fx.dispute(messageId(missing))), 'updated')
    const ranks = [...oracle.reports.strongestFirst()].map(([rank, entry]) => [
      entry.message.content.type,
      rank.tier,
    ])
    assert.deepEqual(ranks, [
      ['fact-conflict', 2n],
      ['fact-missing', 1n],
      ['free-form', 0n],
    ])
    const conflict2 = fx.report(
      { type: 'fact-conflict', capability, facts: [fx.fact('away'), fx.fact('home')] },
      fx.REPORTER,
      8,
    )
    const { admission, changes } = admitValue(pool, conflict2)
    assert.equal(admission.status, 'added')
    assert.deepEqual(changes.removed, [{ kind: 'report', key: messageId(praise(2)) }])
    assert.ok(pool.reports.has(messageId(missing)), 'the disputed report stays')
  })

  it('re-signed off switch keeps the capability work (update)', () => {
    const { pool } = mempool()
    admitValue(pool, fx.oracleAd())
    const on = fx.capabilityAd()
    admitValue(pool, on)
    const off = sign({ ...on, off: true, seqNo: 2 }, fx.ORACLE.secretKey)
    assert.equal(status(pool, off), 'updated')
    assert.equal(pool.capabilities.get(on.capabilityKey)!.message.off, true)
  })
})
