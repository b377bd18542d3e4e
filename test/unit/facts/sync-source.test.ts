import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { FactPool } from '../../../src/facts/fact-pool.ts'
import { FACT_KEYS, FactSyncSource } from '../../../src/facts/sync-source.ts'
import { messageId } from '../../../src/protocol/message.ts'
import type { OracleCapability } from '../../../src/protocol/messages/index.ts'
import { capabilitySigner } from '../../../src/protocol/oracle-attestation.ts'
import { relayFor } from '../../../src/trader/trader.ts'
import * as fx from '../../support/messages.ts'

const ad = fx.capabilityAd({ attestation: 'schnorr' })
const signer = capabilitySigner(ad, fx.CAPABILITY.secretKey)

function source(held: OracleCapability[] = [ad]) {
  const pool = new FactPool({}, { capabilityOf: (key) => held.find((c) => c.capabilityKey === key) })
  return { pool, source: new FactSyncSource(pool, (value) => pool.add(value)) }
}

describe('fact sync source', () => {
  it('offers every record as an item, commitments first, and serves them by id', () => {
    const { pool, source: facts } = source()
    const commitment = signer.commit(fx.factRequest(), 2_000_000_000)
    const fact = signer.attest(fx.factRequest(), 'home')
    pool.add(fact)
    pool.add(commitment)
    const snapshot = facts.snapshot()
    assert.equal(snapshot.size, 2)
    assert.deepEqual(JSON.parse(facts.message(messageId(fact))!), fact)
    assert.equal(FACT_KEYS.commitment < FACT_KEYS.fact, true)
    assert.equal(facts.snapshot(), snapshot, 'unchanged pool, same snapshot')
    pool.add(signer.attest({ ...fx.factRequest(), invoice: 'x' }, 'home'))
    assert.equal(facts.snapshot().size, 3)
  })

  it('counts forged records against the peer, not what depends on this node’s holdings', () => {
    const { source: facts } = source()
    const forged = facts.submit({ ...signer.attest(fx.factRequest(), 'home'), answer: 'away' })
    assert.equal(forged.status, 'invalid')
    assert.equal(forged.fault, true)
    assert.equal(facts.submit({ kind: 'oracle' }).fault, true)
    const unknown = facts.submit(fx.fact('home', fx.OTHER_CAPABILITY, fx.factRequest(fx.OTHER_CAPABILITY)))
    assert.equal(unknown.reason?.code, 'CAPABILITY_NOT_HELD')
    assert.equal(unknown.fault, undefined)
    const outOfAd = facts.submit(
      fx.fact('home', fx.CAPABILITY, {
        ...fx.factRequest(),
        args: { ...fx.factRequest().args, date: '1999-01-01' },
      }),
    )
    assert.equal(outOfAd.reason?.code, 'REQUEST_INVALID')
    assert.equal(outOfAd.fault, undefined, 'another version of the ad may allow it')
    assert.equal(facts.submit(signer.attest(fx.factRequest(), 'home')).status, 'added')
  })
})

describe('spreading requests over relays', () => {
  it('sends one question always through the same node, and different questions over several', () => {
    const via = ['http://a', 'http://b', 'http://c']
    const request = fx.factRequest()
    assert.equal(relayFor([], request), undefined)
    assert.equal(
      relayFor(via, request),
      relayFor(via, { ...request, invoice: 'paid' }),
      'the invoice does not count',
    )
    const chosen = new Set<string | undefined>()
    for (const home of ['ARS', 'CHE'])
      for (const away of ['ARS', 'CHE'])
        for (const date of ['1', '2', '3', '4'])
          chosen.add(relayFor(via, { capability: request.capability, args: { home, away, date } }))
    assert.equal(chosen.size, 3, 'sixteen questions reach all three nodes')
  })
})
