/**
 * Identity strength and score (design §4), in work units.
 *
 * Work is `2^bits`. Sums and differences are kept as `bigint` so that adding and later
 * removing an entry restores exactly the previous value (floating-point sums drift, and a
 * node restart must restore exactly the same ranking). People see `bits` = log2(work).
 */
import { workOf } from './pow.ts'

/** strength = work(oracle id) + Σ work(capabilities). */
export function identityStrength(oracleBits: number, capabilityBits: readonly number[]): bigint {
  let strength = workOf(oracleBits)
  for (const bits of capabilityBits) strength += workOf(bits)
  return strength
}

/** score = strength − Σ work(reports that count). May be negative. */
export function identityScore(strength: bigint, countedReportBits: readonly number[]): bigint {
  let score = strength
  for (const bits of countedReportBits) score -= workOf(bits)
  return score
}

/**
 * log2 of an amount of work, for display: `2^20 → 20`, `3·2^20 → 21.58`. Negative work
 * (a score below zero) maps to `-log2(|work|)`, zero to 0.
 */
export function workToBits(work: bigint): number {
  if (work === 0n) return 0
  if (work < 0n) return -workToBits(-work)
  const length = work.toString(2).length
  // Keep the top 53 bits: exact enough for display, and Math.log2 needs a finite double.
  const shift = Math.max(0, length - 53)
  return Math.log2(Number(work >> BigInt(shift))) + shift
}

/** `workToBits` rounded for people: `"21.58 bits"`. */
export function formatBits(work: bigint, digits = 2): string {
  return `${workToBits(work).toFixed(digits)} bits`
}
