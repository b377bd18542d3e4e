/**
 * BIP340 Schnorr signing with a nonce fixed in advance, the heart of a DLC-ready oracle
 * (design §7): the commitment publishes the nonce point R for one request, the fact is the
 * signature (R, s) over the answer, and `s·G = R + e·P` lets a DLC's adaptor signatures
 * complete. Scalar arithmetic is done here with bigint (a multiplication and a reduction);
 * point arithmetic is the platform's (`#crypto`).
 *
 * Reusing a nonce for two different messages reveals the secret key
 * ({@link recoverSecretFromNonceReuse}): that is the oracle's self-enforcing penalty for
 * attesting two answers to one request.
 */
import { backend } from '#crypto'
import { ErrorCode, ProtocolError } from './errors.ts'
import { concatBytes, fromHex, toHex } from './hex.ts'
import { taggedHash } from './kdf.ts'

/** Order n of the secp256k1 group (SEC 2 §2.4.1). */
export const SECP256K1_ORDER = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n

/** Tag of the BIP340 challenge hash. */
const CHALLENGE_TAG = 'BIP0340/challenge'

/** A nonce secret k and its public point R (x-only, even y): what a commitment publishes. */
export interface SchnorrNonce {
  /** The secret scalar, already negated when needed so that R has an even y. */
  secret: bigint
  /** x coordinate of R, 32 bytes hex: `commitment.attestation.nonce`. */
  point: string
}

/** Big-endian bytes → bigint. */
export function bytesToBigInt(bytes: Uint8Array): bigint {
  return bytes.length === 0 ? 0n : BigInt(`0x${toHex(bytes)}`)
}

/** bigint → 32 big-endian bytes. */
export function bigIntTo32Bytes(value: bigint): Uint8Array {
  return fromHex(value.toString(16).padStart(64, '0'), 32)
}

function mod(a: bigint, n = SECP256K1_ORDER): bigint {
  const r = a % n
  return r < 0n ? r + n : r
}

/** Modular inverse by Fermat (n is prime). */
function invert(a: bigint): bigint {
  let result = 1n
  let base = mod(a)
  for (let e = SECP256K1_ORDER - 2n; e > 0n; e >>= 1n) {
    if (e & 1n) result = (result * base) % SECP256K1_ORDER
    base = (base * base) % SECP256K1_ORDER
  }
  return result
}

/**
 * The scalar with an even-y point: `x` itself when `x·G` has even y, else `n − x` (BIP340
 * signs with the key and the nonce whose points have even y). Returns the scalar and x(P).
 */
function evenY(scalar: bigint): { scalar: bigint; x: Uint8Array } {
  if (scalar <= 0n || scalar >= SECP256K1_ORDER) {
    throw new ProtocolError(ErrorCode.BAD_KEY, 'a secp256k1 scalar must be from 1 to n-1')
  }
  const point = backend.secp256k1.fromScalar(bigIntTo32Bytes(scalar))
  return { scalar: point[0] === 0x02 ? scalar : SECP256K1_ORDER - scalar, x: point.subarray(1) }
}

/** Builds a nonce from a 32-byte secret (reduced mod n); throws `BAD_KEY` for 0 (probability 2^-256). */
export function schnorrNonce(secret: Uint8Array): SchnorrNonce {
  const { scalar, x } = evenY(mod(bytesToBigInt(secret)))
  return { secret: scalar, point: toHex(x) }
}

/** BIP340 challenge e = int(tagged_hash("BIP0340/challenge", R.x ‖ P.x ‖ m)) mod n. */
export function bip340Challenge(noncePoint: Uint8Array, publicKey: Uint8Array, message: Uint8Array): bigint {
  return mod(bytesToBigInt(taggedHash(CHALLENGE_TAG, noncePoint, publicKey, message)))
}

/** A BIP340 secret key prepared for repeated signing: the even-y scalar and x(P). */
export interface SchnorrKey {
  scalar: bigint
  x: Uint8Array
}

