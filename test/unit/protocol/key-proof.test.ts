import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { canonicalBytes, canonicalize } from '../../../src/protocol/canonical.ts'
import { capabilityKeyBody } from '../../../src/protocol/message.ts'
import { verifyMessagePow } from '../../../src/protocol/message-pow.ts'
import type { OracleCapability } from '../../../src/protocol/messages/index.ts'
import { sign, verifySignatures } from '../../../src/protocol/sign.ts'
import { verifyMessage } from '../../../src/protocol/signature.ts'
import { validateMessage } from '../../../src/protocol/validate.ts'
import * as fx from '../../support/messages.ts'

const genuine = fx.capabilityAd()

/** What another oracle can build from a genuine ad: the same capability key under its own identity. */
function squat(capability: OracleCapability, squatter: fx.TestKey): OracleCapability {
  return fx.capabilityAd({ keyProof: capability.keyProof }, squatter, fx.CAPABILITY)
}

function failure(capability: OracleCapability): [string, string | undefined] {
  const checked = verifySignatures(capability)
  return checked.ok ? ['ok', undefined] : [checked.error.code, checked.error.details.path as string]
}

describe('capability key proof (keyProof)', () => {
  it('a genuine capability proves its key, whatever the two schemes', () => {
    assert.deepEqual(failure(genuine), ['ok', undefined])
    const mixed = fx.capabilityAd({ attestation: 'hashlock' }, fx.OTHER_ORACLE, fx.testKey('ed25519', 8))
    assert.equal(mixed.oracleScheme, 'bip340')
    assert.equal(mixed.capabilityScheme, 'ed25519')
    assert.deepEqual(failure(mixed), ['ok', undefined])
  })

  it('signs exactly the binding of the two keys and their schemes, under its own kind', () => {
    assert.equal(
      canonicalize(capabilityKeyBody(genuine)),
      `{"capabilityKey":"${fx.CAPABILITY.publicKey}","capabilityScheme":"bip340","kind":"capability-key",` +
        `"oracle":"${fx.ORACLE.publicKey}","oracleScheme":"ed25519"}`,
    )
  })

  it('refuses a squatter: another oracle advertising the key with the genuine proof', () => {
    const squatted = squat(genuine, fx.OTHER_ORACLE)
    // Everything the squatter controls is in order: schema, its own signature, its own work.
    assert.ok(validateMessage(squatted).ok)
    assert.ok(verifyMessagePow(squatted).ok)
    assert.deepEqual(failure(squatted), ['SIGNATURE_INVALID', '/keyProof'])
  })

  it('refuses a proof moved to another oracle scheme, or made by another key', () => {
    // Same oracle key bytes read in the other scheme: the proof names the scheme, so it does not carry over.
    const rescheme = canonicalBytes(capabilityKeyBody({ ...genuine, oracleScheme: 'bip340' }))
    const moved = verifyMessage('bip340', rescheme, genuine.keyProof, genuine.capabilityKey)
    assert.equal(moved.ok ? 'ok' : moved.error.code, 'SIGNATURE_INVALID')
    // The oracle re-signing a changed ad keeps the proof valid only for the same binding.
    const resigned = sign<OracleCapability>({ ...genuine, tags: ['renamed'] }, fx.ORACLE.secretKey)
    assert.deepEqual(failure(resigned), ['ok', undefined])
    const byOtherKey = fx.capabilityAd({
      keyProof: fx.capabilityAd({}, fx.ORACLE, fx.OTHER_CAPABILITY).keyProof,
    })
    assert.deepEqual(failure(byOtherKey), ['SIGNATURE_INVALID', '/keyProof'])
  })

  it('requires the proof: a capability without keyProof is a schema violation', () => {
    const { keyProof: _keyProof, ...unproven } = genuine
    const parsed = validateMessage(unproven, 'capability')
    assert.equal(parsed.ok ? 'ok' : parsed.error.code, 'SCHEMA_VIOLATION')
  })
})
