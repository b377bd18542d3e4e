import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { scoreOf } from '../../../src/mempool/entries.ts'
import { Mempool } from '../../../src/mempool/mempool.ts'
import { admitValue } from '../../../src/mempool/pipeline.ts'
import { floorRecords, restoreSnapshot, toRecord } from '../../../src/mempool/snapshot.ts'
import { messageId } from '../../../src/protocol/message.ts'
import * as fx from '../../support/messages.ts'

const NOW = 1_850_000_000
const options = { minBits: { oracle: 8, capability: 8, report: 8, offer: 8 }, maxOracles: 3 }

describe('mempool snapshot', () => {
  it('restores the same pools, ranks, scores and floors', () => {
    const pool = new Mempool(options, { now: () => NOW })
    for (let seed = 60; seed < 65; seed++)
      admitValue(pool, fx.oracleAd({}, fx.testKey('ed25519', seed), 8 + (seed % 4)))
    admitValue(pool, fx.oracleAd({}, fx.ORACLE, 14))
    const capability = fx.capabilityAd({ attestation: 'signature' })
    admitValue(pool, capability)
    const missing = fx.report({ type: 'fact-missing', capability, commitment: fx.commitment(NOW - 3600) })
    admitValue(pool, missing)
    admitValue(pool, fx.dispute(messageId(missing)))
    admitValue(
      pool,
      fx.report({ type: 'fact-conflict', capability, facts: [fx.fact('home'), fx.fact('away')] }),
    )
    admitValue(pool, fx.offer())
    admitValue(pool, fx.acceptedOffer())

    const records = [...pool.entries()].map(toRecord)
    const json = JSON.parse(JSON.stringify({ records, floors: floorRecords(pool) }))
    const restored = new Mempool(options, { now: () => NOW + 30 })
    const leftovers = restoreSnapshot(restored, json.records, json.floors)
    assert.deepEqual(leftovers.removed, [])

    const ranking = (p: Mempool) => [...p.byScore()].map(([, o]) => [o.key, scoreOf(o), o.strength])
    assert.deepEqual(ranking(restored), ranking(pool))
    assert.equal(restored.bytes, pool.bytes)
    assert.deepEqual([...restored.entries()].map(toRecord), records)
    assert.deepEqual(floorRecords(restored), floorRecords(pool))
    assert.ok(pool.oracles.floor.bitsAt(NOW) > 0, 'the test exercised a raised floor')
    assert.equal(restored.oracles.floor.bitsAt(NOW + 30), pool.oracles.floor.bitsAt(NOW + 30))
    // The restored pool keeps working: the same dispute is a duplicate, the offer stage holds.
    assert.equal(admitValue(restored, fx.dispute(messageId(missing))).admission.status, 'duplicate')
    assert.equal(admitValue(restored, fx.offer()).admission.reason?.code, 'STALE_SEQNO')
  })
})

describe('mempool snapshot under smaller limits', () => {
  it('evicts what no longer fits and reports it for deletion', () => {
    const pool = new Mempool({ ...options, maxOracles: 5 }, { now: () => NOW })
    for (let seed = 70; seed < 75; seed++)
      admitValue(pool, fx.oracleAd({}, fx.testKey('ed25519', seed), 8 + (seed % 5)))
    const records = [...pool.entries()].map(toRecord)
    const smaller = new Mempool({ ...options, maxOracles: 2 }, { now: () => NOW })
    const leftovers = restoreSnapshot(smaller, records, floorRecords(pool))
    assert.equal(smaller.oracles.size, 2)
    assert.equal([...smaller.byScore()].length, 2, 'evicted oracles leave the score index too')
    assert.equal(leftovers.removed.length, 3)
    const strongest = [...pool.byScore()].slice(0, 2).map(([, o]) => o.key)
    assert.deepEqual(
      [...smaller.byScore()].map(([, o]) => o.key),
      strongest,
    )
  })
})
