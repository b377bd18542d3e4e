/**
 * Numeric answers (`schnorr-digits`, design §7, dlcspecs "numeric outcomes"): a capability whose
 * answer is an integer from 0 to 2^n − 1 commits to one Schnorr nonce per base-2 digit, most
 * significant first, and its fact signs each digit with that digit's nonce. A DLC then pays along
 * a curve over the range with one CET per *prefix* of digits rather than one per value: the
 * adaptor point of a prefix is the sum of its digits' attestation points.
 *
 * Derivations (docs/oracles.md §8):
 * - digit nonce i  = tagged_hash("MEGA/oracle/digit-nonce/v1", capability secret ‖ request digest ‖ u8(i));
 * - digit message  = tagged_hash("MEGA/oracle/digit/v1", capability key ‖ request digest ‖ u8(i) ‖ u8(bit)),
 *   with request digest = SHA-256(JCS(request)), the whole request, invoice included.
 * A nonce signs one digit value; signing both values of a digit reveals the capability key
 * ({@link recoverSecretFromDigitFacts}).
 */
import { backend } from '#crypto'
import { ErrorCode, fail, ok, ProtocolError, type Result } from './errors.ts'
import { fromHex } from './hex.ts'
import { taggedHash } from './kdf.ts'
import type { Commitment, Fact, FactRequest, OracleCapability } from './messages/index.ts'
import { requestDigest } from './request-digest.ts'
import {
  attestationPoint,
  recoverSecretFromNonceReuse,
  type SchnorrKey,
  type SchnorrNonce,
  schnorrNonce,
  signWithNonce,
} from './schnorr-nonce.ts'

const DIGIT_NONCE_TAG = 'MEGA/oracle/digit-nonce/v1'
const DIGIT_TAG = 'MEGA/oracle/digit/v1'

/** A numeric answer: an unsigned decimal integer without leading zeros. */
const DECIMAL = /^(0|[1-9][0-9]{0,9})$/

/** The largest value of an n-digit range, 2^n − 1. */
function maxValue(digits: number): number {
  return 2 ** digits - 1
}

/** The digits (0/1) of `value` in base 2, `digits` of them, most significant first. */
export function toDigits(value: number, digits: number): number[] {
  return Array.from({ length: digits }, (_, i) => Math.floor(value / 2 ** (digits - 1 - i)) % 2)
}

/**
 * The value a numeric answer stands for, or a failure (`ANSWER_INVALID`) when `answer` is not a
 * decimal integer from 0 to 2^digits − 1 written without leading zeros (one value, one spelling).
 */
export function numericValue(answer: string, digits: number): Result<number> {
  if (!DECIMAL.test(answer) || Number(answer) > maxValue(digits)) {
    return fail(
      ErrorCode.ANSWER_INVALID,
      `/answer: ${JSON.stringify(String(answer).slice(0, 64))} is not an integer from 0 to ${maxValue(digits)}`,
      { path: '/answer' },
    )
  }
  return ok(Number(answer))
}

/** The nonce of digit `index` of one request: derived, so the same request always gets the same R_i. */
function digitNonce(secret: Uint8Array, digest: Uint8Array, index: number): SchnorrNonce {
  return schnorrNonce(taggedHash(DIGIT_NONCE_TAG, secret, digest, Uint8Array.of(index)))
}

/** The 32 bytes the digit signature of digit `index` with value `bit` signs. */
export function digitMessage(request: FactRequest, index: number, bit: number): Uint8Array {
  return digitMessageOf(fromHex(request.capability, 32, 'capability key'), requestDigest(request), index, bit)
}

/** {@link digitMessage} from the capability key's bytes and the request digest, for loops over digits. */
function digitMessageOf(key: Uint8Array, digest: Uint8Array, index: number, bit: number): Uint8Array {
  return taggedHash(DIGIT_TAG, key, digest, Uint8Array.of(index, bit))
}

/** The n committed nonce points (hex) of a numeric capability for `request`. */
export function digitNonces(capabilitySecretHex: string, request: FactRequest, digits: number): string[] {
  const secret = fromHex(capabilitySecretHex, 32, 'capability secret')
  const digest = requestDigest(request)
  return Array.from({ length: digits }, (_, i) => digitNonce(secret, digest, i).point)
}

/** The n digit signatures of `value` for `request`, each with its digit's derived nonce. */
export function signDigits(
  key: SchnorrKey,
  capabilitySecretHex: string,
  request: FactRequest,
  value: number,
  digits: number,
): string[] {
  const secret = fromHex(capabilitySecretHex, 32, 'capability secret')
  const capabilityKey = fromHex(request.capability, 32, 'capability key')
  const digest = requestDigest(request)
  return toDigits(value, digits).map((bit, i) =>
    signWithNonce(digitMessageOf(capabilityKey, digest, i, bit), key, digitNonce(secret, digest, i)),
  )
}

