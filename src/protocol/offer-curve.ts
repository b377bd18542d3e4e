/**
 * The rules of an offer's payout curve (docs/protocol.md §6.8): an offer either bets on answers
 * (each side at least one) or states a curve over a numeric answer (and bets on none); a curve
 * runs from 0 to 2^digits − 1 with increasing values, pays within both stakes and moves in a
 * bounded number of rounding steps, so that the contract it becomes has a bounded number of
 * CETs. Pure: nodes (through the offer rule), traders and contracts reach the same verdict.
 */
import type { OfferTerms, OracleCapability } from './messages/index.ts'

/** Most rounding steps a curve's payout moves by in all, summed over its pieces. */
export const CURVE_STEPS = 1_000

/** A broken rule: where (a JSON pointer into the offer) and why. */
export interface CurveProblem {
  path: string
  reason: string
}

/** What both sides stake: the curve pays this out in all. */
export function curveTotal(terms: Pick<OfferTerms, 'originatorAmount' | 'acceptorAmount'>): bigint {
  return BigInt(terms.originatorAmount) + BigInt(terms.acceptorAmount)
}

/**
 * The bets-or-curve rules of offer terms, in this order: without a curve each side bets on at
 * least one answer; with one, neither bets, there are no synonyms, quorum or threshold; both
 * stakes add up to a positive safe integer; the first point is at 0, values increase, none
 * above 2^digits − 1, the last at 2^digits − 1; every payout at most the total; the rounding
 * at most the total; the payout moves by 1 to {@link CURVE_STEPS} rounding steps in all.
 */
export function curveProblem(terms: OfferTerms): CurveProblem | undefined {
  const { curve } = terms
  if (!curve) {
    if (terms.originatorBets.length === 0)
      return { path: '/terms/originatorBets', reason: 'each side bets on at least one answer' }
    if (terms.acceptorBets.length === 0)
      return { path: '/terms/acceptorBets', reason: 'each side bets on at least one answer' }
    return undefined
  }
  for (const field of ['originatorBets', 'acceptorBets'] as const) {
    if (terms[field].length > 0)
      return { path: `/terms/${field}`, reason: 'an offer with a payout curve bets on no answer' }
  }
  for (const field of ['synonyms', 'quorum', 'threshold'] as const) {
    if (terms[field] !== undefined)
      return { path: `/terms/${field}`, reason: `an offer with a payout curve has no ${field}` }
  }
  const total = curveTotal(terms)
  if (total === 0n || total > BigInt(Number.MAX_SAFE_INTEGER)) {
    return {
      path: '/terms/acceptorAmount',
      reason: 'both stakes add up to the payout: more than 0, at most 2^53 − 1',
    }
  }
  const max = 2 ** curve.digits - 1
  const { points } = curve
  for (const [i, point] of points.entries()) {
    const at = `/terms/curve/points/${i}`
    if (i === 0 && point.value !== 0) return { path: `${at}/value`, reason: 'the curve starts at 0' }
    if (i > 0 && point.value <= points[i - 1]!.value)
      return { path: `${at}/value`, reason: 'values increase along the curve' }
    if (point.value > max) return { path: `${at}/value`, reason: `a value is at most 2^digits − 1 = ${max}` }
    if (BigInt(point.originator) > total)
      return { path: `${at}/originator`, reason: `a payout is at most both stakes, ${total}` }
  }
  const last = points.length - 1
  if (points[last]!.value !== max)
    return { path: `/terms/curve/points/${last}/value`, reason: `the curve ends at 2^digits − 1 = ${max}` }
  if (BigInt(curve.rounding) > total)
    return { path: '/terms/curve/rounding', reason: `the rounding is at most both stakes, ${total}` }
  const rounding = BigInt(curve.rounding)
  let steps = 0n
  for (let i = 1; i < points.length; i++) {
    const rise = BigInt(points[i]!.originator - points[i - 1]!.originator)
    steps += ((rise < 0n ? -rise : rise) + rounding - 1n) / rounding
  }
  if (steps === 0n) return { path: '/terms/curve/points', reason: 'the curve pays the same everywhere' }
  if (steps > BigInt(CURVE_STEPS)) {
    return {
      path: '/terms/curve/points',
      reason: `the payout moves by ${steps} rounding steps, more than ${CURVE_STEPS}: round coarser`,
    }
  }
  return undefined
}

/**
 * Whether the offer's way of paying fits its question's capability: a curve exactly on a
 * numeric (`schnorr-digits`) capability, of its digits; bets on any other. Returns the problem
 * or undefined. Needs the capability, so it is checked where the capability is held (admission
 * against the pool, the trader drafting the offer, both sides of a contract).
 */
export function curveCapabilityProblem(
  terms: OfferTerms,
  capability: Pick<OracleCapability, 'attestation' | 'digits'>,
): CurveProblem | undefined {
  const numeric = capability.attestation === 'schnorr-digits'
  if (numeric && !terms.curve)
    return { path: '/terms/curve', reason: 'an offer on a numeric capability states a payout curve' }
  if (!numeric && terms.curve)
    return {
      path: '/terms/curve',
      reason: 'only an offer on a numeric (schnorr-digits) capability has a curve',
    }
  if (terms.curve && terms.curve.digits !== capability.digits) {
    return {
      path: '/terms/curve/digits',
      reason: `the curve spans ${terms.curve.digits} digits, the capability answers with ${capability.digits}`,
    }
  }
  return undefined
}
