/**
 * Crypto backend for browsers and other non-Node runtimes: audited pure-JS primitives from
 * `@noble/curves` and `@noble/hashes`, no WASM and no platform APIs but `crypto.getRandomValues`.
 *
 * It must accept and reject exactly the signatures the Node backend does (the compliance suite
 * in test/protocol/signature.test.ts runs both), so ed25519 verifies with RFC 8032 strict
 * rules like OpenSSL, and BIP340 is restricted to 32-byte messages like libsecp256k1's API.
 */
import { ed25519 } from '@noble/curves/ed25519.js'
import { schnorr, secp256k1 } from '@noble/curves/secp256k1.js'
import { sha256 as nobleSha256 } from '@noble/hashes/sha2.js'
import { toHex, utf8 } from '../hex.ts'
import type { CryptoBackend, SchemeBackend, Secp256k1Points } from './types.ts'

function randomBytes(length: number): Uint8Array {
  return globalThis.crypto.getRandomValues(new Uint8Array(length))
}

/**
 * Ed25519 over `@noble/curves`.
 *
 * `zip215: false` selects RFC 8032 / FIPS 186-5 verification (canonical encodings, S < L),
 * which is what OpenSSL does; noble's default (ZIP 215) accepts some non-canonical encodings
 * that the Node backend would reject, and two nodes must never disagree on a signature.
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
    try {
      return ed25519.verify(signature, message, publicKey, { zip215: false })
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
  let value = 0n
  for (const byte of bytes) value = (value << 8n) | BigInt(byte)
  return value
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

/** The portable backend (selected by the `#crypto` import outside Node). */
export const backend: CryptoBackend = {
  name: 'web',
  sha256: (data) => nobleSha256(data),
  sha256Hex: (data) => toHex(nobleSha256(typeof data === 'string' ? utf8(data) : data)),
  randomBytes,
  ed25519: webEd25519,
  bip340: webBip340,
  secp256k1: webSecp256k1,
}
