/**
 * Matching (design §9): offers of others that are complementary to the trader's own — settled
 * by the same requests alike (quorum, threshold, synonyms: protocol/settlement.ts), opposite
 * answers (or, on a numeric question, a mirror payout curve), odds at least as good and a stake
 * no larger than the one the trader offered — ranked best first. Pure.
 */
import { unroundedPayoutAt } from '../contracts/numeric.ts'
import {
  type Offer,
  type OfferTerms,
  type OutcomeMap,
  offerKey,
  offerRequests,
  outcomeMap,
  quorumThreshold,
  requestKey,
  type Side,
  sideOfOutcome,
} from '../protocol/index.ts'

/** Why two offers do or do not match. */
export type Complement =
  | {
      ok: true
      /** Their odds over ours: 1 = exactly what we asked, above 1 better for us. */
      oddsRatio: number
      /** Their acceptor stake over our stake: how much of what we wanted to bet this fills (≤ 1). */
      fill: number
    }
  | { ok: false; reason: string }

/** The answers a capability can give, when its ad is known. */
export type AnswersOf = (capability: string) => readonly string[] | undefined

/**
 * Whether accepting `theirs` gives the holder of `mine` the bet `mine` asks for. Both must
 * settle alike: the same set of requests (which one is the question does not matter), the same
 * threshold and chain, and synonyms that group every possible answer of every request into the
 * same outcomes. Then, outcome by outcome, as acceptor of `theirs` we win wherever `mine` wins
 * and lose only where `mine` offered to lose; their payout per unit staked is at least ours;
 * and we stake no more than we offered. The possible answers of a request are its capability's
 * (`answersOf`) when known, else every value either offer names.
 */
export function complement(
  mine: OfferTerms,
  theirs: OfferTerms,
  answersOf: AnswersOf = () => undefined,
): Complement {
  return complementPrepared(prepare(mine), prepare(theirs), answersOf)
}

/** What matching needs of one offer's terms, computed once per offer. */
interface Prepared {
  terms: OfferTerms
  /** The request set and threshold: offers settle alike only when these are equal. */
  requests: string
  capabilities: string[]
  map: OutcomeMap
  side: (outcome: string) => Side
  /** Every answer value the terms name (bets and synonyms). */
  values: string[]
}

function prepare(terms: OfferTerms): Prepared {
  const map = outcomeMap(terms)
  return {
    terms,
    requests: requestsOf(terms),
    capabilities: offerRequests(terms).map((request) => request.capability),
    map,
    side: sideOfOutcome(terms, map),
    values: [
      ...terms.originatorBets,
      ...terms.acceptorBets,
      ...(terms.synonyms ?? []).flatMap(({ answer, synonyms }) => [answer, ...synonyms]),
    ],
  }
}

function complementPrepared(mine: Prepared, theirs: Prepared, answersOf: AnswersOf): Complement {
  if (mine.requests !== theirs.requests) return { ok: false, reason: 'different fact requests or threshold' }
  if (mine.terms.chain !== theirs.terms.chain)
    return { ok: false, reason: `chain ${theirs.terms.chain}, not ${mine.terms.chain}` }
  if (mine.terms.curve || theirs.terms.curve) {
    const mirrored = mirrorProblem(mine.terms, theirs.terms)
    if (mirrored) return { ok: false, reason: mirrored }
    return oddsOf(mine.terms, theirs.terms)
  }
  const outcomes = pairOutcomes(mine, theirs, answersOf)
  if (!outcomes.ok) return outcomes
  for (const [ours, their] of outcomes.pairs) {
    if (mine.side(ours) === 'originator' && theirs.side(their) !== 'acceptor')
      return { ok: false, reason: `it does not pay on "${ours}"` }
  }
  for (const [ours, their] of outcomes.pairs) {
    if (theirs.side(their) === 'originator' && mine.side(ours) !== 'acceptor')
      return { ok: false, reason: `it makes us lose on "${ours}"` }
  }
  return oddsOf(mine.terms, theirs.terms)
}

/**
 * Odds and stake: as their acceptor we stake no more than we offered and win at least as much
 * per unit staked.
 */
function oddsOf(mine: OfferTerms, theirs: OfferTerms): Complement {
  // Our odds: we stake originatorAmount to win acceptorAmount. As their acceptor we stake
  // their acceptorAmount to win their originatorAmount. Compare in integers (amounts < 2^53).
  const ourStake = BigInt(mine.originatorAmount)
  const ourWin = BigInt(mine.acceptorAmount)
  const theirStake = BigInt(theirs.acceptorAmount)
  const theirWin = BigInt(theirs.originatorAmount)
  if (theirStake === 0n || ourStake === 0n) return { ok: false, reason: 'a zero stake' }
  if (theirWin * ourStake < ourWin * theirStake) return { ok: false, reason: 'worse odds than ours' }
  if (theirStake > ourStake) return { ok: false, reason: 'asks a larger stake than ours' }
  const oddsRatio =
    ourWin === 0n ? Number.POSITIVE_INFINITY : Number(theirWin * ourStake) / Number(ourWin * theirStake)
  return { ok: true, oddsRatio, fill: Number(theirStake) / Number(ourStake) }
}

