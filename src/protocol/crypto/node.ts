/**
 * Crypto backend for Node: SHA-256 from `node:crypto` (OpenSSL), ed25519 from libsodium
 * (`sodium-native`, prebuilt for each platform), BIP340 Schnorr and secp256k1 points from
 * libsecp256k1 (native when `npm ci` could build it, else WebAssembly: libsecp256k1.ts).
 *
 * Why these libraries (`bench/verify.ts`, one core of a 2-core AMD EPYC, Node 24.21): libsodium
 * verifies ed25519 from the raw key, ≈ 1.6× OpenSSL for a new signer (OpenSSL needs a key object
 * first), and noble ≈ 0.1×; for BIP340, native libsecp256k1 verifies ≈ 20,000/s, its
 * WebAssembly build ≈ 4,500/s and `@noble/curves` ≈ 800/s.
 */
import { hash, randomBytes as nodeRandomBytes } from 'node:crypto'
import { createRequire } from 'node:module'
import sodium from 'sodium-native'
import { type Libsecp256k1, loadLibsecp256k1 } from './libsecp256k1.ts'
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

let loadedSecp256k1: Libsecp256k1 | undefined

/**
 * libsecp256k1, loaded on first use: a node that never meets a BIP340 key or an attestation
 * point never needs it (its WebAssembly build costs a process ≈ 13 MB of RSS). Loaded
 * synchronously, as the backend's calls are synchronous.
 */
function secp256k1(): Libsecp256k1 {
  loadedSecp256k1 ??= loadLibsecp256k1(createRequire(import.meta.url))
  return loadedSecp256k1
}

/** Which build of libsecp256k1 this process uses (`native` or `wasm`), for diagnostics and benchmarks. */
export function libsecp256k1Build(): Libsecp256k1['build'] {
  return secp256k1().build
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
 * BIP340 over libsecp256k1.
 *
 * aux_rand is always passed explicitly (random when the caller gives none): libsecp256k1 treats
 * a missing aux_rand differently from 32 zero bytes in some versions, and the BIP340 vectors
 * are defined with explicit bytes.
 */
export function bip340Over(library: () => Libsecp256k1): SchemeBackend {
  return {
    publicKey(secretKey) {
      return library().xOnlyPublicKey(secretKey)
    },
    sign(message, secretKey, auxRand) {
      if (message.length !== 32) throw new RangeError('bip340 signs exactly 32-byte messages')
      return library().signSchnorr(message, secretKey, auxRand ?? randomBytes(32))
    },
    verify(signature, message, publicKey) {
      if (signature.length !== 64 || message.length !== 32 || publicKey.length !== 32) return false
      return library().verifySchnorr(signature, message, publicKey)
    },
  }
}

/** secp256k1 point arithmetic over libsecp256k1. */
export function pointsOver(library: () => Libsecp256k1): Secp256k1Points {
  return {
    fromScalar: (scalar) => library().pointFromScalar(scalar),
    mulAdd: (point, scalar, addend) => library().mulAdd(point, scalar, addend),
  }
}

export const nodeBip340: SchemeBackend = bip340Over(secp256k1)
export const nodeSecp256k1: Secp256k1Points = pointsOver(secp256k1)

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
