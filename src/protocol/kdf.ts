/**
 * Hash-based derivations of the oracle toolkit, over the platform's SHA-256 only (so they run
 * in browsers too): HMAC-SHA256 (RFC 2104), HKDF-SHA256 (RFC 5869) and BIP340 tagged hashes.
 * The test suite checks HMAC and HKDF against `node:crypto`.
 */
import { backend } from '#crypto'
import { concatBytes, utf8 } from './hex.ts'

const BLOCK_BYTES = 64
const HASH_BYTES = 32

/** HMAC-SHA256 of `message` under `key` (RFC 2104). */
export function hmacSha256(key: Uint8Array, message: Uint8Array): Uint8Array {
  const block = new Uint8Array(BLOCK_BYTES)
  block.set(key.length > BLOCK_BYTES ? backend.sha256(key) : key)
  const inner = block.map((byte) => byte ^ 0x36)
  const outer = block.map((byte) => byte ^ 0x5c)
  return backend.sha256(concatBytes(outer, backend.sha256(concatBytes(inner, message))))
}

/**
 * HKDF-SHA256 (RFC 5869): extract with `salt`, then expand to `length` bytes (at most 8160)
 * for the context `info`.
 */
export function hkdfSha256(ikm: Uint8Array, salt: Uint8Array, info: Uint8Array, length: number): Uint8Array {
  if (!Number.isInteger(length) || length < 1 || length > 255 * HASH_BYTES) {
    throw new RangeError(`HKDF output length must be 1 to ${255 * HASH_BYTES} bytes`)
  }
  const prk = hmacSha256(salt.length > 0 ? salt : new Uint8Array(HASH_BYTES), ikm)
  const out = new Uint8Array(length)
  let previous: Uint8Array = new Uint8Array(0)
  for (let i = 0, filled = 0; filled < length; i++) {
    previous = hmacSha256(prk, concatBytes(previous, info, Uint8Array.of(i + 1)))
    out.set(previous.subarray(0, Math.min(HASH_BYTES, length - filled)), filled)
    filled += HASH_BYTES
  }
  return out
}

const tagCache = new Map<string, Uint8Array>()

/** BIP340 tagged hash: `SHA-256(SHA-256(tag) ‖ SHA-256(tag) ‖ data)`. */
export function taggedHash(tag: string, ...data: Uint8Array[]): Uint8Array {
  let tagHash = tagCache.get(tag)
  if (!tagHash) {
    tagHash = backend.sha256(utf8(tag))
    tagCache.set(tag, tagHash)
  }
  return backend.sha256(concatBytes(tagHash, tagHash, ...data))
}
