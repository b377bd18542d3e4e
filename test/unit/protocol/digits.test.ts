import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { verifyAttestation } from '../../../src/protocol/attestation.ts'
import {
  checkDigitCount,
  digitPoint,
  numericValue,
  recoverSecretFromDigitFacts,
  toDigits,
} from '../../../src/protocol/digits.ts'
import type { Commitment, Fact, OracleCapability } from '../../../src/protocol/messages/index.ts'
import { capabilitySigner, checkAnswer } from '../../../src/protocol/oracle-attestation.ts'
import { checkMessageRules } from '../../../src/protocol/rules.ts'
import { signatureScalarPoint } from '../../../src/protocol/schnorr-nonce.ts'
import { sign, verifySignatures } from '../../../src/protocol/sign.ts'
import { validateMessage } from '../../../src/protocol/validate.ts'
import { verifyReportEvidence } from '../../../src/protocol/verify-report.ts'
import * as fx from '../../support/messages.ts'

const DIGITS = 8
const capability = fx.capabilityAd({
  attestation: 'schnorr-digits',
  digits: DIGITS,
  answers: [],
  unit: 'USD',
})
const oracle = capabilitySigner(capability, fx.CAPABILITY.secretKey)
const request = fx.factRequest()
const commitment = oracle.commit(request, 1_900_000_000)

function failure(result: { ok: boolean; error?: { code: string; details: { path?: string } } }) {
  assert.equal(result.ok, false, 'expected a failure')
  return `${result.error!.code} ${result.error!.details.path}`
}

