/**
 * One commitment, one penalty: fact-missing reports against an oracle that accuse the same
 * commitment count once (the one with the most work), and a dispute of any of them clears all.
 */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { scoreOf } from '../../../src/mempool/entries.ts'
import { Mempool } from '../../../src/mempool/mempool.ts'
import { admitValue } from '../../../src/mempool/pipeline.ts'
import { floorRecords, restoreSnapshot, toRecord } from '../../../src/mempool/snapshot.ts'
import { messageId } from '../../../src/protocol/message.ts'
import type { Commitment } from '../../../src/protocol/messages/index.ts'
import { sign } from '../../../src/protocol/sign.ts'
import * as fx from '../../support/messages.ts'

const NOW = 1_850_000_000
const LOW = { oracle: 8, capability: 8, report: 8, offer: 8 }
const capability = fx.capabilityAd({ attestation: 'signature' })
const commitment = fx.commitment(NOW - 3600)
const REPORTERS = [fx.REPORTER, fx.TRADER, fx.testKey('ed25519', 9), fx.testKey('ed25519', 10)]

function missingOn(on: Commitment, reporter = fx.REPORTER, bits = 8) {
  return fx.report({ type: 'fact-missing', capability, commitment: on }, reporter, bits)
}

function setup(options = {}) {
  const pool = new Mempool({ minBits: LOW, ...options }, { now: () => NOW })
  for (const message of [fx.oracleAd({}, fx.ORACLE, 14), capability])
    assert.equal(admitValue(pool, message).admission.status, 'added')
  const oracle = pool.oracles.get(fx.ORACLE.publicKey)!
  const penalty = () => oracle.strength - scoreOf(oracle)
  return { pool, oracle, penalty }
}

const status = (pool: Mempool, message: unknown) => admitValue(pool, message).admission.status

describe('reports on one commitment', () => {
  it('count once: the one with the most work, whoever filed first', () => {
    const { pool, penalty } = setup()
    const weak = missingOn(commitment, REPORTERS[0], 8)
    const strong = missingOn(commitment, REPORTERS[1], 11)
    const middle = missingOn(commitment, REPORTERS[2], 9)
    assert.equal(status(pool, weak), 'added')
    assert.equal(penalty(), 2n ** 8n)
    assert.equal(status(pool, strong), 'added')
    assert.equal(penalty(), 2n ** 11n, 'the stronger report replaces the weaker one in the penalty')
    assert.equal(status(pool, middle), 'added', 'a further report is kept')
    assert.equal(penalty(), 2n ** 11n, '…but adds nothing')
    const counting = [...pool.reports.values()].filter((report) => report.counts).map((r) => r.id)
    assert.deepEqual(counting, [messageId(strong)])
    // Another commitment of the same oracle is another failure.
    const other = missingOn(fx.commitment(NOW - 7200), REPORTERS[0], 8)
    assert.equal(status(pool, other), 'added')
    assert.equal(penalty(), 2n ** 11n + 2n ** 8n)
  })

  it('the same commitment signed again is the same commitment (its id excludes the signature)', () => {
    const { pool, penalty } = setup()
    const { signature: _signature, ...draft } = commitment
    const resigned = sign<Commitment>(draft, fx.CAPABILITY.secretKey, new Uint8Array(32).fill(7))
    assert.notEqual(resigned.signature, commitment.signature)
    assert.equal(status(pool, missingOn(commitment, REPORTERS[0], 9)), 'added')
    assert.equal(status(pool, missingOn(resigned, REPORTERS[1], 9)), 'added')
    assert.equal(penalty(), 2n ** 9n)
  })

  it('a dispute of any of them clears them all, and later ones never count', () => {
    const { pool, oracle, penalty } = setup()
    const reports = REPORTERS.slice(0, 3).map((reporter, i) => missingOn(commitment, reporter, 8 + i))
    for (const report of reports) assert.equal(status(pool, report), 'added')
    assert.equal(penalty(), 2n ** 10n)
    // The oracle disputes the weakest one (not the one that counts).
    assert.equal(status(pool, fx.dispute(messageId(reports[0]!))), 'updated')
    assert.equal(penalty(), 0n)
    assert.equal(scoreOf(oracle), oracle.strength, 'the score is restored')
    assert.ok([...pool.reports.values()].every((report) => !report.counts))
    const late = missingOn(commitment, REPORTERS[3], 12)
    assert.equal(status(pool, late), 'added')
    assert.equal(penalty(), 0n, 'a report on a disputed commitment does not count')
  })

  it('when the counting report goes, the next strongest counts in its place', () => {
    const { pool, oracle, penalty } = setup()
    const weak = missingOn(commitment, REPORTERS[0], 8)
    const strong = missingOn(commitment, REPORTERS[1], 10)
    for (const report of [weak, strong]) assert.equal(status(pool, report), 'added')
    const changes = { put: [], removed: [] }
    pool.remove(pool.reports.get(messageId(strong))!, changes)
    assert.equal(penalty(), 2n ** 8n)
    assert.equal(pool.reports.get(messageId(weak))!.counts, true)
    assert.equal(oracle.reports.rankOf(messageId(weak))?.tier, 2n, 'it moves to the counting tier')
  })

  it('a restored pool counts the same reports', () => {
    const { pool, penalty } = setup()
    for (const [i, reporter] of REPORTERS.slice(0, 3).entries())
      assert.equal(status(pool, missingOn(commitment, reporter, 8 + i)), 'added')
    const records = JSON.parse(JSON.stringify([...pool.entries()].map(toRecord)))
    const restored = new Mempool({ minBits: LOW }, { now: () => NOW })
    assert.deepEqual(restoreSnapshot(restored, records, floorRecords(pool)).removed, [])
    const oracle = restored.oracles.get(fx.ORACLE.publicKey)!
    assert.equal(oracle.strength - scoreOf(oracle), penalty())
    assert.deepEqual([...restored.entries()].map(toRecord), [...pool.entries()].map(toRecord))
    // A dispute still clears the whole commitment after the restart.
    const [first] = [...restored.reports.keys()]
    assert.equal(admitValue(restored, fx.dispute(first!)).admission.status, 'updated')
    assert.equal(scoreOf(oracle), oracle.strength)
  })
})
