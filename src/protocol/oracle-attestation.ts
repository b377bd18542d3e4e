/**
 * What an oracle endpoint signs (design §7), as pure functions: capability keys derived from the
 * root secret, requests checked against the capability, commitments and facts in the three
 * attestation types. The endpoint stays stateless because every secret it needs per request
 * (the Schnorr nonce, the hash-lock preimages) is derived from the capability key and the
 * exact request, never stored.
 *
 * Derivations (all SHA-256 based, see docs/oracles.md):
 * - capability secret = HKDF-SHA256(ikm = root secret, salt = "MEGA/oracle/capability-key/v1",
 *   info = scheme ‖ 0x00 ‖ label ‖ 0x00 ‖ counter), the first output in range for the scheme;
 * - request digest    = SHA-256(JCS(request)), the *whole* request, invoice included;
 * - nonce secret      = tagged_hash("MEGA/oracle/nonce/v1", capability secret ‖ request digest);
 * - hash-lock preimage = tagged_hash("MEGA/oracle/hashlock/v1", capability secret ‖ request digest ‖ UTF-8(answer));
 * - numeric answers (`schnorr-digits`): one nonce per digit, see digits.ts.
 */
import { backend } from '#crypto'
import { digitNonces, numericValue, signDigits } from './digits.ts'
import { ErrorCode, fail, ok, ProtocolError, type Result } from './errors.ts'
import { concatBytes, fromHex, toHex, utf8 } from './hex.ts'
import { hkdfSha256, taggedHash } from './kdf.ts'
import { messageId } from './message.ts'
import type { Commitment, Fact, FactRequest, OracleCapability } from './messages/index.ts'
import { requestDigest } from './request-digest.ts'
import {
  attestationPoint,
  bytesToBigInt,
  SECP256K1_ORDER,
  schnorrKey,
  schnorrNonce,
  signWithNonce,
} from './schnorr-nonce.ts'
import { type Draft, sign } from './sign.ts'
import type { Scheme } from './signature.ts'

const CAPABILITY_KEY_SALT = 'MEGA/oracle/capability-key/v1'
const NONCE_TAG = 'MEGA/oracle/nonce/v1'
const HASHLOCK_TAG = 'MEGA/oracle/hashlock/v1'

/** A capability label: lowercase, digits, `.`, `_`, `-`, 1 to 64 characters. */
export const CAPABILITY_LABEL_PATTERN = /^[a-z0-9][a-z0-9._-]{0,63}$/

/**
 * Derives the secret key (hex) of the capability labelled `label` from the oracle's 32-byte
 * root secret, so a backup of the root secret restores every capability key. Different labels
 * or schemes give unrelated keys. Throws `BAD_KEY` for a malformed label.
 */
export function deriveCapabilitySecret(rootSecretHex: string, label: string, scheme: Scheme): string {
  if (!CAPABILITY_LABEL_PATTERN.test(label)) {
    throw new ProtocolError(ErrorCode.BAD_KEY, `capability label must match ${CAPABILITY_LABEL_PATTERN}`, {
      label: label.slice(0, 64),
    })
  }
  const root = fromHex(rootSecretHex, 32, 'root secret')
  // A bip340 secret must lie in [1, n−1]; an HKDF output misses with probability ≈ 2^-128.
  for (let counter = 0; counter < 256; counter++) {
    const info = concatBytes(utf8(scheme), Uint8Array.of(0), utf8(label), Uint8Array.of(0, counter))
    const secret = hkdfSha256(root, utf8(CAPABILITY_KEY_SALT), info, 32)
    if (scheme === 'ed25519' || inScalarRange(secret)) return toHex(secret)
  }
  throw new ProtocolError(ErrorCode.BAD_KEY, 'no valid key derived') // unreachable in practice
}

function inScalarRange(bytes: Uint8Array): boolean {
  const value = bytesToBigInt(bytes)
  return value > 0n && value < SECP256K1_ORDER
}

export { requestDigest }

/**
 * Checks that `request` asks `capability` a question it can answer: the capability key
 * matches, every parameter has an argument among its allowed values, and no argument is
 * unknown. Fails with `REQUEST_INVALID` and `details.path` naming the argument.
 */
