/**
 * Proof of work: the verification rules, and both search kernels (WebAssembly SIMD and JS)
 * checked against node:crypto's SHA-256 on random prefixes and nonce ranges.
 */
import assert from 'node:assert/strict'
import { createHash } from 'node:crypto'
import { describe, it } from 'node:test'
import fc from 'fast-check'
import { ErrorCode, type Result } from '../../../src/protocol/errors.ts'
import { toHex } from '../../../src/protocol/hex.ts'
import {
  leadingZeroBits,
  mineSync,
  nonceBytes,
  nonceFromHex,
  nonceToHex,
  type Pow,
  powHash,
  powPrefix,
  reclaimPow,
  verifyPow,
  workOf,
} from '../../../src/protocol/pow.ts'
import { createJsScanner, hashPowBlock, prefixWords } from '../../../src/protocol/sha256-js.ts'
import { createSearchKernel } from '../../../src/protocol/sha256-kernel.ts'
import { createWasmScanner } from '../../../src/protocol/sha256-wasm.ts'

const KERNELS = [createSearchKernel({ scanner: 'wasm' }), createSearchKernel({ scanner: 'js' })]
const SCANNERS = [createWasmScanner()!, createWasmScanner({ streams: 2 })!, createJsScanner()]
const U64_MAX = (1n << 64n) - 1n

function sha256(...parts: Uint8Array[]): Uint8Array {
  const hash = createHash('sha256')
  for (const part of parts) hash.update(part)
  return new Uint8Array(hash.digest())
}

/** The definition, spelled out with node:crypto: SHA-256(SHA-256(bound) ‖ nonce_u64_be). */
function referenceHash(prefix: Uint8Array, nonce: bigint): Uint8Array {
  const be = new Uint8Array(8)
  new DataView(be.buffer).setBigUint64(0, nonce)
  return sha256(prefix, be)
}

function expectCode(result: Result<unknown>, code: ErrorCode, note = ''): void {
  assert.equal(result.ok, false, `expected ${code} ${note}`)
  if (!result.ok) assert.equal(result.error.code, code, `${note}: ${result.error.message}`)
}

function flipHexBit(hex: string, bit: number): string {
  const digit = bit >> 2
  const flipped = (Number.parseInt(hex[digit]!, 16) ^ (1 << (bit & 3))).toString(16)
  return hex.slice(0, digit) + flipped + hex.slice(digit + 1)
}

const bound = fc.uint8Array({ minLength: 0, maxLength: 64 })
/** Nonces anywhere, but often next to the 2³² and 2⁶⁴ edges where the kernels split ranges. */
const nonce = fc.oneof(
  fc.bigInt({ min: 0n, max: U64_MAX }),
  fc
    .tuple(fc.bigInt({ min: 0n, max: (1n << 32n) - 1n }), fc.integer({ min: 1, max: 40 }))
    .map(([hi, back]) => ((hi + 1n) << 32n) - BigInt(back)),
  fc.integer({ min: 0, max: 40 }).map((back) => U64_MAX - BigInt(back)),
)

