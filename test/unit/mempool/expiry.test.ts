/**
 * Expired offers leave the pool, with their bytes, at expiry plus the tolerated skew, and are
 * refused as EXPIRED afterwards, as on a fresh node.
 */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { Mempool } from '../../../src/mempool/mempool.ts'
import { admitValue } from '../../../src/mempool/pipeline.ts'
import { offerKey } from '../../../src/protocol/message.ts'
import { offerExpiring } from '../../support/expiring-offer.ts'
import * as fx from '../../support/messages.ts'
import { LOW } from '../../support/pool-settings.ts'

const SKEW = 300

describe('expired offers', () => {
  it('are purged from the pool, with their bytes, at expiry plus the tolerated skew', () => {
    let now = 1_850_000_000
    const pool = new Mempool({ minBits: LOW, clockSkewSeconds: SKEW }, { now: () => now })
    for (const message of [fx.oracleAd(), fx.capabilityAd()]) admitValue(pool, message)
    const bytesBefore = pool.bytes
    const soon = offerExpiring(now + 10, '00000000000000a1')
    const later = offerExpiring(now + 1000, '00000000000000a2')
    for (const offer of [soon, later]) assert.equal(admitValue(pool, offer).admission.status, 'added')
    now += 10 + SKEW
    assert.equal(pool.purgeExpired().removed.length, 0, 'still within the skew')
    now += 1
    const { removed } = pool.purgeExpired()
    assert.deepEqual(removed, [{ kind: 'offer', key: offerKey(soon) }])
    assert.equal(pool.offers.size, 1)
    assert.equal(admitValue(pool, soon).admission.reason?.code, 'EXPIRED', 'and refused like on a fresh node')
    // Admission purges first: the next message of any kind takes the other one along.
    now += 1000
    const { changes } = admitValue(pool, fx.oracleAd())
    assert.equal(changes.removed.length, 1)
    assert.equal(pool.offers.size, 0)
    assert.equal(pool.bytes, bytesBefore, 'the byte budget is given back')
  })
})