/** Prepares a BIP340 secret key (hex) once: one point multiplication. Throws `BAD_KEY`. */
export function schnorrKey(secretKeyHex: string): SchnorrKey {
  return evenY(bytesToBigInt(fromHex(secretKeyHex, 32, 'secret key')))
}

/**
 * Signs the 32-byte `message` with a secret key (hex, or prepared by {@link schnorrKey}) and the
 * given nonce: a standard BIP340 signature `R.x ‖ s` with `s = k + e·d mod n`, verifiable by
 * any BIP340 verifier.
 */
export function signWithNonce(
  message: Uint8Array,
  secretKey: string | SchnorrKey,
  nonce: SchnorrNonce,
): string {
  if (message.length !== 32) {
    throw new ProtocolError(ErrorCode.BAD_LENGTH, `message must be 32 bytes, got ${message.length}`)
  }
  const key = typeof secretKey === 'string' ? schnorrKey(secretKey) : secretKey
  const r = fromHex(nonce.point, 32, 'nonce point')
  const e = bip340Challenge(r, key.x, message)
  const s = mod(nonce.secret + e * key.scalar)
  return toHex(concatBytes(r, bigIntTo32Bytes(s)))
}

/**
 * The attestation point `S = R + e·P` (33-byte compressed, hex) for a signature with nonce
 * point `R` by key `P` over `message`: the fact's `s` will satisfy `s·G = S`. A DLC uses it as
 * the adaptor point of the outcome before the oracle has signed anything.
 */
export function attestationPoint(publicKeyHex: string, noncePointHex: string, message: Uint8Array): string {
  const P = fromHex(publicKeyHex, 32, 'public key')
  const R = fromHex(noncePointHex, 32, 'nonce point')
  const e = bip340Challenge(R, P, message)
  try {
    return toHex(backend.secp256k1.mulAdd(lift(P), bigIntTo32Bytes(e), lift(R)))
  } catch (error) {
    throw new ProtocolError(
      ErrorCode.BAD_KEY,
      'public key or nonce point is not on secp256k1',
      {},
      { cause: error },
    )
  }
}

/** `s·G` (33-byte compressed, hex) for the `s` half of a BIP340 signature: compare with {@link attestationPoint}. */
export function signatureScalarPoint(signatureHex: string): string {
  const s = fromHex(signatureHex, 64, 'signature').subarray(32)
  return toHex(backend.secp256k1.fromScalar(s))
}

/**
 * Recovers the secret key from two BIP340 signatures by `publicKeyHex` that share a nonce
 * point R but sign different messages: `d = (s1 − s2) / (e1 − e2) mod n`. Returns the secret
 * (hex) whose x-only public key is `publicKeyHex`; throws when the signatures do not share R or
 * sign the same message.
 */
export function recoverSecretFromNonceReuse(
  publicKeyHex: string,
  first: { message: Uint8Array; signature: string },
  second: { message: Uint8Array; signature: string },
): string {
  const P = fromHex(publicKeyHex, 32, 'public key')
  const a = fromHex(first.signature, 64, 'signature')
  const b = fromHex(second.signature, 64, 'signature')
  const R = a.subarray(0, 32)
  if (toHex(R) !== toHex(b.subarray(0, 32))) {
    throw new ProtocolError(ErrorCode.EVIDENCE_INVALID, 'the two signatures use different nonce points')
  }
  const e1 = bip340Challenge(R, P, first.message)
  const e2 = bip340Challenge(R, P, second.message)
  if (e1 === e2)
    throw new ProtocolError(ErrorCode.EVIDENCE_INVALID, 'the two signatures sign the same message')
  const d = mod((bytesToBigInt(a.subarray(32)) - bytesToBigInt(b.subarray(32))) * invert(e1 - e2))
  return toHex(bigIntTo32Bytes(d))
}

/** lift_x for an x-only key: the point with that x and even y, compressed. */
function lift(x: Uint8Array): Uint8Array {
  return concatBytes(Uint8Array.of(0x02), x)
}
