import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import fc from 'fast-check'
import { formatBits, identityScore, identityStrength, workToBits } from '../../../src/protocol/score.ts'

describe('strength and score', () => {
  it('adds work, not bits', () => {
    // 2^20 + 2^20 = 2^21: two equal proofs are worth one more bit, not double the bits.
    assert.equal(identityStrength(20, [20]), 2n ** 21n)
    assert.equal(workToBits(identityStrength(20, [20])), 21)
    assert.equal(identityScore(2n ** 21n, [20, 20]), 0n)
  })

  it('shows negative scores as negative bits', () => {
    assert.equal(workToBits(identityScore(2n ** 10n, [12])), -Math.log2(3 * 2 ** 10))
    assert.equal(formatBits(-(2n ** 30n)), '-30.00 bits')
    assert.equal(workToBits(0n), 0)
  })

  it('stays exact far beyond 2^53 and round-trips add/remove (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 200 }), { maxLength: 50 }),
        fc.integer({ min: 0, max: 200 }),
        (bits, base) => {
          const strength = identityStrength(base, bits)
          assert.equal(identityScore(strength, bits), 2n ** BigInt(base))
          assert.ok(Math.abs(workToBits(2n ** BigInt(base)) - base) < 1e-9)
        },
      ),
    )
  })
})
