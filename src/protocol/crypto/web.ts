/**
 * Crypto backend for browsers and other non-Node runtimes: audited pure-JS primitives from
 * `@noble/curves` and `@noble/hashes`, no WASM and no platform APIs but `crypto.getRandomValues`.
 *
 * It must accept and reject exactly the signatures the Node backend does (the compliance suite
 * in test/unit/protocol/signature.test.ts runs both), so ed25519 verifies with RFC 8032 strict
 * rules like OpenSSL, and BIP340 is restricted to 32-byte messages like libsecp256k1's API.
 */
import { ed25519 } from '@noble/curves/ed25519.js'
import { schnorr, secp256k1 } from '@noble/curves/secp256k1.js'
import { bytesToNumberBE, bytesToNumberLE } from '@noble/curves/utils.js'
import { sha256 as nobleSha256, sha512 as nobleSha512 } from '@noble/hashes/sha2.js'
import { bytesEqual, concatBytes, toHex, utf8 } from '../hex.ts'
import type { CryptoBackend, SchemeBackend, Secp256k1Points } from './types.ts'

function randomBytes(length: number): Uint8Array {
  return globalThis.crypto.getRandomValues(new Uint8Array(length))
}

/** Order of the ed25519 base point (RFC 8032 §5.1). */
const ED25519_L = 2n ** 252n + 27742317777372353535851937790883648493n

/**
 * Ed25519 over `@noble/curves`, verifying exactly as libsodium (the Node backend) does.
 *
 * noble's own `verify` checks RFC 8032's cofactored equation `[8][S]B = [8]R + [8][k]A`;
 * libsodium and OpenSSL check the cofactorless one and compare R byte for byte. They disagree
 * on signatures a signer can craft, such as an R with a small-order component, and two nodes
 * must never disagree on a signature. So this verifies like libsodium: A and R canonical
 * encodings of curve points, neither of small order, S < L, and `[S]B − [k]A` encoding to R's
 * very bytes.
 */
export const webEd25519: SchemeBackend = {
  publicKey(secretKey) {
    return ed25519.getPublicKey(secretKey)
  },
  sign(message, secretKey) {
    // Ed25519 is deterministic (RFC 8032 §5.1.6): there is no auxiliary randomness to use.
    return ed25519.sign(message, secretKey)
  },
  verify(signature, message, publicKey) {
    if (signature.length !== 64 || publicKey.length !== 32) return false
    const rBytes = signature.subarray(0, 32)
    const s = bytesToNumberLE(signature.subarray(32))
    if (s >= ED25519_L) return false
    try {
      // fromBytes refuses non-canonical encodings (y ≥ p, or x = 0 with the sign bit set).
      const a = ed25519.Point.fromBytes(publicKey)
      if (a.isSmallOrder() || ed25519.Point.fromBytes(rBytes).isSmallOrder()) return false
      const k = bytesToNumberLE(nobleSha512(concatBytes(rBytes, publicKey, message))) % ED25519_L
      const expected = ed25519.Point.BASE.multiplyUnsafe(s).subtract(a.multiplyUnsafe(k))
      return bytesEqual(expected.toBytes(), rBytes)
    } catch {
      return false
    }
  },
}

/** BIP340 Schnorr over `@noble/curves`, restricted to 32-byte messages. */
export const webBip340: SchemeBackend = {
  publicKey(secretKey) {
    return schnorr.getPublicKey(secretKey)
  },
  sign(message, secretKey, auxRand) {
    // noble accepts any length; the Node backend (libsecp256k1) does not, so neither do we.
    if (message.length !== 32) throw new RangeError('bip340 signs exactly 32-byte messages')
    return schnorr.sign(message, secretKey, auxRand ?? randomBytes(32))
  },
  verify(signature, message, publicKey) {
    if (signature.length !== 64 || message.length !== 32 || publicKey.length !== 32) return false
    try {
      return schnorr.verify(signature, message, publicKey)
    } catch {
      return false
    }
  },
}

function scalarOf(bytes: Uint8Array): bigint {
  if (bytes.length !== 32) throw new RangeError('scalar must be 32 bytes')
  return bytesToNumberBE(bytes)
}

/** secp256k1 point arithmetic over `@noble/curves`; throws like the Node backend. */
export const webSecp256k1: Secp256k1Points = {
  fromScalar(scalar) {
    return secp256k1.Point.BASE.multiply(scalarOf(scalar)).toBytes(true)
  },
  mulAdd(point, scalar, addend) {
    const sum = secp256k1.Point.fromBytes(point)
      .multiply(scalarOf(scalar))
      .add(secp256k1.Point.fromBytes(addend))
    if (sum.is0()) throw new RangeError('scalar·point + addend is the point at infinity')
    return sum.toBytes(true)
  },
}

/** Text stands for its UTF-8 bytes. */
function bytesOf(data: Uint8Array | string): Uint8Array {
  return typeof data === 'string' ? utf8(data) : data
}

/** The portable backend (selected by the `#crypto` import outside Node). */
export const backend: CryptoBackend = {
  name: 'web',
  sha256: (data) => nobleSha256(bytesOf(data)),
  sha256Hex: (data) => toHex(nobleSha256(bytesOf(data))),
  randomBytes,
  ed25519: webEd25519,
  bip340: webBip340,
  secp256k1: webSecp256k1,
}