/**
 * Why accepting their curve offer does not pay us at least what our curve offer asks, or
 * undefined: both state curves of the same digits and rounding, and at every value our gain as
 * their acceptor (their stake minus their curve's payout to them) is at least our gain in ours
 * (our curve's payout minus our stake). Both curves are linear between their points, so the
 * difference is too, between the points of either: comparing there, exactly in rationals before
 * rounding, covers every value.
 */
function mirrorProblem(mine: OfferTerms, theirs: OfferTerms): string | undefined {
  const ours = mine.curve
  const their = theirs.curve
  if (!ours || !their) return 'a payout curve against bets on answers'
  if (ours.digits !== their.digits || ours.rounding !== their.rounding)
    return `a curve of ${their.digits} digits rounded to ${their.rounding}, not ${ours.digits} and ${ours.rounding}`
  const bound = BigInt(theirs.originatorAmount) + BigInt(mine.originatorAmount)
  const values = [...new Set([...ours.points, ...their.points].map((point) => point.value))]
  for (const value of values.sort((a, b) => a - b)) {
    const a = unroundedPayoutAt(ours, value)
    const b = unroundedPayoutAt(their, value)
    // ours(v) + theirs(v) ≤ their stake + ours, as fractions a.num/a.den + b.num/b.den.
    if (a.num * b.den + b.num * a.den > bound * a.den * b.den) return `it pays us less at ${value}`
  }
  return undefined
}

/**
 * Each outcome of ours with the outcome of theirs it is in every case, or why there is none:
 * two answers one offer counts as one outcome and the other as two would let one set of facts
 * settle one offer and leave the other pending.
 */
function pairOutcomes(
  mine: Prepared,
  theirs: Prepared,
  answersOf: AnswersOf,
): { ok: true; pairs: Map<string, string> } | { ok: false; reason: string } {
  const pairs = new Map<string, string>()
  const back = new Map<string, string>()
  const named = [...new Set([...mine.values, ...theirs.values])]
  for (const capability of mine.capabilities) {
    for (const answer of answersOf(capability) ?? named) {
      const ours = mine.map(capability, answer)
      const their = theirs.map(capability, answer)
      if ((pairs.get(ours) ?? their) !== their || (back.get(their) ?? ours) !== ours) {
        return {
          ok: false,
          reason: `synonyms differ: "${answer}" of capability ${capability.slice(0, 8)}… counts as "${ours}" for us, "${their}" for them`,
        }
      }
      pairs.set(ours, their)
      back.set(their, ours)
    }
  }
  return { ok: true, pairs }
}

/** A candidate: their open offer and which of our offers it complements. */
export interface Match {
  key: string
  offer: Offer
  mine: string
  oddsRatio: number
  fill: number
}

/**
 * Open, unexpired offers of others that complement one of `mine`, best first: better odds,
 * then a fuller stake, then more work, then key (a stable order).
 */
export function findMatches(
  mine: readonly Offer[],
  others: readonly Offer[],
  ownKeys: ReadonlySet<string>,
  now: number,
  answersOf: AnswersOf = () => undefined,
): Match[] {
  // Our open offers by the requests they are on: a candidate is only compared with those.
  const ours = new Map<string, { offer: Offer; prepared: Prepared; key: string }[]>()
  for (const offer of mine) {
    if (offer.terms.expires < now) continue
    const prepared = prepare(offer.terms)
    const group = ours.get(prepared.requests) ?? []
    group.push({ offer, prepared, key: offerKey(offer) })
    ours.set(prepared.requests, group)
  }
  const matches: Match[] = []
  const seen = new Set<string>()
  for (const theirs of others) {
    if (theirs.seqNo !== 0 || theirs.terms.expires < now || ownKeys.has(theirs.terms.originator)) continue
    const group = ours.get(requestsOf(theirs.terms))
    if (!group) continue
    const prepared = prepare(theirs.terms)
    let best: Omit<Match, 'key'> | undefined
    for (const candidate of group) {
      const result = complementPrepared(candidate.prepared, prepared, answersOf)
      if (!result.ok) continue
      const match = { offer: theirs, mine: candidate.key, oddsRatio: result.oddsRatio, fill: result.fill }
      if (!best || compareQuality(match, best) < 0) best = match
    }
    if (!best) continue
    const key = offerKey(theirs)
    if (seen.has(key)) continue
    seen.add(key)
    matches.push({ key, ...best })
  }
  return matches.sort(rank)
}

function compareQuality(a: Omit<Match, 'key'>, b: Omit<Match, 'key'>): number {
  return b.oddsRatio - a.oddsRatio || b.fill - a.fill
}

function rank(a: Match, b: Match): number {
  return (
    b.oddsRatio - a.oddsRatio ||
    b.fill - a.fill ||
    b.offer.pow.bits - a.offer.pow.bits ||
    (a.key < b.key ? -1 : a.key > b.key ? 1 : 0)
  )
}

/** The requests an offer depends on, as a set, and its threshold, canonically. */
function requestsOf(terms: OfferTerms): string {
  const keys = offerRequests(terms).map(requestKey).sort()
  return JSON.stringify([quorumThreshold(terms), keys])
}
