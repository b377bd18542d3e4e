/**
 * Range fingerprints (the Negentropy construction, with the ordering key bound into each item).
 *
 * Each item contributes `h = SHA-256(key as 4 bytes big-endian ‖ id)`, read as a 256-bit
 * little-endian integer. A range's fingerprint is
 * `SHA-256(Σ h mod 2^256 as 32 bytes little-endian ‖ varint(count))`, first 16 bytes.
 *
 * The sum is incremental (add or subtract one item's `h`) and lets a sorted snapshot answer any
 * range's fingerprint in O(1) from prefix sums. Hashing the key with the id, rather than
 * summing ids alone, matters because our key carries the PoW bits: the same message held with
 * more work on one side must change the fingerprint, and swapping which of two messages has
 * the extra bits must not cancel out in the sum. Hashing the sum with the count makes a match
 * by accident need a full 2^256 sum collision of different sets with the same size.
 */
import { backend } from '#crypto'
import { Writer } from './bytes.ts'

/** Bytes of a fingerprint on the wire. */
export const FINGERPRINT_BYTES = 16

/** 32-bit limbs of a 256-bit number. */
export const LIMBS = 8

/** `h` of one item: SHA-256(key as u32 big-endian ‖ id). */
export function itemHash(key: number, id: Uint8Array): Uint8Array {
  const input = new Uint8Array(4 + id.length)
  new DataView(input.buffer).setUint32(0, key)
  input.set(id, 4)
  return backend.sha256(input)
}

/** Adds the 32-byte little-endian number `hash` into `limbs` at `at` (mod 2^256). */
export function addHash(limbs: Uint32Array, at: number, hash: Uint8Array): void {
  let carry = 0
  for (let i = 0; i < LIMBS; i++) {
    const b = i * 4
    const word = (hash[b]! | (hash[b + 1]! << 8) | (hash[b + 2]! << 16) | (hash[b + 3]! << 24)) >>> 0
    const sum = limbs[at + i]! + word + carry
    limbs[at + i] = sum >>> 0
    carry = sum > 0xffff_ffff ? 1 : 0
  }
}

/**
 * Adds to `limbs` at `at` the step `sums[from + 8 … from + 16) − sums[from … from + 8)` of a
 * prefix-sum array (mod 2^256): the hash of the item between the two sums.
 */
export function addStep(limbs: Uint32Array, at: number, sums: Uint32Array, from: number): void {
  let carry = 0
  let borrow = 0
  for (let i = 0; i < LIMBS; i++) {
    let step = sums[from + LIMBS + i]! - sums[from + i]! - borrow
    borrow = step < 0 ? 1 : 0
    if (step < 0) step += 0x1_0000_0000
    const sum = limbs[at + i]! + step + carry
    limbs[at + i] = sum >>> 0
    carry = sum > 0xffff_ffff ? 1 : 0
  }
}

/** `a − b mod 2^256` of two limb arrays at offsets, as 32 bytes little-endian. */
export function subtractToBytes(a: Uint32Array, aAt: number, b: Uint32Array, bAt: number): Uint8Array {
  const out = new Uint8Array(32)
  let borrow = 0
  for (let i = 0; i < LIMBS; i++) {
    let diff = a[aAt + i]! - b[bAt + i]! - borrow
    borrow = diff < 0 ? 1 : 0
    if (diff < 0) diff += 0x1_0000_0000
    out[i * 4] = diff & 0xff
    out[i * 4 + 1] = (diff >>> 8) & 0xff
    out[i * 4 + 2] = (diff >>> 16) & 0xff
    out[i * 4 + 3] = (diff >>> 24) & 0xff
  }
  return out
}

/** The fingerprint of a range from its sum (32 bytes little-endian) and its count. */
export function fingerprintOf(sum: Uint8Array, count: number): Uint8Array {
  const input = new Writer(40).bytes(sum).varint(count).view()
  return backend.sha256(input).slice(0, FINGERPRINT_BYTES)
}

/** Fingerprint of a list of items computed directly (no prefix sums): the reference. */
export function fingerprintOfItems(items: Iterable<{ key: number; id: Uint8Array }>): Uint8Array {
  const limbs = new Uint32Array(LIMBS)
  let count = 0
  for (const { key, id } of items) {
    addHash(limbs, 0, itemHash(key, id))
    count++
  }
  return fingerprintOf(subtractToBytes(limbs, 0, new Uint32Array(LIMBS), 0), count)
}
