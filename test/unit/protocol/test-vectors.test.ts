/**
 * Checks docs/test-vectors.json the way another implementation would: from the published
 * strings and bytes, with node:crypto's SHA-256, not through our message helpers alone.
 */
import assert from 'node:assert/strict'
import { createHash } from 'node:crypto'
import { describe, it } from 'node:test'
import { backend } from '#crypto'
import vectors from '../../../docs/test-vectors.json' with { type: 'json' }
import { canonicalize } from '../../../src/protocol/canonical.ts'
import {
  capabilityKeyBody,
  messageId,
  powBound,
  signedBody,
  withoutProofs,
} from '../../../src/protocol/message.ts'
import {
  type Commitment,
  type Fact,
  MESSAGE_KINDS,
  type Message,
  type OracleCapability,
  type OracleId,
  type Report,
} from '../../../src/protocol/messages/index.ts'
import { leadingZeroBits, verifyPow } from '../../../src/protocol/pow.ts'
import { verifySignatures } from '../../../src/protocol/sign.ts'
import { signMessage, verifyMessage } from '../../../src/protocol/signature.ts'
import { validateMessage } from '../../../src/protocol/validate.ts'
import { verifyReportEvidence } from '../../../src/protocol/verify-report.ts'
import { ZERO_AUX } from '../../support/messages.ts'
import { buildVectors, type VectorCase, type VectorFile } from '../../vectors/protocol-vectors.ts'

const file = vectors as unknown as VectorFile
const sha256 = (data: string | Uint8Array) => createHash('sha256').update(data).digest()
const KNOWN_FIELDS = new Set([
  'name',
  'kind',
  'message',
  'canonical',
  'id',
  'signature',
  'keyProof',
  'pow',
  'evidence',
])

/** A published signature verifies over its published string, and re-signing gives the same bytes. */
function checkPublishedSignature(published: NonNullable<VectorCase['signature']>): void {
  const { scheme, publicKey, signature, signed } = published
  const bytes = new TextEncoder().encode(signed)
  const checked = verifyMessage(scheme as 'ed25519', bytes, signature, publicKey)
  assert.ok(checked.ok, 'published signature verifies over the published string')
  // Both schemes are deterministic here (bip340 with zero aux): re-signing gives the same bytes.
  const key = Object.values(file.keys).find((k) => k.publicKey === publicKey && k.scheme === scheme)
  assert.ok(key, 'the signer is one of the published keys')
  assert.equal(signMessage(key.scheme as 'ed25519', bytes, key.secretKey, ZERO_AUX), signature)
  const tampered = new TextEncoder().encode(`${signed} `)
  assert.equal(verifyMessage(scheme as 'ed25519', tampered, signature, publicKey).ok, false)
}

