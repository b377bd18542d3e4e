/**
 * The PoW search kernel: finds nonces whose `SHA-256(prefix ‖ nonce)` has enough leading zero bits.
 *
 * It drives a {@link BlockScanner} (SIMD WebAssembly when the runtime has it, plain JS
 * otherwise) over nonce ranges: the scanner tests only the hash's first word against a mask,
 * and every candidate is re-hashed exactly here, so a scanner can only cost time, never return
 * a wrong answer. Pure and synchronous: run it in a worker (see `src/miner/`).
 */
import { type BlockScanner, createJsScanner, hashPowBlock, prefixWords } from './sha256-js.ts'
import { createWasmScanner } from './sha256-wasm.ts'

/** A nonce that meets the target, with its full hash. */
export interface SearchHit {
  nonce: bigint
  hash: Uint8Array
}

/** A synchronous, stateless-between-calls nonce searcher for one fixed input shape. */
export interface SearchKernel {
  /** Which scanner runs underneath (`wasm-simd128x1`, `js`), for benchmarks and diagnostics. */
  readonly name: string
  /**
   * Tests nonces `startNonce … startNonce + count − 1` (stopping at 2⁶⁴ − 1), lowest first, and
   * returns the first whose hash has at least `targetBits` leading zero bits, or undefined.
   * Blocks the thread for the whole range: about 70 ns per nonce with WebAssembly SIMD.
   */
  search(prefix: Uint8Array, startNonce: bigint, count: number, targetBits: number): SearchHit | undefined
}

/** Options of {@link createSearchKernel}. */
export interface SearchKernelInit {
  /** `'wasm'` or `'js'` forces a scanner (tests, benchmarks); by default the fastest available. */
  scanner?: 'wasm' | 'js'
}

/**
 * Nonces per scanner call. V8 swaps in optimized WebAssembly between calls, never inside a
 * running one, so calls must be short for the optimized code to take over in the first
 * milliseconds; 2¹⁶ nonces take about 5 ms, which makes the per-call setup (9 scalar rounds)
 * negligible.
 */
const SCAN_SPAN = 1 << 16
const NONCE_LIMIT = 1n << 64n
const WORD = 2 ** 32

/** Number of leading zero bits of `bytes` (0 … 8 × length), most significant bit first. */
export function leadingZeroBits(bytes: Uint8Array): number {
  let bits = 0
  for (const byte of bytes) {
    if (byte !== 0) return bits + Math.clz32(byte) - 24
    bits += 8
  }
  return bits
}

/** The mask of the hash's first word that must be zero: the top `min(bits, 32)` bits. */
function firstWordMask(bits: number): number {
  return bits >= 32 ? -1 : ~(0xffffffff >>> bits)
}

/**
 * Creates a kernel. Compiles the WebAssembly scanner (about 20 ms, synchronously) unless
 * `scanner: 'js'`; throws when `scanner: 'wasm'` is asked for and the runtime lacks SIMD.
 */
export function createSearchKernel(init: SearchKernelInit = {}): SearchKernel {
  const wasm = init.scanner === 'js' ? undefined : createWasmScanner()
  if (init.scanner === 'wasm' && !wasm) throw new Error('WebAssembly SIMD is not available in this runtime')
  const scanner: BlockScanner = wasm ?? createJsScanner()
  return { name: scanner.name, search: (...args) => search(scanner, ...args) }
}

function search(
  scanner: BlockScanner,
  prefix: Uint8Array,
  startNonce: bigint,
  count: number,
  targetBits: number,
): SearchHit | undefined {
  if (prefix.length !== 32) throw new RangeError(`prefix must be 32 bytes, got ${prefix.length}`)
  if (!Number.isInteger(targetBits) || targetBits < 0 || targetBits > 256) {
    throw new RangeError(`targetBits must be an integer from 0 to 256, got ${targetBits}`)
  }
  if (startNonce < 0n || startNonce >= NONCE_LIMIT)
    throw new RangeError('startNonce must be an unsigned 64-bit integer')
  const words = prefixWords(prefix)
  scanner.setPrefix(words)
  const mask = firstWordMask(targetBits)
  const group = scanner.group
  const exact = (hi: number, lo: number): SearchHit | undefined => {
    const hash = hashPowBlock(words, hi, lo)
    if (leadingZeroBits(hash) >= targetBits) return { nonce: (BigInt(hi) << 32n) | BigInt(lo), hash }
    return undefined
  }
  let nonce = startNonce
  let remaining = Math.min(Math.max(0, Math.floor(count)), Number(NONCE_LIMIT - startNonce))
  while (remaining > 0) {
    const hi = Number(nonce >> 32n)
    const lo = Number(nonce & 0xffffffffn)
    // a span never crosses a high-word boundary: the scanner fixes the high word per call
    const span = Math.min(remaining, WORD - lo, SCAN_SPAN)
    const bulk = span - (span % group)
    for (let from = 0; from < bulk; ) {
      const offset = scanner.scan(hi, lo + from, bulk - from, mask)
      if (offset < 0) break
      const at = from + offset
      for (let j = 0; j < group; j++) {
        const hit = exact(hi, lo + at + j)
        if (hit) return hit
      }
      from = at + group
    }
    for (let j = bulk; j < span; j++) {
      const hit = exact(hi, lo + j)
      if (hit) return hit
    }
    nonce += BigInt(span)
    remaining -= span
  }
  return undefined
}
