/**
 * Plain-JS SHA-256 for the one input shape proof of work hashes: `prefix (32 bytes) ‖ nonce (8 bytes)`,
 * which pads to exactly one 64-byte block.
 *
 * Two things live here: {@link hashPowBlock}, the exact full hash (the kernels' reference and the
 * candidate check), and {@link createJsScanner}, the fallback search loop for runtimes without
 * WebAssembly SIMD. Both are pure: no platform crypto, so they also run in a browser worker.
 */

/** The SHA-256 round constants (FIPS 180-4 §4.2.2). */
export const K = Uint32Array.from([
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5, 0xd807aa98,
  0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786,
  0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8,
  0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13,
  0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819,
  0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a,
  0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7,
  0xc67178f2,
])

/** The SHA-256 initial hash value (FIPS 180-4 §5.3.3). */
export const IV = Uint32Array.from([
  0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
])

/** Message words 10..15 of every PoW block: the 0x80 pad byte, zeros, and the length 40 × 8 = 320 bits. */
export const PAD_WORDS = [0x80000000, 0, 0, 0, 0, 320] as const

/**
 * Nonces tested per `scan` pass, and the scan itself: the interface both kernels implement.
 *
 * `scan` tests nonces `hi·2³² + lo + i` for `0 ≤ i < count` (`count` a multiple of `group`,
 * `lo + count ≤ 2³²`) and returns the offset of the first group holding a hash whose first word
 * ANDed with `mask` is zero, or -1. Offsets mark groups: the caller re-checks each member exactly.
 */
export interface BlockScanner {
  readonly name: string
  readonly group: number
  /** Sets message words 0..7 (the 32-byte prefix, big-endian words). */
  setPrefix(words: Uint32Array): void
  scan(hi: number, lo: number, count: number, mask: number): number
}

/** Reads a 32-byte prefix as eight big-endian words. */
export function prefixWords(prefix: Uint8Array): Uint32Array {
  const view = new DataView(prefix.buffer, prefix.byteOffset, prefix.byteLength)
  const words = new Uint32Array(8)
  for (let i = 0; i < 8; i++) words[i] = view.getUint32(i * 4)
  return words
}

const rotr = (x: number, n: number): number => (x >>> n) | (x << (32 - n))

/** Fills `w[16..63]` from `w[0..15]` (the message schedule). */
function expand(w: Uint32Array, from: number): void {
  for (let t = from; t < 64; t++) {
    const x = w[t - 15]!
    const y = w[t - 2]!
    const s0 = rotr(x, 7) ^ rotr(x, 18) ^ (x >>> 3)
    const s1 = rotr(y, 17) ^ rotr(y, 19) ^ (y >>> 10)
    w[t] = w[t - 16]! + s0 + w[t - 7]! + s1
  }
}

/** Runs rounds `from..63` on `state` (a..h) with schedule `w`; returns the new first word `a`. */
function rounds(state: Uint32Array, w: Uint32Array, from: number, to: number): void {
  let a = state[0]!
  let b = state[1]!
  let c = state[2]!
  let d = state[3]!
  let e = state[4]!
  let f = state[5]!
  let g = state[6]!
  let h = state[7]!
  for (let t = from; t < to; t++) {
    const t1 = (h + (rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25)) + (g ^ (e & (f ^ g))) + K[t]! + w[t]!) | 0
    const t2 = ((rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22)) + ((a & b) ^ (c & (a ^ b)))) | 0
    h = g
    g = f
    f = e
    e = (d + t1) | 0
    d = c
    c = b
    b = a
    a = (t1 + t2) | 0
  }
  state[0] = a
  state[1] = b
  state[2] = c
  state[3] = d
  state[4] = e
  state[5] = f
  state[6] = g
  state[7] = h
}

/** Loads the block words for `prefix ‖ hi ‖ lo` plus padding into `w[0..15]`. */
function loadBlock(w: Uint32Array, prefix: Uint32Array, hi: number, lo: number): void {
  w.set(prefix)
  w[8] = hi
  w[9] = lo
  w.set(PAD_WORDS, 10)
}

/** The full SHA-256 of `prefix ‖ nonce` where the nonce is `hi·2³² + lo`, as 32 bytes. */
export function hashPowBlock(prefix: Uint32Array, hi: number, lo: number): Uint8Array {
  const w = new Uint32Array(64)
  loadBlock(w, prefix, hi, lo)
  expand(w, 16)
  const state = IV.slice()
  rounds(state, w, 0, 64)
  const out = new Uint8Array(32)
  const view = new DataView(out.buffer)
  for (let i = 0; i < 8; i++) view.setUint32(i * 4, (state[i]! + IV[i]!) >>> 0)
  return out
}

/**
 * The portable scanner: one nonce at a time, but rounds 0..8 (which see only the prefix and the
 * nonce's high word) run once per `scan` call instead of once per nonce.
 */
export function createJsScanner(): BlockScanner {
  const prefix = new Uint32Array(8)
  const w = new Uint32Array(64)
  const mid = new Uint32Array(8)
  const state = new Uint32Array(8)
  return {
    name: 'js',
    group: 1,
    setPrefix(words) {
      prefix.set(words)
    },
    scan(hi, lo, count, mask) {
      loadBlock(w, prefix, hi, 0)
      mid.set(IV)
      rounds(mid, w, 0, 9)
      for (let i = 0; i < count; i++) {
        w[9] = (lo + i) | 0 // words 0..15 stay; expand rewrites only 16..63
        expand(w, 16)
        state.set(mid)
        rounds(state, w, 9, 64)
        if (((state[0]! + IV[0]!) & mask) === 0) return i
      }
      return -1
    },
  }
}
