/**
 * How an offer settles (docs/protocol.md §6.8): the n requests that decide it (the question and
 * the quorum), how many of them must agree (k of n, a strict majority), how each oracle's answer
 * maps into the offer's outcomes (synonyms), and — given signed facts — whether the offer is
 * settled and which side wins. Pure: the message rules, matching and the trader's settlement
 * check all use these, so the three reach the same verdict on the same bytes.
 */
import type { Fact, FactRequest, OfferTerms } from './messages/index.ts'
import { curveProblem } from './offer-curve.ts'
import { verifySignatures } from './sign.ts'
import { requestKey } from './verify-report.ts'

/** Who an outcome pays: a side of the offer, or nobody (an answer neither side bet on). */
export type Side = 'originator' | 'acceptor' | 'void'

/** The requests deciding an offer: the question first, then the quorum in order. */
export function offerRequests(terms: OfferTerms): FactRequest[] {
  return [terms.question, ...(terms.quorum ?? [])]
}

/** k: how many requests must agree on an outcome; n (all of them) when `threshold` is absent. */
export function quorumThreshold(terms: OfferTerms): number {
  return terms.threshold ?? offerRequests(terms).length
}

/** Maps a fact's answer, given its capability key, to the offer's outcome. */
export type OutcomeMap = (capability: string, answer: string) => string

/**
 * The offer's synonyms as a function: a synonym scoped to the fact's capability first, then an
 * unscoped one, else the answer itself. One step: the outcome is not mapped again.
 */
export function outcomeMap(terms: OfferTerms): OutcomeMap {
  const scoped = new Map<string, Map<string, string>>()
  for (const { answer, synonyms, capability } of terms.synonyms ?? []) {
    const scope = capability ?? ''
    const map = scoped.get(scope) ?? new Map<string, string>()
    for (const synonym of synonyms) if (!map.has(synonym)) map.set(synonym, answer)
    scoped.set(scope, map)
  }
  const unscoped = scoped.get('')
  return (capability, answer) => scoped.get(capability)?.get(answer) ?? unscoped?.get(answer) ?? answer
}

/** Which side each outcome pays: bets are answers of the question's capability, mapped. */
export function sideOfOutcome(
  terms: OfferTerms,
  map: OutcomeMap = outcomeMap(terms),
): (outcome: string) => Side {
  const capability = terms.question.capability
  const originator = new Set(terms.originatorBets.map((bet) => map(capability, bet)))
  const acceptor = new Set(terms.acceptorBets.map((bet) => map(capability, bet)))
  return (outcome) => (originator.has(outcome) ? 'originator' : acceptor.has(outcome) ? 'acceptor' : 'void')
}

/** A broken settlement rule of offer terms: where (a JSON pointer into the offer) and why. */
export interface TermsProblem {
  path: string
  reason: string
}

/**
 * The settlement rules of offer terms, in this order: bets or a payout curve (`curveProblem`,
 * offer-curve.ts); requests name distinct capabilities; the
 * threshold is at most n and a strict majority of it; a synonym's `capability` is one of the
 * requests'; no value is mapped twice in one scope; no outcome is bet on by both sides.
 */
export function termsProblem(terms: OfferTerms): TermsProblem | undefined {
  const curve = curveProblem(terms)
  if (curve) return curve
  const requests = offerRequests(terms)
  const capabilities = new Set<string>()
  for (const [index, request] of requests.entries()) {
    if (capabilities.has(request.capability)) {
      return {
        path: `/terms/quorum/${index - 1}/capability`,
        reason: `capability ${request.capability} decides the offer twice: each request needs its own`,
      }
    }
    capabilities.add(request.capability)
  }
  const n = requests.length
  const k = quorumThreshold(terms)
  if (k > n) return { path: '/terms/threshold', reason: `${k} of ${n}: the offer has only ${n} requests` }
  if (2 * k <= n)
    return { path: '/terms/threshold', reason: `${k} of ${n} is not a majority (needs more than ${n / 2})` }
  const mapped = new Set<string>()
  for (const [index, { synonyms, capability }] of (terms.synonyms ?? []).entries()) {
    if (capability !== undefined && !capabilities.has(capability)) {
      return {
        path: `/terms/synonyms/${index}/capability`,
        reason: `capability ${capability} is not one of the offer's requests`,
      }
    }
    for (const [position, synonym] of synonyms.entries()) {
      const key = JSON.stringify([capability ?? '', synonym])
      if (mapped.has(key))
        return {
          path: `/terms/synonyms/${index}/synonyms/${position}`,
          reason: `"${synonym}" is mapped twice`,
        }
      mapped.add(key)
    }
  }
  const map = outcomeMap(terms)
  const capability = terms.question.capability
  const originator = new Set(terms.originatorBets.map((bet) => map(capability, bet)))
  const both = terms.acceptorBets.find((bet) => originator.has(map(capability, bet)))
  if (both !== undefined)
    return { path: '/terms/acceptorBets', reason: `"${both}" is bet on by both sides (after synonyms)` }
  return undefined
}

