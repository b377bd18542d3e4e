/**
 * The endpoint client refuses a numeric commitment that would let the oracle cheat or that the
 * capability did not promise: a nonce repeated across digits, or another number of nonces.
 */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { type EndpointError, OracleEndpointClient } from '../../../src/client/endpoint-client.ts'
import type { Commitment } from '../../../src/protocol/messages/index.ts'
import { capabilitySigner } from '../../../src/protocol/oracle-attestation.ts'
import { sign } from '../../../src/protocol/sign.ts'
import * as fx from '../../support/messages.ts'

const NOW = 1_800_000_000
const capability = fx.capabilityAd({ attestation: 'schnorr-digits', digits: 6, answers: [] })
const honest = capabilitySigner(capability, fx.CAPABILITY.secretKey).commit(fx.factRequest(), NOW + 3600)
const nonces = (honest.attestation as { nonces: string[] }).nonces

function withNonces(list: string[]): Commitment {
  const { signature: _signature, ...draft } = {
    ...honest,
    attestation: { type: 'schnorr-digits' as const, nonces: list },
  }
  return sign<Commitment>(draft, fx.CAPABILITY.secretKey, fx.ZERO_AUX)
}

function clientAnswering(commitment: Commitment): OracleEndpointClient {
  const fetch = async () => Response.json(commitment)
  return new OracleEndpointClient({ url: 'https://oracle.example/mega', fetch, now: () => NOW })
}

describe('numeric commitments at the endpoint client', () => {
  it('accepts one distinct nonce per digit, refuses a repeated nonce or another count', async () => {
    assert.deepEqual(await clientAnswering(honest).commitment(fx.factRequest(), capability), honest)
    const cases = [
      [withNonces([nonces[0]!, nonces[0]!, ...nonces.slice(2)]), '/attestation/nonces/1', undefined],
      [withNonces(nonces.slice(1)), '/attestation/nonces', capability],
      [
        withNonces([...nonces, nonces[0]!.replace(/^./, nonces[0]![0] === 'a' ? 'b' : 'a')]),
        '/attestation/nonces',
        capability,
      ],
    ] as const
    for (const [commitment, path, ad] of cases) {
      await assert.rejects(
        clientAnswering(commitment).commitment(fx.factRequest(), ad),
        (error: EndpointError) => error.code === 'BAD_ANSWER' && error.message.includes(path),
      )
    }
  })
})