describe('numeric capabilities (schnorr-digits)', () => {
  it('a numeric ad is valid; its shape rules hold', () => {
    assert.ok(validateMessage(capability, 'capability').ok)
    assert.ok(checkMessageRules(capability).ok)
    const noDigits = { ...capability, digits: undefined }
    delete noDigits.digits
    assert.equal(failure(checkMessageRules(noDigits as OracleCapability)), 'SCHEMA_VIOLATION /digits')
    assert.equal(failure(checkMessageRules({ ...capability, answers: ['1'] })), 'SCHEMA_VIOLATION /answers')
    assert.equal(failure(validateMessage({ ...capability, digits: 33 })), 'SCHEMA_VIOLATION /digits')
    const enumerated = fx.capabilityAd()
    assert.equal(failure(checkMessageRules({ ...enumerated, answers: [] })), 'SCHEMA_VIOLATION /answers')
    assert.equal(failure(checkMessageRules({ ...enumerated, digits: 4 })), 'SCHEMA_VIOLATION /digits')
    assert.equal(
      failure(checkMessageRules({ ...capability, capabilityScheme: 'ed25519' })),
      'SCHEMA_VIOLATION /attestation',
    )
  })

  it('a commitment carries one distinct nonce per digit, most significant first', () => {
    assert.equal(commitment.attestation.type, 'schnorr-digits')
    const nonces = (commitment.attestation as { nonces: string[] }).nonces
    assert.equal(nonces.length, DIGITS)
    assert.equal(new Set(nonces).size, DIGITS)
    assert.ok(verifySignatures(commitment).ok)
    assert.ok(checkMessageRules(commitment).ok)
    assert.ok(checkDigitCount(capability, commitment).ok)
    // Derived, not random: the same request gets the same nonces; another invoice other ones.
    assert.deepEqual(oracle.commit(request, 1_900_000_001).attestation, commitment.attestation)
    const invoiced = oracle.commit({ ...request, invoice: 'lnbc1' }, 1_900_000_000)
    assert.notDeepEqual((invoiced.attestation as { nonces: string[] }).nonces[0], nonces[0])
    const reused = {
      ...commitment,
      attestation: { type: 'schnorr-digits' as const, nonces: [nonces[0]!, nonces[0]!] },
    }
    assert.equal(failure(checkMessageRules(reused)), 'SCHEMA_VIOLATION /attestation/nonces/1')
    const short = { ...commitment, attestation: { type: 'schnorr-digits' as const, nonces: nonces.slice(1) } }
    assert.equal(failure(checkDigitCount(capability, short)), 'EVIDENCE_INVALID /attestation/nonces')
  })

  it('a fact signs every digit with its nonce; each s_i·G is the digit attestation point', () => {
    for (const value of [0, 1, 77, 128, 255]) {
      const fact = oracle.attest(request, String(value))
      assert.ok(validateMessage(fact, 'fact').ok)
      assert.ok(verifySignatures(fact).ok)
      assert.ok(verifyAttestation(commitment, fact).ok, `value ${value}`)
      const bits = toDigits(value, DIGITS)
      for (const [i, bit] of bits.entries()) {
        assert.equal(signatureScalarPoint(fact.digitSignatures![i]!), digitPoint(commitment, i, bit))
        assert.notEqual(signatureScalarPoint(fact.digitSignatures![i]!), digitPoint(commitment, i, 1 - bit))
      }
    }
  })

  it('answers are decimal integers of the range, one spelling each', () => {
    for (const answer of ['0', '255']) assert.ok(checkAnswer(capability, answer).ok)
    for (const answer of ['256', '-1', '007', '1.5', ' 1', 'one', '']) {
      assert.equal(failure(checkAnswer(capability, answer)), 'ANSWER_INVALID /answer', answer)
    }
    assert.equal(numericValue('4294967295', 32).ok, true)
    assert.equal(numericValue('4294967296', 32).ok, false)
    assert.throws(() => oracle.attest(request, '256'), { code: 'ANSWER_INVALID' })
  })

  it('refuses a fact with one digit signature wrong, missing, or a value out of range', () => {
    const fact = oracle.attest(request, '200')
    const other = oracle.attest(request, '72') // 200 = 11001000, 72 = 01001000: digit 0 differs
    const resign = (changes: Partial<Fact>) => {
      const { signature: _s, ...draft } = { ...fact, ...changes }
      return sign<Fact>(draft, fx.CAPABILITY.secretKey)
    }
    const swapped = [...fact.digitSignatures!]
    swapped[0] = other.digitSignatures![0]!
    assert.equal(
      failure(verifyAttestation(commitment, resign({ digitSignatures: swapped }))),
      'EVIDENCE_INVALID /digitSignatures/0',
    )
    const tampered = [...fact.digitSignatures!]
    tampered[5] =
      tampered[5]!.slice(0, 64) + (tampered[5]!.slice(64, 126) + (tampered[5]!.endsWith('0') ? '01' : '00'))
    assert.equal(
      failure(verifyAttestation(commitment, resign({ digitSignatures: tampered }))),
      'EVIDENCE_INVALID /digitSignatures/5',
    )
    const foreignNonce = [...fact.digitSignatures!]
    foreignNonce[3] = fact.digitSignatures![4]!
    assert.equal(
      failure(verifyAttestation(commitment, resign({ digitSignatures: foreignNonce }))),
      'EVIDENCE_INVALID /digitSignatures/3',
    )
    assert.equal(
      failure(verifyAttestation(commitment, resign({ digitSignatures: fact.digitSignatures!.slice(1) }))),
      'EVIDENCE_INVALID /digitSignatures',
    )
    assert.equal(failure(verifyAttestation(commitment, resign({ answer: '256' }))), 'ANSWER_INVALID /answer')
    // The digits say 200: the same signatures under another answer do not verify.
    assert.equal(
      failure(verifyAttestation(commitment, resign({ answer: '201' }))),
      'EVIDENCE_INVALID /digitSignatures/7',
    )
    const plain = fx.commitment(1_900_000_000)
    assert.equal(failure(verifyAttestation(plain, fact)), 'EVIDENCE_INVALID /digitSignatures')
  })

  it('two values for one request give the capability key away and make verified fact-conflict evidence', () => {
    const first = oracle.attest(request, '200')
    const second = oracle.attest(request, '201')
    assert.equal(recoverSecretFromDigitFacts(capability, first, second), fx.CAPABILITY.secretKey)
    assert.equal(
      recoverSecretFromDigitFacts(capability, second, oracle.attest(request, '3')),
      fx.CAPABILITY.secretKey,
    )
    assert.throws(() => recoverSecretFromDigitFacts(capability, first, first), { code: 'EVIDENCE_INVALID' })
    const report = { ...fx.report({ type: 'free-form', comment: 'x', links: [] }) }
    const verdict = verifyReportEvidence(
      { ...report, content: { type: 'fact-conflict', capability, facts: [first, second] } },
      { now: 1_900_000_000 },
    )
    assert.deepEqual(verdict, { ok: true, value: 'verified' })
    const outOfRange = sign<Fact>(
      { kind: 'fact', scheme: 'bip340', request, answer: '999' },
      fx.CAPABILITY.secretKey,
    )
    const refused = verifyReportEvidence(
      { ...report, content: { type: 'fact-conflict', capability, facts: [first, outOfRange] } },
      { now: 1_900_000_000 },
    )
    assert.equal(failure(refused), 'EVIDENCE_INVALID /content/facts/1/answer')
  })

  it('enumerated Schnorr facts are unchanged: no digit signatures, signature with the one nonce', () => {
    const enumerated = fx.capabilityAd()
    const signer = capabilitySigner(enumerated, fx.CAPABILITY.secretKey)
    const plain: Commitment = signer.commit(request, 1_900_000_000)
    const fact = signer.attest(request, enumerated.answers[0]!)
    assert.equal(fact.digitSignatures, undefined)
    assert.ok(verifyAttestation(plain, fact).ok)
  })
})