export function checkRequest(capability: OracleCapability, request: FactRequest): Result<true> {
  if (request.capability !== capability.capabilityKey) {
    return fail(ErrorCode.REQUEST_INVALID, '/capability: not this capability’s key', { path: '/capability' })
  }
  for (const name of Object.keys(request.args)) {
    if (!capability.params.some((param) => param.name === name)) {
      return fail(ErrorCode.REQUEST_INVALID, `/args/${name}: the capability has no parameter "${name}"`, {
        path: `/args/${name}`,
      })
    }
  }
  for (const param of capability.params) {
    const value = Object.hasOwn(request.args, param.name) ? request.args[param.name] : undefined
    if (value === undefined) {
      return fail(ErrorCode.REQUEST_INVALID, `/args/${param.name}: missing`, { path: `/args/${param.name}` })
    }
    if (!param.values.includes(value)) {
      return fail(
        ErrorCode.REQUEST_INVALID,
        `/args/${param.name}: ${JSON.stringify(value.slice(0, 64))} is not one of the parameter’s ${param.values.length} values`,
        { path: `/args/${param.name}` },
      )
    }
  }
  return ok(true)
}

/**
 * Checks that `answer` is one of the capability's answers (for a numeric capability, a decimal
 * integer of its range); fails with `ANSWER_INVALID`.
 */
export function checkAnswer(capability: OracleCapability, answer: string): Result<true> {
  if (capability.attestation === 'schnorr-digits') {
    const value = numericValue(answer, capability.digits ?? 0)
    return value.ok ? ok(true) : value
  }
  if (capability.answers.includes(answer)) return ok(true)
  return fail(
    ErrorCode.ANSWER_INVALID,
    `/answer: ${JSON.stringify(String(answer).slice(0, 64))} is not one of the capability’s answers`,
    { path: '/answer' },
  )
}

/** The Schnorr nonce of one request: derived, so the same request always gets the same R. */
export function requestNonce(capabilitySecretHex: string, request: FactRequest) {
  const secret = fromHex(capabilitySecretHex, 32, 'capability secret')
  return schnorrNonce(taggedHash(NONCE_TAG, secret, requestDigest(request)))
}

/** The hash-lock preimage (hex) that attests `answer` to `request`. */
export function hashlockPreimage(capabilitySecretHex: string, request: FactRequest, answer: string): string {
  const secret = fromHex(capabilitySecretHex, 32, 'capability secret')
  return toHex(preimageOf(secret, requestDigest(request), answer))
}

function preimageOf(secret: Uint8Array, digest: Uint8Array, answer: string): Uint8Array {
  return taggedHash(HASHLOCK_TAG, secret, digest, utf8(answer))
}

/** Signs a capability's commitments and facts; the key is checked and prepared once. */
export interface CapabilitySigner {
  readonly capability: OracleCapability
  /**
   * Signs a commitment to answer `request` by `deadline`, in the capability's attestation type.
   * Throws `REQUEST_INVALID` for a request the capability cannot answer.
   */
  commit(request: FactRequest, deadline: number, terms?: string, auxRand?: Uint8Array): Commitment
  /**
   * Signs the fact answering `request` with `answer`, keeping the attestation promise: Schnorr
   * facts are signed with the request's derived nonce, hash-lock facts reveal the answer's
   * preimage. Throws `REQUEST_INVALID` or `ANSWER_INVALID`.
   */
  attest(request: FactRequest, answer: string, auxRand?: Uint8Array): Fact
}

/**
 * Builds the signer of `capability` from its secret key (hex, e.g. from
 * {@link deriveCapabilitySecret}). Throws `BAD_KEY` when the secret is not the capability's key,
 * `UNKNOWN_SCHEME` for a Schnorr capability whose key is not bip340.
 */
export function capabilitySigner(capability: OracleCapability, secretKey: string): CapabilitySigner {
  assertOwnKey(capability, secretKey)
  const prepared = capability.attestation.startsWith('schnorr') ? schnorrKey(secretKey) : undefined
  return {
    capability,
    commit(request, deadline, terms, auxRand) {
      assertOk(checkRequest(capability, request))
      const draft: Draft<Commitment> = {
        kind: 'commitment',
        scheme: capability.capabilityScheme,
        request,
        attestation: committedAttestation(capability, secretKey, request),
        deadline,
        ...(terms !== undefined && { terms }),
      }
      return sign<Commitment>(draft, secretKey, auxRand)
    },
    attest(request, answer, auxRand) {
      assertOk(checkRequest(capability, request))
      assertOk(checkAnswer(capability, answer))
      const draft: Draft<Fact> = {
        kind: 'fact',
        scheme: capability.capabilityScheme,
        request,
        answer,
        ...(capability.attestation === 'hashlock' && {
          preimage: hashlockPreimage(secretKey, request, answer),
        }),
        ...(capability.attestation === 'schnorr-digits' && {
          digitSignatures: signDigits(prepared!, secretKey, request, Number(answer), capability.digits!),
        }),
      }
      // A numeric fact's own signature is a plain one over the whole fact, digit signatures
      // included; without given randomness it is deterministic (BIP340 with zero aux), so a
      // stateless endpoint serves the very same fact every time.
      if (capability.attestation === 'schnorr-digits') {
        return sign<Fact>(draft, secretKey, auxRand ?? new Uint8Array(32))
      }
      if (!prepared) return sign<Fact>(draft, secretKey, auxRand)
      const digest = fromHex(messageId(draft as Fact), 32)
      return { ...draft, signature: signWithNonce(digest, prepared, requestNonce(secretKey, request)) }
    },
  }
}

