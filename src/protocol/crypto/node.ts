/**
 * Crypto backend for Node: native SHA-256 and ed25519 from `node:crypto`, BIP340 Schnorr from
 * `tiny-secp256k1` (libsecp256k1 compiled to WASM).
 *
 * Why these libraries (`bench/verify.ts`, one core of this 2-core Xeon, Node 24.21): native
 * ed25519 verifies ≈ 9,600/s (noble: ≈ 830/s); for BIP340, `tiny-secp256k1` verifies
 * ≈ 4,700/s and signs ≈ 5,100/s against ≈ 775/s and ≈ 485/s for `@noble/curves` (6× / 10×).
 */
import {
  createPrivateKey,
  createPublicKey,
  hash,
  type KeyObject,
  randomBytes as nodeRandomBytes,
  sign,
  verify,
} from 'node:crypto'
import {
  pointAdd,
  pointFromScalar,
  pointMultiply,
  signSchnorr,
  verifySchnorr,
  xOnlyPointFromScalar,
} from 'tiny-secp256k1'
import type { CryptoBackend, SchemeBackend, Secp256k1Points } from './types.ts'

/** DER header of an Ed25519 SubjectPublicKeyInfo (RFC 8410 §4); the raw 32-byte key follows. */
const ED25519_SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex')
/** DER header of an Ed25519 PKCS#8 PrivateKeyInfo (RFC 8410 §7); the 32-byte seed follows. */
const ED25519_PKCS8_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex')

/**
 * How many ed25519 public key objects to keep.
 *
 * Building a KeyObject from raw bytes costs ≈ 26 µs against ≈ 105 µs for the verify itself
 * (bench/verify.ts: 9,600 verifies/s cached vs 7,400/s uncached), and a node sees the same
 * signers again and again. 65,536 entries cover the oracles of a large mempool (capabilities
 * are signed by their oracle's key) for a few tens of megabytes of native memory.
 */
const PUBLIC_KEY_CACHE_SIZE = 65_536

// The digest comes back as a 'binary' (latin1) string (one char per byte) and is copied into a
// Uint8Array: ≈ 0.35 µs against ≈ 0.8 µs for a Buffer result, whose allocation costs more than
// hashing a block. Every message a node receives is hashed at least twice.
function sha256(data: Uint8Array): Uint8Array {
  const digest = hash('sha256', data, 'binary')
  const out = new Uint8Array(32)
  for (let i = 0; i < 32; i++) out[i] = digest.charCodeAt(i)
  return out
}

function sha256Hex(data: Uint8Array | string): string {
  return hash('sha256', data, 'hex')
}

function randomBytes(length: number): Uint8Array {
  return new Uint8Array(nodeRandomBytes(length))
}

/**
 * A cache of raw ed25519 public keys to their KeyObjects, approximately least-recently-used
 * with two generations: hits in the old generation move to the new one, and when the new one is
 * full the old one is dropped whole. Every operation is O(1); an exact LRU on one Map has to
 * find its oldest key by iterating from the front, which V8 makes slower with every deletion.
 */
class PublicKeyCache {
  readonly maxSize: number
  #young = new Map<string, KeyObject>()
  #old = new Map<string, KeyObject>()

  constructor(maxSize: number) {
    this.maxSize = maxSize
  }

  get(raw: Uint8Array): KeyObject {
    // latin1 maps each byte to one char: the cheapest exact string key for 32 bytes.
    const id = Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength).toString('latin1')
    const young = this.#young.get(id)
    if (young !== undefined) return young
    const key = this.#old.get(id) ?? ed25519PublicKeyObject(raw)
    if (this.#young.size >= Math.max(1, this.maxSize >> 1)) {
      this.#old = this.#young
      this.#young = new Map()
    }
    this.#young.set(id, key)
    return key
  }

  /** Number of keys held (at most `maxSize`). */
  get size(): number {
    return this.#young.size + this.#old.size
  }
}

// Imported as a JWK: OpenSSL then builds the key from its raw bytes (≈ 26 µs) instead of running
// its DER decoders (≈ 34 µs, measured on this 2-core Xeon); a node imports one key per new signer.
function ed25519PublicKeyObject(raw: Uint8Array): KeyObject {
  if (raw.length !== 32) throw new RangeError('ed25519 public key must be 32 bytes')
  const x = Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength).toString('base64url')
  return createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x }, format: 'jwk' })
}

// Secret keys are not cached although the KeyObject costs more than the signature (≈ 60 µs of
// ≈ 100 µs): signing is rare next to verifying (a node signs only its own messages, 10,000/s is
// plenty), and a cache would keep every secret ever used alive for the process lifetime.
function ed25519PrivateKeyObject(secretKey: Uint8Array): KeyObject {
  if (secretKey.length !== 32) throw new RangeError('ed25519 secret key must be 32 bytes')
  return createPrivateKey({
    key: Buffer.concat([ED25519_PKCS8_PREFIX, secretKey]),
    format: 'der',
    type: 'pkcs8',
  })
}

/**
 * Builds a native ed25519 backend. `cacheSize` 0 disables the public key cache (the benchmark
 * uses that to show what the cache buys).
 */
export function nodeEd25519(cacheSize = PUBLIC_KEY_CACHE_SIZE): SchemeBackend {
  const cache = cacheSize > 0 ? new PublicKeyCache(cacheSize) : undefined
  return {
    publicKey(secretKey) {
      const spki = createPublicKey(ed25519PrivateKeyObject(secretKey)).export({ format: 'der', type: 'spki' })
      return new Uint8Array(spki.subarray(ED25519_SPKI_PREFIX.length))
    },
    sign(message, secretKey) {
      // Ed25519 is deterministic (RFC 8032 §5.1.6): there is no auxiliary randomness to use.
      return new Uint8Array(sign(null, message, ed25519PrivateKeyObject(secretKey)))
    },
    prepare: ed25519PublicKeyObject,
    verify(signature, message, publicKey, prepared) {
      if (signature.length !== 64 || publicKey.length !== 32) return false
      try {
        const key =
          (prepared as KeyObject | undefined) ??
          (cache ? cache.get(publicKey) : ed25519PublicKeyObject(publicKey))
        return verify(null, message, key, signature)
      } catch {
        return false
      }
    },
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
    return xOnlyPointFromScalar(secretKey)
  },
  sign(message, secretKey, auxRand) {
    if (message.length !== 32) throw new RangeError('bip340 signs exactly 32-byte messages')
    return signSchnorr(message, secretKey, auxRand ?? randomBytes(32))
  },
  verify(signature, message, publicKey) {
    if (signature.length !== 64 || message.length !== 32 || publicKey.length !== 32) return false
    try {
      return verifySchnorr(message, publicKey, signature)
    } catch {
      // tiny-secp256k1 throws for a public key that is not on the curve or r, s ≥ n
      return false
    }
  },
}

/** secp256k1 point arithmetic over libsecp256k1 (WASM); `null` results mean infinity or bad input. */
export const nodeSecp256k1: Secp256k1Points = {
  fromScalar(scalar) {
    const point = pointFromScalar(scalar, true)
    if (!point) throw new RangeError('scalar must be from 1 to n-1')
    return point
  },
  mulAdd(point, scalar, addend) {
    const product = pointMultiply(point, scalar, true)
    const sum = product && pointAdd(product, addend, true)
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
  ed25519: nodeEd25519(),
  bip340: nodeBip340,
  secp256k1: nodeSecp256k1,
}