/**
 * The attestation point `S_i = R_i + e_i·P` (compressed hex) of digit `index` having value `bit`
 * under a numeric commitment: the fact's digit signature will have `s_i·G = S_i`.
 */
export function digitPoint(commitment: Commitment, index: number, bit: number): string {
  const nonces = numericNonces(commitment)
  const nonce = nonces[index]
  if (nonce === undefined) throw new ProtocolError(ErrorCode.EVIDENCE_INVALID, `no digit ${index}`)
  return attestationPoint(commitment.request.capability, nonce, digitMessage(commitment.request, index, bit))
}

/** The committed nonces of a `schnorr-digits` commitment; throws `EVIDENCE_INVALID` for any other. */
function numericNonces(commitment: Commitment): string[] {
  if (commitment.attestation.type !== 'schnorr-digits' || commitment.scheme !== 'bip340') {
    throw new ProtocolError(ErrorCode.EVIDENCE_INVALID, 'not a numeric Schnorr (bip340) commitment')
  }
  return commitment.attestation.nonces
}

/**
 * Checks that a commitment keeps a numeric capability's promise: one nonce per declared digit.
 * Fails with `EVIDENCE_INVALID` at `/attestation/nonces`.
 */
export function checkDigitCount(capability: OracleCapability, commitment: Commitment): Result<true> {
  if (commitment.attestation.type !== 'schnorr-digits') return ok(true)
  if (commitment.attestation.nonces.length === capability.digits) return ok(true)
  return broken('/attestation/nonces', `the capability answers with ${capability.digits ?? 0} digits`)
}

/**
 * Checks a numeric fact against its commitment: the answer is a value of the range the nonces
 * span, there is one digit signature per nonce, each made with its committed nonce point R_i and
 * valid (BIP340, capability key) over the message of the value's digit. The first failure names
 * its path (`/answer`, `/digitSignatures/i`), code `EVIDENCE_INVALID` (`ANSWER_INVALID` for an
 * answer out of range).
 */
export function verifyDigitSignatures(commitment: Commitment, fact: Fact): Result<true> {
  const nonces = numericNonces(commitment)
  const value = numericValue(fact.answer, nonces.length)
  if (!value.ok) return value
  const signatures = fact.digitSignatures
  if (!signatures || signatures.length !== nonces.length) {
    return broken('/digitSignatures', `a numeric fact carries one signature per digit (${nonces.length})`)
  }
  const key = fromHex(fact.request.capability, 32, 'capability key')
  const bits = toDigits(value.value, nonces.length)
  const digest = requestDigest(fact.request)
  for (const [i, signature] of signatures.entries()) {
    if (signature.slice(0, 64) !== nonces[i]) {
      return broken(`/digitSignatures/${i}`, 'the digit is not signed with its committed nonce point')
    }
    const message = digitMessageOf(key, digest, i, bits[i]!)
    if (!backend.bip340.verify(fromHex(signature, 64), message, key)) {
      return broken(`/digitSignatures/${i}`, 'the digit signature does not verify')
    }
  }
  return ok(true)
}

/**
 * Recovers the capability's secret key from two numeric facts for one request (same invoice, so
 * the same nonces) whose values differ: the first digit where they differ was signed twice with
 * one nonce. Throws `EVIDENCE_INVALID` when the facts share no such digit.
 */
export function recoverSecretFromDigitFacts(
  capability: Pick<OracleCapability, 'capabilityKey' | 'digits'>,
  first: Fact,
  second: Fact,
): string {
  const digits = capability.digits ?? 0
  const a = numericValue(first.answer, digits)
  const b = numericValue(second.answer, digits)
  if (!a.ok || !b.ok || a.value === b.value || !first.digitSignatures || !second.digitSignatures) {
    throw new ProtocolError(ErrorCode.EVIDENCE_INVALID, 'two numeric facts with different values are needed')
  }
  const bitsA = toDigits(a.value, digits)
  const bitsB = toDigits(b.value, digits)
  const index = bitsA.findIndex((bit, i) => bit !== bitsB[i])
  return recoverSecretFromNonceReuse(
    capability.capabilityKey,
    { message: digitMessage(first.request, index, bitsA[index]!), signature: first.digitSignatures[index]! },
    {
      message: digitMessage(second.request, index, bitsB[index]!),
      signature: second.digitSignatures[index]!,
    },
  )
}

function broken(path: string, reason: string): Result<never> {
  return fail(ErrorCode.EVIDENCE_INVALID, `${path}: ${reason}`, { path })
}