describe('pow hashing', () => {
  it('leadingZeroBits: known answers', () => {
    const table: [number[], number][] = [
      [[], 0],
      [[0x80], 0],
      [[0x7f], 1],
      [[0x01], 7],
      [[0x00, 0xff], 8],
      [[0x00, 0x00, 0x10], 19],
      [[0x00, 0x00, 0x00], 24],
      [new Array(32).fill(0), 256],
    ]
    for (const [bytes, bits] of table) assert.equal(leadingZeroBits(Uint8Array.from(bytes)), bits, `${bytes}`)
  })

  it('powHash is SHA-256(SHA-256(bound) ‖ nonce big-endian), and both kernels agree', () => {
    fc.assert(
      fc.property(bound, nonce, (b, n) => {
        const prefix = powPrefix(b)
        assert.equal(toHex(prefix), toHex(sha256(b)))
        const expected = toHex(referenceHash(prefix, n))
        assert.equal(toHex(powHash(prefix, n)), expected)
        assert.equal(
          toHex(hashPowBlock(prefixWords(prefix), Number(n >> 32n), Number(n & 0xffffffffn))),
          expected,
        )
        assert.equal(toHex(nonceBytes(n)), n.toString(16).padStart(16, '0'))
        assert.equal(nonceFromHex(nonceToHex(n)), n)
      }),
      { numRuns: 300 },
    )
  })

  for (const kernel of KERNELS) {
    it(`kernel ${kernel.name} finds the first nonce node:crypto says meets the target`, () => {
      fc.assert(
        fc.property(
          fc.uint8Array({ minLength: 32, maxLength: 32 }),
          nonce,
          fc.integer({ min: 0, max: 600 }),
          fc.integer({ min: 0, max: 9 }),
          (prefix, start, count, bits) => {
            let expected: bigint | undefined
            for (let n = start; n < start + BigInt(count) && n <= U64_MAX; n++) {
              if (leadingZeroBits(referenceHash(prefix, n)) >= bits) {
                expected = n
                break
              }
            }
            const hit = kernel.search(prefix, start, count, bits)
            assert.equal(hit?.nonce, expected)
            if (hit) assert.equal(toHex(hit.hash), toHex(referenceHash(prefix, hit.nonce)))
          },
        ),
        { numRuns: 300 },
      )
    })
  }

  for (const scanner of SCANNERS) {
    it(`scanner ${scanner.name} returns the first group whose first hash word has the mask's bits clear`, () => {
      fc.assert(
        fc.property(
          fc.uint8Array({ minLength: 32, maxLength: 32 }),
          fc.nat({ max: 0xffffffff }),
          fc.nat({ max: 0xffffffff - 4096 }),
          fc.integer({ min: 1, max: 64 }),
          fc.array(fc.integer({ min: 0, max: 31 }), { maxLength: 7 }),
          (prefix, hi, lo, groups, maskBits) => {
            const mask = maskBits.reduce((m, bit) => m | (1 << bit), 0)
            const count = groups * scanner.group
            let expected = -1
            for (let i = 0; i < count && expected < 0; i++) {
              const word = new DataView(
                referenceHash(prefix, (BigInt(hi) << 32n) + BigInt(lo + i)).buffer,
              ).getUint32(0)
              if ((word & mask) === 0) expected = i - (i % scanner.group)
            }
            scanner.setPrefix(prefixWords(prefix))
            assert.equal(scanner.scan(hi, lo, count, mask), expected)
          },
        ),
        { numRuns: 200 },
      )
    })
  }

  it('kernels re-check candidates beyond the first word: no false hits above 32 bits', () => {
    for (const kernel of KERNELS) {
      assert.equal(kernel.search(new Uint8Array(32), 0n, 20_000, 33), undefined)
      assert.equal(kernel.search(new Uint8Array(32), U64_MAX - 100n, 1000, 256), undefined)
    }
  })
})