function committedAttestation(capability: OracleCapability, secretKey: string, request: FactRequest) {
  switch (capability.attestation) {
    case 'schnorr':
      return { type: 'schnorr' as const, nonce: requestNonce(secretKey, request).point }
    case 'schnorr-digits':
      return {
        type: 'schnorr-digits' as const,
        nonces: digitNonces(secretKey, request, capability.digits ?? 0),
      }
    case 'hashlock': {
      // One secret and request digest for all the locks, not one per answer.
      const secret = fromHex(secretKey, 32, 'capability secret')
      const digest = requestDigest(request)
      return {
        type: 'hashlock' as const,
        locks: capability.answers.map((answer) => ({
          answer,
          hash: toHex(backend.sha256(preimageOf(secret, digest, answer))),
        })),
      }
    }
    case 'signature':
      return { type: 'signature' as const }
  }
}

/** What a one-off commitment or fact is made from. */
export interface AttestInput {
  /** The capability ad (its key, scheme, attestation type, params and answers). */
  capability: OracleCapability
  /** The capability's secret key (hex), e.g. from {@link deriveCapabilitySecret}. */
  secretKey: string
  request: FactRequest
  /** BIP340 auxiliary randomness for the plain signatures (tests); random when omitted. */
  auxRand?: Uint8Array
}

/** One commitment: {@link CapabilitySigner.commit} with a signer built for the occasion. */
export function createCommitment(input: AttestInput & { deadline: number; terms?: string }): Commitment {
  return capabilitySigner(input.capability, input.secretKey).commit(
    input.request,
    input.deadline,
    input.terms,
    input.auxRand,
  )
}

/** One fact: {@link CapabilitySigner.attest} with a signer built for the occasion. */
export function createFact(input: AttestInput & { answer: string }): Fact {
  return capabilitySigner(input.capability, input.secretKey).attest(
    input.request,
    input.answer,
    input.auxRand,
  )
}

/**
 * The 32 bytes a Schnorr fact for `answer` signs (its id): `H(JCS({kind:"fact", scheme, request, answer}))`.
 * Computable by anyone before the fact exists.
 */
export function factDigest(request: FactRequest, answer: string): Uint8Array {
  return fromHex(messageId({ kind: 'fact', scheme: 'bip340', request, answer } as Fact), 32)
}

/**
 * The attestation point `S_a = R + e_a·P` (compressed, hex) of `answer` under a Schnorr
 * commitment: the oracle's fact for `answer` will have `s·G = S_a`. Throws `EVIDENCE_INVALID`
 * when the commitment is not a Schnorr one.
 */
export function outcomePoint(commitment: Commitment, answer: string): string {
  if (commitment.attestation.type !== 'schnorr' || commitment.scheme !== 'bip340') {
    throw new ProtocolError(ErrorCode.EVIDENCE_INVALID, 'not a Schnorr (bip340) commitment')
  }
  return attestationPoint(
    commitment.request.capability,
    commitment.attestation.nonce,
    factDigest(commitment.request, answer),
  )
}

function assertOwnKey(capability: OracleCapability, secretKey: string): void {
  if (capability.attestation.startsWith('schnorr') && capability.capabilityScheme !== 'bip340') {
    throw new ProtocolError(ErrorCode.UNKNOWN_SCHEME, 'a schnorr attestation needs a bip340 capability key')
  }
  if (capability.attestation === 'schnorr-digits' && capability.digits === undefined) {
    throw new ProtocolError(ErrorCode.REQUEST_INVALID, 'a numeric capability declares its digits')
  }
  const own = backend[capability.capabilityScheme].publicKey(fromHex(secretKey, 32, 'capability secret'))
  if (toHex(own) !== capability.capabilityKey) {
    throw new ProtocolError(ErrorCode.BAD_KEY, 'the secret key is not this capability’s key')
  }
}

function assertOk(result: Result<true>): void {
  if (!result.ok) throw result.error
}
