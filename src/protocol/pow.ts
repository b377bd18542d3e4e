/**
 * Proof of work (design.md §4): `hash = SHA-256( SHA-256(bound) ‖ nonce )`, nonce a big-endian
 * u64, so every trial hashes one 40-byte input (one SHA-256 block). A pow claiming `bits` is
 * valid when its hash has at least that many leading zero bits; it is worth `2^bits` work.
 *
 * `bound` is what the work is bound to (an oracle key, a capability body, a report's content):
 * the caller builds those bytes, this module only hashes them.
 */
import { backend } from '#crypto'
import { ErrorCode, fail, ok, type Result } from './errors.ts'
import { concatBytes, fromHex, hexInto, toHex } from './hex.ts'
import type { Pow } from './messages/common.ts'
import { createSearchKernel, leadingZeroBits, type SearchKernel } from './sha256-kernel.ts'

/** A proof of work as carried in messages (schema: `Pow` in messages/common.ts). */
export type { Pow } from './messages/common.ts'
export { leadingZeroBits } from './sha256-kernel.ts'

/** The largest claimable `bits`: every bit of a SHA-256 hash. */
export const MAX_POW_BITS = 256

const NONCE_HEX = /^[0-9a-f]{16}$/
const HASH_HEX = /^[0-9a-f]{64}$/
/** Nonces per kernel call in {@link mineSync}: bounds how long one call runs between checks. */
const MINE_SPAN = 1 << 20

/**
 * The 32-byte prefix every trial for `bound` starts with: `SHA-256(bound)`. Hash it once, mine
 * many. A string bound stands for its UTF-8 bytes (see `powBoundInput`).
 */
export function powPrefix(bound: Uint8Array | string): Uint8Array {
  return backend.sha256(bound)
}

/** The 8-byte big-endian encoding of a nonce. Throws RangeError outside 0 … 2⁶⁴ − 1. */
export function nonceBytes(nonce: bigint): Uint8Array {
  const out = new Uint8Array(8)
  new DataView(out.buffer).setBigUint64(0, checkNonce(nonce))
  return out
}

/** The wire form of a nonce: 16 lowercase hex digits. */
export function nonceToHex(nonce: bigint): string {
  return checkNonce(nonce).toString(16).padStart(16, '0')
}

/** Parses the wire form of a nonce; throws `BAD_HEX` / `BAD_LENGTH` (ProtocolError) on anything else. */
export function nonceFromHex(hex: string): bigint {
  fromHex(hex, 8, 'pow nonce')
  return BigInt(`0x${hex}`)
}

/** One trial: `SHA-256(prefix ‖ nonce)`, where `prefix` comes from {@link powPrefix}. */
export function powHash(prefix: Uint8Array, nonce: bigint): Uint8Array {
  return backend.sha256(concatBytes(prefix, nonceBytes(nonce)))
}

/**
 * Work of a pow with `bits` leading zero bits: `2^bits` expected trials, as a bigint because
 * sums of works (identity strength) exceed 2⁵³ where doubles lose units. Throws RangeError
 * unless `bits` is an integer from 0 to 256.
 */
export function workOf(bits: number): bigint {
  if (!isBits(bits)) throw new RangeError(`bits must be an integer from 0 to ${MAX_POW_BITS}, got ${bits}`)
  return WORKS[bits]!
}

// Every work there is, built once: a node keeps one per message held, and a shared bigint costs
// nothing per entry where a fresh one costs a heap object each.
const WORKS: readonly bigint[] = Array.from({ length: MAX_POW_BITS + 1 }, (_, bits) => 1n << BigInt(bits))

/**
 * What a PoW is bound to: its bytes, text standing for its UTF-8 bytes, or their SHA-256 (lowercase
 * hex) when the caller hashed them already (a report's id, an offer's key).
 */
export type PowBound = Uint8Array | string | { readonly sha256Hex: string }

/**
 * Checks that `pow` is a valid proof of work for `bound` (see {@link PowBound}) with at least
 * `minBits` bits.
 *
 * Cheap checks come first so junk costs no hashing: shape (`POW_INVALID`), then the claim
 * against `minBits` (`POW_TOO_WEAK`), then one hash: a hash that is not
 * `SHA-256(SHA-256(bound) ‖ nonce)` is `POW_INVALID`, a hash with fewer leading zero bits than
 * claimed is `POW_BITS_OVERSTATED`. Returns the claimed bits and their work. Never throws for bad input.
 */
