import assert from 'node:assert/strict'
import { createHash } from 'node:crypto'
import { describe, it } from 'node:test'
import { type EndpointError, OracleEndpointClient } from '../../../src/client/endpoint-client.ts'
import type { Commitment, HashLock } from '../../../src/protocol/messages/index.ts'
import { checkMessageRules } from '../../../src/protocol/rules.ts'
import { sign } from '../../../src/protocol/sign.ts'
import * as fx from '../../support/messages.ts'

const NOW = 1_800_000_000
const capability = fx.capabilityAd({ attestation: 'hashlock' })
const lockOf = (byte: number) => createHash('sha256').update(Buffer.alloc(32, byte)).digest('hex')

function hashLocked(locks: HashLock[]): Commitment {
  return sign<Commitment>(
    {
      kind: 'commitment',
      scheme: fx.CAPABILITY.scheme,
      request: fx.factRequest(),
      attestation: { type: 'hashlock', locks },
      deadline: NOW + 3600,
    },
    fx.CAPABILITY.secretKey,
    fx.ZERO_AUX,
  )
}

const distinct = hashLocked([
  { answer: 'home', hash: lockOf(1) },
  { answer: 'away', hash: lockOf(2) },
  { answer: 'draw', hash: lockOf(3) },
])
// One preimage would open "home" and "away": whoever holds it wins either side of the bet.
const sharedHash = hashLocked([
  { answer: 'home', hash: lockOf(1) },
  { answer: 'away', hash: lockOf(1) },
  { answer: 'draw', hash: lockOf(3) },
])
const twiceLocked = hashLocked([
  { answer: 'home', hash: lockOf(1) },
  { answer: 'home', hash: lockOf(2) },
  { answer: 'draw', hash: lockOf(3) },
])

function rule(commitment: Commitment): string {
  const checked = checkMessageRules(commitment)
  return checked.ok ? 'ok' : `${checked.error.code} ${checked.error.details.path}`
}

/** A client of an endpoint that answers every commitment request with `commitment`. */
function clientAnswering(commitment: Commitment): OracleEndpointClient {
  const fetch = async () => Response.json(commitment)
  return new OracleEndpointClient({ url: 'https://oracle.example/mega', fetch, now: () => NOW })
}

describe('hash-lock commitments', () => {
  it('each answer is locked once, each lock with its own hash', () => {
    assert.equal(rule(distinct), 'ok')
    assert.equal(rule(sharedHash), 'SCHEMA_VIOLATION /attestation/locks/1/hash')
    assert.equal(rule(twiceLocked), 'SCHEMA_VIOLATION /attestation/locks/1/answer')
  })

  it('the endpoint client refuses a commitment whose locks are not distinct', async () => {
    assert.deepEqual(await clientAnswering(distinct).commitment(fx.factRequest(), capability), distinct)
    for (const [commitment, path] of [
      [sharedHash, '/attestation/locks/1/hash'],
      [twiceLocked, '/attestation/locks/1/answer'],
    ] as const) {
      for (const ad of [capability, undefined]) {
        await assert.rejects(
          clientAnswering(commitment).commitment(fx.factRequest(), ad),
          (error: EndpointError) => error.code === 'BAD_ANSWER' && error.message.includes(path),
        )
      }
    }
  })
})
