/**
 * `POST /fact-record` refuses through the one admission error `POST /submit` uses: the same
 * code, HTTP status and details (kind, id, path) from the same function.
 */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { admissionError } from '../../../src/api/admission-error.ts'
import { FactPool } from '../../../src/facts/fact-pool.ts'
import { toProblem } from '../../../src/http/problem.ts'
import { messageId } from '../../../src/protocol/message.ts'
import { capabilitySigner } from '../../../src/protocol/oracle-attestation.ts'
import { body, testApi } from '../../support/api.ts'
import * as fx from '../../support/messages.ts'

const ad = fx.capabilityAd({ attestation: 'schnorr' })
const signer = capabilitySigner(ad, fx.CAPABILITY.secretKey)
const fact = (n: number, answer: string) => signer.attest({ ...fx.factRequest(), invoice: `i${n}` }, answer)

describe('POST /fact-record refusals', () => {
  it('are admissionError of the pool’s admission: code, status, kind and id', async (t) => {
    // Two records per capability, both pinned evidence of a conflict: the third finds no room.
    const pool = new FactPool(
      { maxPerCapability: 2 },
      { capabilityOf: (key) => (key === ad.capabilityKey ? ad : undefined) },
    )
    const admissions: ReturnType<FactPool['add']>[] = []
    const add = (value: unknown) => {
      const admission = pool.add(value)
      admissions.push(admission)
      return admission
    }
    const api = await testApi({}, {}, { facts: { pool, add } })
    t.after(() => api.app.close())
    assert.equal((await api.post('/fact-record', fact(0, 'home'))).statusCode, 201)
    assert.equal((await api.post('/fact-record', fact(1, 'away'))).statusCode, 201)
    const refusals = [fact(2, 'draw'), { ...fact(3, 'home'), answer: 'draw' }]
    for (const record of refusals) {
      const response = await api.post('/fact-record', record)
      const expected = toProblem(admissionError(admissions.at(-1)!), '/fact-record')
      assert.equal(response.statusCode, expected.status)
      assert.deepEqual(body(response), expected)
    }
    const full = admissions.at(-2)!
    assert.equal(full.reason?.code, 'FACT_POOL_FULL')
    assert.equal(full.id, messageId(refusals[0]!))
    assert.equal(admissionError(full).details.kind, 'fact', 'the refusal names the kind refused')
  })
})
