/**
 * A contract on an offer with a quorum of oracles (k of n requests, docs/protocol.md §6.8): one
 * CET per outcome, and per CET one adaptor signature for every way k requests can agree on its
 * outcome. Both sides derive the outcomes, the combinations and their order from the offer and
 * the n capabilities alone (docs/contracts.md §Quorum contracts); nothing here trusts the other
 * side's list.
 */
import { secp256k1 } from '@noble/curves/secp256k1.js'
import {
  type Commitment,
  factDigest,
  type OfferTerms,
  type OracleCapability,
  offerRequests,
  outcomeMap,
  outcomePoint,
  quorumThreshold,
  sideOfOutcome,
} from '../protocol/index.ts'
import { ContractError, ContractErrorCode } from './errors.ts'
import type { PayoutMessage } from './messages.ts'

/**
 * Most adaptor signatures a quorum contract may need per side. Each is made by one side and
 * verified by the other (about 1 ms and 1.3 ms on a loaded 2-core machine), and travels as 162
 * bytes (324 hex digits) in each message: 4 096 keep a step under half a minute and a message
 * under 1.4 MB (docs/contracts.md §Quorum contracts).
 */
export const MAX_QUORUM_COMBINATIONS = 4_096

/** One way k requests agree on an outcome: the requests (ascending) and each one's answer. */
export interface QuorumCombination {
  /** Index of the outcome's CET. */
  cet: number
  /** Indices of the k requests (0 = the question, then the quorum), ascending. */
  requests: number[]
  /** Per request of `requests`, its answer (mapping to the outcome). */
  answers: string[]
}

/** What both sides derive from the offer and the n capabilities. */
export interface QuorumPlan {
  /** The outcomes with at least one combination, in CET order. */
  outcomes: string[]
  /** Every combination, in the order of the `cetSignatures`. */
  combinations: QuorumCombination[]
}

/** The k-subsets of 0 … n − 1, each ascending, in lexicographic order. */
export function subsetsOf(n: number, k: number): number[][] {
  const subsets: number[][] = []
  const walk = (start: number, chosen: number[]) => {
    if (chosen.length === k) {
      subsets.push(chosen)
      return
    }
    for (let i = start; i <= n - (k - chosen.length); i++) walk(i + 1, [...chosen, i])
  }
  walk(0, [])
  return subsets
}

/**
 * The outcomes and combinations of a quorum offer, given each request's answers (its
 * capability's, in the capability's order). Outcomes are the mapped answers of the question,
 * then those of each quorum request new so far, in order; an outcome no k requests can reach
 * has no combination and no CET (the refund settles it). Combinations run outcome by outcome,
 * then over the k-subsets in lexicographic order, then over the answers mapping to the outcome,
 * each request's in its capability's order, the subset's first request varying slowest.
 * Refuses more than {@link MAX_QUORUM_COMBINATIONS} with `CONTRACT_TOO_LARGE`, before listing them.
 */
export function quorumPlan(terms: OfferTerms, answersOf: readonly (readonly string[])[]): QuorumPlan {
  const requests = offerRequests(terms)
  const map = outcomeMap(terms)
  const k = quorumThreshold(terms)
  const order: string[] = []
  const byOutcome = requests.map(() => new Map<string, string[]>())
  for (const [j, request] of requests.entries()) {
    for (const answer of answersOf[j] ?? []) {
      const outcome = map(request.capability, answer)
      if (!order.includes(outcome)) order.push(outcome)
      const list = byOutcome[j]!.get(outcome) ?? []
      list.push(answer)
      byOutcome[j]!.set(outcome, list)
    }
  }
  const subsets = subsetsOf(requests.length, k)
  const answersFor = (j: number, outcome: string) => byOutcome[j]!.get(outcome) ?? []
  let count = 0
  for (const outcome of order) {
    for (const subset of subsets)
      count += subset.reduce((product, j) => product * answersFor(j, outcome).length, 1)
  }
  if (count > MAX_QUORUM_COMBINATIONS) {
    throw new ContractError(
      ContractErrorCode.TOO_LARGE,
      `${k} of ${requests.length} requests can agree in ${count} ways, more than ${MAX_QUORUM_COMBINATIONS} adaptor signatures per side: merge fewer answers with synonyms or lower the number of requests`,
      { path: '/offer/terms/synonyms', combinations: count, limit: MAX_QUORUM_COMBINATIONS },
    )
  }
  const outcomes: string[] = []
  const combinations: QuorumCombination[] = []
  for (const outcome of order) {
    const cet = outcomes.length
    const before = combinations.length
    for (const subset of subsets) {
      const walk = (at: number, answers: string[]) => {
        if (at === subset.length) {
          combinations.push({ cet, requests: subset, answers })
          return
        }
        for (const answer of answersFor(subset[at]!, outcome)) walk(at + 1, [...answers, answer])
      }
      walk(0, [])
    }
    if (combinations.length > before) outcomes.push(outcome)
  }
  return { outcomes, combinations }
}

