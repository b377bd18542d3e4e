/**
 * Payout curves over a numeric answer and their CETs (dlcspecs PayoutCurve.md and
 * NumericOutcome.md): a piecewise linear curve over [0, 2^n − 1], rounded to a step so that long
 * runs of values pay the same, each run of equal payout covered by the fewest aligned blocks of
 * values, and each block a prefix of base-2 digits. One CET per prefix: a 20-digit contract
 * whose payout moves in 100 steps needs a few thousand CETs instead of a million.
 *
 * The adaptor point of a prefix d_0 … d_{k−1} is the sum of its digits' attestation points
 * `Σ R_i + e(i, d_i)·P`; the oracle's digit signatures for a value whose digits start with that
 * prefix sum to its discrete logarithm, so exactly one CET completes. Pure.
 */
import { toDigits } from '../protocol/index.ts'
import { ContractError, ContractErrorCode } from './errors.ts'

/**
 * Most CETs of a contract (and adaptor signatures per message): a curve needing more is refused
 * by `mega trader offer` before it is published and by both sides of a contract.
 */
export const MAX_CETS = 8_192

/** A point of a payout curve: at `value`, the originator gets `originator` satoshis. */
export interface CurvePoint {
  value: number
  originator: number
}

/**
 * What the originator is paid for each value of an n-digit answer: linear between consecutive
 * points (the first at 0, the last at 2^n − 1, values increasing), rounded to the nearest
 * multiple of `rounding` satoshis and kept within [0, total]. The acceptor gets the rest.
 */
export interface PayoutCurve {
  digits: number
  /** Both collaterals: what the CETs pay out in all, before fees. */
  total: number
  points: CurvePoint[]
  /** Payouts are multiples of this many satoshis (dlcspecs' rounding intervals); 1 = exact. */
  rounding: number
}

/** One CET of a numeric contract: the digit prefix it covers and what it pays. */
export interface NumericCet {
  /** Leading base-2 digits, most significant first: the CET covers every value starting with them. */
  prefix: number[]
  /** First and last value covered. */
  from: number
  to: number
  originator: number
  acceptor: number
}

function invalid(message: string, path: string): ContractError {
  return new ContractError(ContractErrorCode.TERMS_MISMATCH, message, { path })
}

/**
 * A contract for difference on a price: the originator (long) gets nothing at or below `floor`,
 * everything at or above `cap`, and in between a share growing linearly with the price.
 * `long: 'acceptor'` mirrors it.
 */
export function cfdCurve(input: {
  digits: number
  total: number
  floor: number
  cap: number
  rounding: number
  long?: 'originator' | 'acceptor'
}): PayoutCurve {
  const max = 2 ** input.digits - 1
  const [low, high] = input.long === 'acceptor' ? [input.total, 0] : [0, input.total]
  const points = [
    { value: 0, originator: low },
    { value: input.floor, originator: low },
    { value: input.cap, originator: high },
    { value: max, originator: high },
  ].filter((point, i, all) => i === 0 || point.value !== all[i - 1]!.value)
  return { digits: input.digits, total: input.total, points, rounding: input.rounding }
}

/** Checks a curve's shape; throws `CONTRACT_TERMS_MISMATCH` naming the path. */
function checkCurve(curve: PayoutCurve): void {
  const { digits, total, points, rounding } = curve
  if (!Number.isInteger(digits) || digits < 1 || digits > 32)
    throw invalid('digits must be 1 to 32', '/digits')
  if (!Number.isSafeInteger(total) || total <= 0)
    throw invalid('the total must be a positive integer', '/total')
  if (!Number.isSafeInteger(rounding) || rounding < 1 || rounding > total) {
    throw invalid('rounding must be an integer from 1 to the total', '/rounding')
  }
  if (points.length < 2 || points.length > 64) throw invalid('a curve has 2 to 64 points', '/points')
  if (points[0]!.value !== 0 || points.at(-1)!.value !== 2 ** digits - 1) {
    throw invalid(`the curve runs from 0 to ${2 ** digits - 1}`, '/points')
  }
  for (const [i, point] of points.entries()) {
    if (!Number.isSafeInteger(point.originator) || point.originator < 0 || point.originator > total) {
      throw invalid('a payout is an integer from 0 to the total', `/points/${i}/originator`)
    }
    if (!Number.isSafeInteger(point.value)) throw invalid('a value is an integer', `/points/${i}/value`)
    if (i > 0 && !(point.value > points[i - 1]!.value)) {
      throw invalid('values increase along the curve', `/points/${i}/value`)
    }
  }
}