export function verifyPow(bound: PowBound, pow: Pow, minBits = 0): Result<{ bits: number; work: bigint }> {
  if (typeof pow !== 'object' || pow === null) return fail(ErrorCode.POW_INVALID, 'pow must be an object')
  const { bits, nonce, hash } = pow
  if (!isBits(bits)) {
    return fail(
      ErrorCode.POW_INVALID,
      `pow bits must be an integer from 0 to ${MAX_POW_BITS}, got ${String(bits)}`,
      {
        path: '/pow/bits',
      },
    )
  }
  if (typeof nonce !== 'string' || !NONCE_HEX.test(nonce)) {
    return fail(ErrorCode.POW_INVALID, 'pow nonce must be 16 lowercase hex digits (a big-endian u64)', {
      path: '/pow/nonce',
    })
  }
  // The hash's digits are checked only when it does not match: a string that is not hex cannot.
  if (typeof hash !== 'string' || hash.length !== 64) return malformedHash()
  if (bits < minBits) {
    return fail(ErrorCode.POW_TOO_WEAK, `pow claims ${bits} bits but at least ${minBits} are required`, {
      claimed: bits,
      required: minBits,
    })
  }
  // One 40-byte buffer, the nonce decoded straight to bytes: this runs for every message a node
  // receives, including the junk it rejects.
  const trial = new Uint8Array(40)
  if (typeof bound === 'object' && 'sha256Hex' in bound) hexInto(bound.sha256Hex, trial, 0)
  else trial.set(backend.sha256(bound))
  hexInto(nonce, trial, 32)
  const actual = backend.sha256Hex(trial)
  if (actual !== hash) {
    if (!HASH_HEX.test(hash)) return malformedHash()
    return fail(
      ErrorCode.POW_INVALID,
      'pow hash is not SHA-256(SHA-256(bound) ‖ nonce): wrong nonce or bound',
      { path: '/pow/hash', expected: actual, claimed: hash },
    )
  }
  const zeroBits = leadingZeroHexBits(actual)
  if (zeroBits < bits) {
    return fail(ErrorCode.POW_BITS_OVERSTATED, `pow claims ${bits} bits but its hash has only ${zeroBits}`, {
      claimed: bits,
      actual: zeroBits,
    })
  }
  return ok({ bits, work: workOf(bits) })
}

function malformedHash(): Result<never> {
  return fail(ErrorCode.POW_INVALID, 'pow hash must be 64 lowercase hex digits (a SHA-256 hash)', {
    path: '/pow/hash',
  })
}

/** {@link leadingZeroBits} of the bytes `hex` (lowercase) encodes, read off the digits. */
function leadingZeroHexBits(hex: string): number {
  let bits = 0
  for (let i = 0; i < hex.length; i++) {
    const code = hex.charCodeAt(i)
    if (code !== 48) return bits + Math.clz32(code < 97 ? code - 48 : code - 87) - 28
    bits += 4
  }
  return bits
}

/** Options of {@link mineSync}. */
export interface MineSyncOptions {
  /** First nonce to try, e.g. a checkpoint of an earlier run. @default 0n */
  startNonce?: bigint
  /** Give up after this many trials. @default until the 2⁶⁴ nonces run out */
  maxAttempts?: number
}

let sharedKernel: SearchKernel | undefined

/**
 * Mines a pow of at least `bits` for `bound` on the calling thread; returns undefined when
 * `maxAttempts` trials found nothing. The pow claims exactly `bits` (see {@link reclaimPow}
 * to claim any luck beyond). Expect `2^bits` trials at ~14 M/s (WebAssembly SIMD) or ~2 M/s
 * (JS fallback).
 *
 * Note that this blocks the thread until it finishes and cannot be cancelled or report
 * progress: run it in a worker, or use the multi-core miner in `src/miner/` for anything
 * above ~24 bits.
 */
export function mineSync(bound: Uint8Array, bits: number, opts: MineSyncOptions = {}): Pow | undefined {
  workOf(bits) // validates bits
  sharedKernel ??= createSearchKernel()
  const prefix = powPrefix(bound)
  let nonce = opts.startNonce ?? 0n
  let budget = opts.maxAttempts ?? Number.POSITIVE_INFINITY
  while (budget > 0 && nonce < 1n << 64n) {
    const span = Math.min(budget, MINE_SPAN)
    const hit = sharedKernel.search(prefix, nonce, span, bits)
    if (hit) return { bits, nonce: nonceToHex(hit.nonce), hash: toHex(hit.hash) }
    nonce += BigInt(span)
    budget -= span
  }
  return undefined
}

/**
 * Upgrading without mining: returns `pow` re-claimed at `bits` when its hash already has at
 * least `bits` leading zero bits (luck beyond the old claim is real work), else undefined.
 * Checks only the hash's zero bits, not that it belongs to a bound: verify with
 * {@link verifyPow} first.
 */
export function reclaimPow(pow: Pow, bits: number): Pow | undefined {
  workOf(bits)
  if (!HASH_HEX.test(pow.hash)) return undefined
  return leadingZeroBits(fromHex(pow.hash)) >= bits ? { ...pow, bits } : undefined
}

function isBits(bits: unknown): bits is number {
  return Number.isInteger(bits) && (bits as number) >= 0 && (bits as number) <= MAX_POW_BITS
}

function checkNonce(nonce: bigint): bigint {
  if (typeof nonce !== 'bigint' || nonce < 0n || nonce >= 1n << 64n) {
    throw new RangeError('a pow nonce must be an unsigned 64-bit integer (bigint)')
  }
  return nonce
}