/**
 * The payout of each outcome: the pot to the side whose bets map to it, each stake back on an
 * outcome neither side bet on.
 */
export function quorumPayouts(terms: OfferTerms, outcomes: readonly string[]): PayoutMessage[] {
  const side = sideOfOutcome(terms)
  const { originatorAmount, acceptorAmount } = terms
  const total = originatorAmount + acceptorAmount
  return outcomes.map((answer) => {
    const wins = side(answer)
    if (wins === 'originator') return { answer, originator: total, acceptor: 0 }
    if (wins === 'acceptor') return { answer, originator: 0, acceptor: total }
    return { answer, originator: originatorAmount, acceptor: acceptorAmount }
  })
}

/** Each request's capability answers, checked to be the capabilities of the requests, in order. */
export function answersOfCapabilities(
  terms: OfferTerms,
  capabilities: readonly OracleCapability[],
): string[][] {
  const requests = offerRequests(terms)
  return requests.map((request, j) => {
    const capability = capabilities[j]
    if (
      !capability ||
      capability.capabilityKey !== request.capability ||
      capability.attestation !== 'schnorr'
    ) {
      throw new ContractError(
        ContractErrorCode.COMMITMENT_INVALID,
        `request ${j} needs the Schnorr capability ${request.capability}`,
        { path: j === 0 ? '/offer/terms/question' : `/offer/terms/quorum/${j - 1}` },
      )
    }
    return capability.answers
  })
}

/** The 32-byte message each oracle of a combination signs, in the combination's request order. */
export function combinationMessages(
  combination: QuorumCombination,
  commitments: readonly Commitment[],
): Uint8Array[] {
  return combination.requests.map((j, i) => factDigest(commitments[j]!.request, combination.answers[i]!))
}

/**
 * The adaptor point of a combination from the commitments alone: Σ_{j∈S} (R_j + e_j(a_j)·P_j),
 * the sum of each request's attestation point for its answer (compressed, hex).
 */
export function combinationPoint(combination: QuorumCombination, commitments: readonly Commitment[]): string {
  return combinationPoints([combination], commitments)[0]!
}

/**
 * {@link combinationPoint} of every combination, each request's attestation point computed once
 * per answer (a combination repeats them: the scalar multiplications dominate otherwise).
 */
export function combinationPoints(
  combinations: readonly QuorumCombination[],
  commitments: readonly Commitment[],
): string[] {
  const attestation = new Map<string, ReturnType<typeof secp256k1.Point.fromHex>>()
  const pointOf = (j: number, answer: string) => {
    const key = `${j}\u0000${answer}`
    let point = attestation.get(key)
    if (!point) {
      point = secp256k1.Point.fromHex(outcomePoint(commitments[j]!, answer))
      attestation.set(key, point)
    }
    return point
  }
  return combinations.map((combination) =>
    combination.requests
      .reduce((sum, j, i) => sum.add(pointOf(j, combination.answers[i]!)), secp256k1.Point.ZERO)
      .toHex(true),
  )
}
