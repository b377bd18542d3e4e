/**
 * Crypto backend for Node: SHA-256 from `node:crypto` (OpenSSL), ed25519 from libsodium
 * (`sodium-native`, prebuilt for each platform), BIP340 Schnorr from `tiny-secp256k1`
 * (libsecp256k1 compiled to WASM).
 *
 * Why these libraries (`bench/verify.ts`, one core of this 2-core Xeon, Node 24.21): libsodium
 * verifies ed25519 from the raw key, ≈ 1.6× OpenSSL for a new signer (OpenSSL needs a key object
 * first), and noble ≈ 0.1×; for BIP340, `tiny-secp256k1` verifies ≈ 4,700/s and signs ≈ 5,100/s
 * against ≈ 775/s and ≈ 485/s for `@noble/curves` (6× / 10×).
 */
import { hash, randomBytes as nodeRandomBytes } from 'node:crypto'
import { createRequire } from 'node:module'
import sodium from 'sodium-native'
import type { CryptoBackend, SchemeBackend, Secp256k1Points } from './types.ts'

// The digest comes back as a 'binary' (latin1) string (one char per byte) and is copied into a
// Uint8Array: ≈ 0.35 µs against ≈ 0.8 µs for a Buffer result, whose allocation costs more than
// hashing a block. Every message a node receives is hashed at least twice.
function sha256(data: Uint8Array | string): Uint8Array {
  const digest = hash('sha256', data, 'binary')
  const out = new Uint8Array(32)
  for (let i = 0; i < 32; i++) out[i] = digest.charCodeAt(i)
  return out
}

function sha256Hex(data: Uint8Array | string): string {
  return hash('sha256', data, 'hex')
}

type Secp256k1 = typeof import('tiny-secp256k1')
let loadedSecp256k1: Secp256k1 | undefined

/**
 * libsecp256k1, loaded on first use: its WebAssembly instance costs a process ≈ 13 MB of RSS,
 * and a node that never meets a BIP340 key or an attestation point never needs it. Its CommonJS
 * build (the same WebAssembly) loads synchronously, as the backend's calls are synchronous.
 */
function secp256k1(): Secp256k1 {
  loadedSecp256k1 ??= createRequire(import.meta.url)('tiny-secp256k1') as Secp256k1
  return loadedSecp256k1
}

function randomBytes(length: number): Uint8Array {
  return new Uint8Array(nodeRandomBytes(length))
}

/**
 * Ed25519 over libsodium.
 *
 * A node verifies one signature for every message it admits, most of them by signers it has
 * not seen before: libsodium verifies straight from the 32-byte key, where OpenSSL first builds
 * a key object (≈ 30 µs) and then verifies (≈ 105 µs) — 1.6× for a new signer here
 * (bench/verify.ts). Both check RFC 8032's encodings and S < L, refuse keys and R of small
 * order, and compare R byte for byte (the cofactorless equation); the web backend does the same
 * (test/unit/protocol/signature.test.ts runs the edge cases against all three).
 */
export const nodeEd25519: SchemeBackend = {
  publicKey(secretKey) {
    return withKeyPair(secretKey, (publicKey) => publicKey.slice())
  },
  sign(message, secretKey) {
    // Ed25519 is deterministic (RFC 8032 §5.1.6): there is no auxiliary randomness to use.
    return withKeyPair(secretKey, (_, expanded) => {
      const signature = new Uint8Array(64)
      sodium.crypto_sign_detached(signature, message, expanded)
      return signature
    })
  },
  verify(signature, message, publicKey) {
    if (signature.length !== 64 || publicKey.length !== 32) return false
    return sodium.crypto_sign_verify_detached(signature, message, publicKey)
  },
}

/** Runs `use` with the key pair of a 32-byte seed (libsodium's 64-byte secret key), then wipes it. */
function withKeyPair<T>(seed: Uint8Array, use: (publicKey: Uint8Array, expanded: Uint8Array) => T): T {
  if (seed.length !== 32) throw new RangeError('ed25519 secret key must be 32 bytes')
  const publicKey = new Uint8Array(32)
  const expanded = new Uint8Array(64)
  try {
    sodium.crypto_sign_seed_keypair(publicKey, expanded, seed)
    return use(publicKey, expanded)
  } finally {
    expanded.fill(0)
  }
}

/**
 * BIP340 over libsecp256k1 (WASM).
 *
 * aux_rand is always passed explicitly (random when the caller gives none): libsecp256k1 treats
 * a missing aux_rand differently from 32 zero bytes in some versions, and the BIP340 vectors
 * are defined with explicit bytes. Known deviation: tiny-secp256k1's JS wrapper rejects a
 * signature whose R.x lies in [n, p), which BIP340 allows; an honest signer hits that with
 * probability ≈ 2^-128 and nobody can aim for it, so both backends agree in practice.
 */
export const nodeBip340: SchemeBackend = {
  publicKey(secretKey) {
    return secp256k1().xOnlyPointFromScalar(secretKey)
  },
  sign(message, secretKey, auxRand) {
    if (message.length !== 32) throw new RangeError('bip340 signs exactly 32-byte messages')
    return secp256k1().signSchnorr(message, secretKey, auxRand ?? randomBytes(32))
  },
  verify(signature, message, publicKey) {
    if (signature.length !== 64 || message.length !== 32 || publicKey.length !== 32) return false
    try {
      return secp256k1().verifySchnorr(message, publicKey, signature)
    } catch {
      // tiny-secp256k1 throws for a public key that is not on the curve or r, s ≥ n
      return false
    }
  },
}

/** secp256k1 point arithmetic over libsecp256k1 (WASM); `null` results mean infinity or bad input. */
export const nodeSecp256k1: Secp256k1Points = {
  fromScalar(scalar) {
    const point = secp256k1().pointFromScalar(scalar, true)
    if (!point) throw new RangeError('scalar must be from 1 to n-1')
    return point
  },
  mulAdd(point, scalar, addend) {
    const product = secp256k1().pointMultiply(point, scalar, true)
    const sum = product && secp256k1().pointAdd(product, addend, true)
    if (!sum) throw new RangeError('scalar·point + addend is the point at infinity')
    return sum
  },
}

/** The Node backend (selected by the `#crypto` import under the `node` condition). */
export const backend: CryptoBackend = {
  name: 'node',
  sha256,
  sha256Hex,
  randomBytes,
  ed25519: nodeEd25519,
  bip340: nodeBip340,
  secp256k1: nodeSecp256k1,
}
