/**
 * Matching (design §9): offers of others that are complementary to the trader's own — the same
 * fact requests, opposite answers, odds at least as good and a stake no larger than the one the
 * trader offered — ranked best first. Pure.
 */
import { offerKey } from '../protocol/message.ts'
import type { FactRequest, Offer, OfferTerms } from '../protocol/messages/index.ts'
import { requestKey } from '../protocol/verify-report.ts'

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

/**
 * Whether accepting `theirs` gives the holder of `mine` the bet `mine` asks for: same requests
 * (question and quorum) and chain; as acceptor of `theirs` we win on at least our
 * `originatorBets` and lose only on answers we offered to lose on; their payout per unit staked
 * is at least ours; and we stake no more than we offered.
 */
export function complement(mine: OfferTerms, theirs: OfferTerms): Complement {
  return complementPrepared(prepare(mine), prepare(theirs))
}

/** What matching needs of one offer's terms, computed once per offer. */
interface Prepared {
  terms: OfferTerms
  requests: string
  /** Canonical outcomes of the originator's and the acceptor's bets. */
  originatorBets: Set<string>
  acceptorBets: Set<string>
}

function prepare(terms: OfferTerms): Prepared {
  const normal = normalizer(terms)
  return {
    terms,
    requests: requestsOf(terms),
    originatorBets: new Set(terms.originatorBets.map(normal)),
    acceptorBets: new Set(terms.acceptorBets.map(normal)),
  }
}

function complementPrepared(mine: Prepared, theirs: Prepared): Complement {
  if (mine.requests !== theirs.requests) return { ok: false, reason: 'different fact requests' }
  if (mine.terms.chain !== theirs.terms.chain)
    return { ok: false, reason: `chain ${theirs.terms.chain}, not ${mine.terms.chain}` }
  for (const answer of mine.originatorBets) {
    if (!theirs.acceptorBets.has(answer)) return { ok: false, reason: `it does not pay on "${answer}"` }
  }
  for (const answer of theirs.originatorBets) {
    if (!mine.acceptorBets.has(answer)) return { ok: false, reason: `it makes us lose on "${answer}"` }
  }
  // Our odds: we stake originatorAmount to win acceptorAmount. As their acceptor we stake
  // their acceptorAmount to win their originatorAmount. Compare in integers (amounts < 2^53).
  const ourStake = BigInt(mine.terms.originatorAmount)
  const ourWin = BigInt(mine.terms.acceptorAmount)
  const theirStake = BigInt(theirs.terms.acceptorAmount)
  const theirWin = BigInt(theirs.terms.originatorAmount)
  if (theirStake === 0n || ourStake === 0n) return { ok: false, reason: 'a zero stake' }
  if (theirWin * ourStake < ourWin * theirStake) return { ok: false, reason: 'worse odds than ours' }
  if (theirStake > ourStake) return { ok: false, reason: 'asks a larger stake than ours' }
  const oddsRatio =
    ourWin === 0n ? Number.POSITIVE_INFINITY : Number(theirWin * ourStake) / Number(ourWin * theirStake)
  return { ok: true, oddsRatio, fill: Number(theirStake) / Number(ourStake) }
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
      const result = complementPrepared(candidate.prepared, prepared)
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

/** The requests an offer depends on, in a canonical order. */
function requestsOf(terms: OfferTerms): string {
  const quorum = (terms.quorum ?? []).map((request: FactRequest) => requestKey(request)).sort()
  return JSON.stringify([requestKey(terms.question), quorum])
}

/** Maps an answer to its canonical outcome under the offer's synonyms. */
function normalizer(terms: OfferTerms): (answer: string) => string {
  const canonical = new Map<string, string>()
  for (const { answer, synonyms } of terms.synonyms ?? []) {
    for (const synonym of synonyms) canonical.set(synonym, answer)
  }
  return (answer) => canonical.get(answer) ?? answer
}