/**
 * The originator's payout at `value` before rounding, as the fraction `num / den`: linear between
 * the points around it (beyond the last point, along the last segment). Exact rational
 * interpolation in bigint: no float drift at 2^32 values and 2^53 satoshis.
 */
export function unroundedPayoutAt(
  curve: Pick<PayoutCurve, 'points'>,
  value: number,
): { num: bigint; den: bigint } {
  const { points } = curve
  let i = 1
  while (i < points.length - 1 && points[i]!.value < value) i++
  const left = points[i - 1]!
  const right = points[i]!
  const den = BigInt(right.value - left.value)
  const num =
    BigInt(left.originator) * den + BigInt(right.originator - left.originator) * BigInt(value - left.value)
  return { num, den }
}

/** The originator's payout at `value` (an integer of the range). */
export function payoutAt(curve: PayoutCurve, value: number): number {
  const { num: numerator, den: span } = unroundedPayoutAt(curve, value)
  const step = BigInt(curve.rounding)
  const rounded = ((2n * numerator + step * span) / (2n * step * span)) * step // nearest multiple, halves up
  const clamped = rounded < 0n ? 0n : rounded > BigInt(curve.total) ? BigInt(curve.total) : rounded
  return Number(clamped)
}

/** Runs of consecutive values with one payout, in order, covering the whole range. */
export function payoutRuns(curve: PayoutCurve): Array<{ from: number; to: number; originator: number }> {
  checkCurve(curve)
  const runs: Array<{ from: number; to: number; originator: number }> = []
  for (let s = 1; s < curve.points.length; s++) {
    const start = curve.points[s - 1]!.value
    const end = curve.points[s]!.value
    let from = s === 1 ? start : start + 1
    while (from <= end) {
      const originator = payoutAt(curve, from)
      // Within a linear segment the payout is monotone: binary search for the run's last value.
      let low = from
      let high = end
      while (low < high) {
        const middle = low + Math.ceil((high - low) / 2)
        if (payoutAt(curve, middle) === originator) low = middle
        else high = middle - 1
      }
      const last = runs.at(-1)
      if (last && last.originator === originator && last.to === from - 1) last.to = low
      else runs.push({ from, to: low, originator })
      from = low + 1
    }
  }
  return runs
}

/**
 * The fewest aligned blocks covering [from, to]: each block 2^k values starting at a multiple of
 * 2^k, i.e. the values sharing their first n − k digits.
 */
export function prefixesOf(from: number, to: number, digits: number): number[][] {
  const prefixes: number[][] = []
  let start = from
  while (start <= to) {
    let size = 0
    while (size < digits && start % 2 ** (size + 1) === 0 && start + 2 ** (size + 1) - 1 <= to) size++
    prefixes.push(toDigits(Math.floor(start / 2 ** size), digits - size))
    start += 2 ** size
  }
  return prefixes
}

/**
 * The CETs of a curve, in value order: one per digit prefix of each run of equal payout. Throws
 * `CONTRACT_TERMS_MISMATCH` for a curve that pays the same everywhere (no oracle needed).
 */
export function numericCets(curve: PayoutCurve): NumericCet[] {
  const cets: NumericCet[] = []
  for (const run of payoutRuns(curve)) {
    for (const prefix of prefixesOf(run.from, run.to, curve.digits)) {
      if (prefix.length === 0) throw invalid('the curve pays the same for every value', '/points')
      const from = prefix.reduce((value, digit) => value * 2 + digit, 0) * 2 ** (curve.digits - prefix.length)
      const to = from + 2 ** (curve.digits - prefix.length) - 1
      cets.push({ prefix, from, to, originator: run.originator, acceptor: curve.total - run.originator })
    }
  }
  return cets
}

/** Index of the CET whose prefix the digits of `value` start with; -1 outside the range. */
export function cetOfValue(cets: readonly NumericCet[], value: number): number {
  let low = 0
  let high = cets.length - 1
  while (low <= high) {
    const middle = (low + high) >> 1
    const cet = cets[middle]!
    if (value < cet.from) high = middle - 1
    else if (value > cet.to) low = middle + 1
    else return middle
  }
  return -1
}