describe('verifyPow', () => {
  const mined = fc
    .tuple(bound, fc.integer({ min: 0, max: 10 }))
    .map(([b, bits]) => ({ b, pow: mineSync(b, bits)! }))

  it('accepts a mined pow, with its work', () => {
    fc.assert(
      fc.property(mined, ({ b, pow }) => {
        assert.deepEqual(verifyPow(b, pow, pow.bits), {
          ok: true,
          value: { bits: pow.bits, work: workOf(pow.bits) },
        })
      }),
      { numRuns: 100 },
    )
  })

  it('rejects any single flipped bit of nonce or hash (POW_INVALID)', () => {
    fc.assert(
      fc.property(mined, fc.nat(), fc.boolean(), ({ b, pow }, bit, inNonce) => {
        const changed: Pow = inNonce
          ? { ...pow, nonce: flipHexBit(pow.nonce, bit % 64) }
          : { ...pow, hash: flipHexBit(pow.hash, bit % 256) }
        expectCode(verifyPow(b, changed), ErrorCode.POW_INVALID, JSON.stringify(changed))
      }),
      { numRuns: 200 },
    )
  })

  it('rejects a claim above the hash’s zero bits (POW_BITS_OVERSTATED), with both counts', () => {
    fc.assert(
      fc.property(mined, fc.integer({ min: 1, max: 256 }), ({ b, pow }, extra) => {
        const actual = leadingZeroBits(Buffer.from(pow.hash, 'hex'))
        const claimed = Math.min(256, actual + extra)
        fc.pre(claimed > actual)
        const result = verifyPow(b, { ...pow, bits: claimed })
        expectCode(result, ErrorCode.POW_BITS_OVERSTATED)
        if (!result.ok) assert.deepEqual(result.error.details, { claimed, actual })
      }),
    )
  })

  it('enforces minBits (POW_TOO_WEAK) before hashing', () => {
    fc.assert(
      fc.property(mined, fc.integer({ min: 1, max: 256 }), ({ b, pow }, more) => {
        const required = Math.min(256, pow.bits + more)
        fc.pre(required > pow.bits)
        const result = verifyPow(b, pow, required)
        expectCode(result, ErrorCode.POW_TOO_WEAK)
        if (!result.ok) assert.deepEqual(result.error.details, { claimed: pow.bits, required })
        // cheap first: a weak claim is weak whatever the hash says
        expectCode(verifyPow(b, { ...pow, hash: '0'.repeat(64) }, required), ErrorCode.POW_TOO_WEAK)
      }),
      { numRuns: 50 },
    )
  })

  it('rejects malformed fields and a pow for another bound (POW_INVALID)', () => {
    const b = Uint8Array.of(1, 2, 3)
    const pow = mineSync(b, 4)!
    const malformed: unknown[] = [
      null,
      { ...pow, bits: -1 },
      { ...pow, bits: 257 },
      { ...pow, bits: 1.5 },
      { ...pow, bits: '4' },
      { ...pow, nonce: pow.nonce.toUpperCase().replace(/^0/, 'A') },
      { ...pow, nonce: pow.nonce.slice(1) },
      { ...pow, nonce: Number.parseInt(pow.nonce, 16) },
      { ...pow, hash: pow.hash.slice(2) },
      { ...pow, hash: `${pow.hash.slice(0, 63)}G` },
    ]
    for (const bad of malformed)
      expectCode(verifyPow(b, bad as Pow), ErrorCode.POW_INVALID, JSON.stringify(bad))
    expectCode(verifyPow(Uint8Array.of(1, 2, 4), pow), ErrorCode.POW_INVALID, 'other bound')
  })

  it('gives the same verdict from the bound’s SHA-256 as from the bound (property)', () => {
    fc.assert(
      fc.property(mined, fc.nat(), fc.integer({ min: 0, max: 3 }), ({ b, pow }, bit, change) => {
        const changed: Pow = [
          pow,
          { ...pow, nonce: flipHexBit(pow.nonce, bit % 64) },
          { ...pow, hash: flipHexBit(pow.hash, bit % 256) },
          { ...pow, bits: Math.min(256, pow.bits + 1 + (bit % 8)) },
        ][change]!
        const sha256Hex = createHash('sha256').update(b).digest('hex')
        assert.deepEqual(verifyPow({ sha256Hex }, changed, 1), verifyPow(b, changed, 1))
      }),
      { numRuns: 200 },
    )
  })
})

describe('mining and upgrading', () => {
  it('workOf is 2^bits as a bigint, and only for 0..256', () => {
    assert.equal(workOf(0), 1n)
    assert.equal(workOf(60), 1n << 60n)
    assert.equal(workOf(256), 1n << 256n)
    for (const bad of [-1, 257, 2.5, Number.NaN]) assert.throws(() => workOf(bad), RangeError)
  })

  it('mineSync starts at startNonce and gives up after maxAttempts', () => {
    const b = Uint8Array.of(9)
    const pow = mineSync(b, 6, { startNonce: 1000n })!
    assert.ok(nonceFromHex(pow.nonce) >= 1000n)
    assert.equal(mineSync(b, 40, { maxAttempts: 5000 }), undefined)
    const last = mineSync(b, 0, { startNonce: U64_MAX })!
    assert.equal(last.nonce, 'ffffffffffffffff')
  })

  it('reclaimPow re-claims luck already in the hash, and nothing more', () => {
    const b = Uint8Array.of(7, 7)
    const pow = mineSync(b, 8)!
    const actual = leadingZeroBits(Buffer.from(pow.hash, 'hex'))
    const upgraded = reclaimPow(pow, actual)!
    assert.deepEqual(upgraded, { ...pow, bits: actual })
    assert.equal(verifyPow(b, upgraded).ok, true)
    assert.equal(reclaimPow(pow, actual + 1), undefined)
  })
})