/** What the facts say about one request of an offer. */
export interface RequestVerdict {
  request: FactRequest
  /** `answered`: one answer; `missing`: no fact; `conflicting`: signed facts with different answers. */
  status: 'answered' | 'missing' | 'conflicting'
  /** The distinct answers of its valid facts. */
  answers: string[]
  /** The answer mapped into the offer's outcomes (when `answered`). */
  outcome?: string
}

/** Whether, and how, an offer is settled by a set of facts. */
export interface Settlement {
  /**
   * `settled`: k requests agree on one outcome (final: with k a majority no other outcome can
   * reach k). `pending`: not yet, but requests still missing could make it. `deadlocked`: no
   * outcome can reach k any more.
   */
  status: 'settled' | 'pending' | 'deadlocked'
  threshold: number
  requests: RequestVerdict[]
  /** Requests agreeing on each outcome, most first. */
  tally: { outcome: string; requests: number }[]
  outcome?: string
  winner?: Side
  /** Facts not counted: no request of the offer, a bad signature, or not an answer of its capability. */
  ignored: number
}

/**
 * Settles `terms` from `facts`. A fact counts for the request it answers (same capability and
 * arguments; the invoice is not compared) when its signature by the capability key verifies
 * and, when `answersOf` knows the capability, its answer is one of the capability's answers.
 * A request whose valid facts disagree counts for no outcome (its oracle equivocated).
 */
export function settleOffer(
  terms: OfferTerms,
  facts: readonly Fact[],
  answersOf: (capability: string) => readonly string[] | undefined = () => undefined,
): Settlement {
  const requests = offerRequests(terms)
  const answers = new Map<string, Set<string>>(requests.map((request) => [requestKey(request), new Set()]))
  let ignored = 0
  for (const fact of facts) {
    const held = answers.get(requestKey(fact.request))
    const known = answersOf(fact.request.capability)
    if (!held || !verifySignatures(fact).ok || (known && !known.includes(fact.answer))) {
      ignored++
      continue
    }
    held.add(fact.answer)
  }
  const map = outcomeMap(terms)
  const counts = new Map<string, number>()
  let missing = 0
  const verdicts = requests.map((request): RequestVerdict => {
    const given = [...answers.get(requestKey(request))!]
    if (given.length === 0) {
      missing++
      return { request, status: 'missing', answers: given }
    }
    if (given.length > 1) return { request, status: 'conflicting', answers: given }
    const outcome = map(request.capability, given[0]!)
    counts.set(outcome, (counts.get(outcome) ?? 0) + 1)
    return { request, status: 'answered', answers: given, outcome }
  })
  const tally = [...counts]
    .map(([outcome, agreeing]) => ({ outcome, requests: agreeing }))
    .sort((a, b) => b.requests - a.requests || (a.outcome < b.outcome ? -1 : 1))
  const threshold = quorumThreshold(terms)
  const base = { threshold, requests: verdicts, tally, ignored }
  const leader = tally[0]
  if (leader && leader.requests >= threshold) {
    return {
      status: 'settled',
      ...base,
      outcome: leader.outcome,
      winner: sideOfOutcome(terms, map)(leader.outcome),
    }
  }
  return { status: (leader?.requests ?? 0) + missing >= threshold ? 'pending' : 'deadlocked', ...base }
}