describe('docs/test-vectors.json', () => {
  it('covers every message kind, and both schemes for every signed kind', () => {
    for (const kind of MESSAGE_KINDS) {
      const cases = file.cases.filter((c) => c.kind === kind)
      assert.ok(cases.length > 0, `no vector for ${kind}`)
      if (kind === 'dispute') continue
      const schemes = new Set(cases.map((c) => c.signature?.scheme))
      assert.ok(schemes.has('ed25519') && schemes.has('bip340'), `${kind} lacks a scheme: ${[...schemes]}`)
    }
  })

  for (const vector of file.cases as VectorCase[]) {
    it(vector.name, () => {
      for (const field of Object.keys(vector)) assert.ok(KNOWN_FIELDS.has(field), `unknown field ${field}`)
      const message = vector.message as Message
      const valid = validateMessage(message)
      assert.ok(valid.ok, valid.ok ? '' : valid.error.message)
      assert.equal(message.kind, vector.kind)

      // The id is the SHA-256 of the published canonical string, which is the message minus proofs.
      assert.equal(canonicalize(withoutProofs(message)), vector.canonical)
      assert.equal(sha256(vector.canonical).toString('hex'), vector.id)
      assert.equal(messageId(message), vector.id)

      if (vector.keyProof) {
        const { scheme, publicKey, signature, signed } = vector.keyProof
        assert.equal(message.kind, 'capability')
        assert.deepEqual(JSON.parse(signed), {
          kind: 'capability-key',
          oracle: message.oracle,
          oracleScheme: message.oracleScheme,
          capabilityKey: publicKey,
          capabilityScheme: scheme,
        })
        assert.equal(canonicalize(JSON.parse(signed)), signed)
        assert.equal(signature, message.keyProof)
        checkPublishedSignature(vector.keyProof)
      } else {
        assert.notEqual(message.kind, 'capability', 'every capability vector shows its key proof')
      }
      if (vector.signature) {
        assert.equal(canonicalize(signedBody(message)), vector.signature.signed)
        checkPublishedSignature(vector.signature)
      }
      const allSignatures = verifySignatures(message)
      assert.ok(allSignatures.ok, allSignatures.ok ? '' : allSignatures.error.message)

      if (vector.pow) {
        const { bound, nonce, hash, bits } = vector.pow
        assert.equal(Buffer.from(powBound(message)!).toString('hex'), bound)
        // hash = SHA-256(SHA-256(bound) ‖ nonce as 8 bytes big-endian)
        const trial = Buffer.concat([sha256(Buffer.from(bound, 'hex')), Buffer.from(nonce, 'hex')])
        assert.equal(trial.length, 40)
        assert.equal(sha256(trial).toString('hex'), hash)
        assert.ok(leadingZeroBits(Buffer.from(hash, 'hex')) >= bits)
        assert.ok(verifyPow(Buffer.from(bound, 'hex'), { nonce, hash, bits }).ok)
      }

      // Evidence depends on the clock: each outcome is published with the time it holds at.
      assert.equal(vector.evidence !== undefined, message.kind === 'report')
      for (const outcome of vector.evidence ?? []) {
        const checked = verifyReportEvidence(message as Report, { now: outcome.evaluatedAt })
        if ('verdict' in outcome) assert.deepEqual(checked, { ok: true, value: outcome.verdict })
        else
          assert.deepEqual(
            checked.ok ? undefined : { code: checked.error.code, path: checked.error.details.path },
            outcome.error,
          )
      }
    })
  }

  it('shows a capability key proof that names its oracle: another oracle cannot reuse it', () => {
    const vector = file.cases.find((c) => c.kind === 'capability') as VectorCase
    const capability = vector.message as OracleCapability
    const other = file.cases.find(
      (c) => c.kind === 'oracle' && (c.message as OracleId).pubkey !== capability.oracle,
    )
    const squatted = { ...capability, oracle: (other!.message as OracleId).pubkey }
    const signed = new TextEncoder().encode(canonicalize(capabilityKeyBody(squatted)))
    const proof = verifyMessage(
      capability.capabilityScheme,
      signed,
      capability.keyProof,
      capability.capabilityKey,
    )
    assert.equal(proof.ok, false)
  })

  it('numeric fact: every digit is signed with its committed nonce over the published digit message', () => {
    const find = (name: string) => file.cases.find((entry) => entry.name.startsWith(name))!.message
    const commitment = find('commitment, numeric') as Commitment
    const fact = find('fact, numeric') as Fact
    const nonces = (commitment.attestation as { nonces: string[] }).nonces
    assert.equal(fact.answer, '9')
    const tag = sha256('MEGA/oracle/digit/v1')
    const digest = sha256(canonicalize(fact.request))
    const bits = [1, 0, 0, 1]
    for (const [i, signature] of fact.digitSignatures!.entries()) {
      assert.equal(signature.slice(0, 64), nonces[i])
      const message = (bit: number) =>
        sha256(
          Buffer.concat([
            tag,
            tag,
            Buffer.from(fact.request.capability, 'hex'),
            digest,
            Buffer.from([i, bit]),
          ]),
        )
      const key = Buffer.from(fact.request.capability, 'hex')
      assert.ok(backend.bip340.verify(Buffer.from(signature, 'hex'), message(bits[i]!), key), `digit ${i}`)
      assert.equal(backend.bip340.verify(Buffer.from(signature, 'hex'), message(1 - bits[i]!), key), false)
    }
  })

  it('is what the generator produces today (run `npm run vectors` after changing a rule)', () => {
    assert.deepEqual(JSON.parse(JSON.stringify(buildVectors())), file)
  })
})
