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
  if (requestsOf(mine) !== requestsOf(theirs)) return { ok: false, reason: 'different fact requests' }
  if (mine.chain !== theirs.chain) return { ok: false, reason: `chain ${theirs.chain}, not ${mine.chain}` }
  const ours = normalizer(mine)
  const their = normalizer(theirs)
  const weWin = new Set(theirs.acceptorBets.map(their))
  const weLose = new Set(theirs.originatorBets.map(their))
  const wanted = mine.originatorBets.map(ours)
  const conceded = new Set(mine.acceptorBets.map(ours))
  const missing = wanted.find((answer) => !weWin.has(answer))
  if (missing !== undefined) return { ok: false, reason: `it does not pay on "${missing}"` }
  const stray = [...weLose].find((answer) => !conceded.has(answer))
  if (stray !== undefined) return { ok: false, reason: `it makes us lose on "${stray}"` }
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
  const matches: Match[] = []
  const seen = new Set<string>()
  for (const theirs of others) {
    if (theirs.seqNo !== 0 || theirs.terms.expires < now || ownKeys.has(theirs.terms.originator)) continue
    const key = offerKey(theirs)
    if (seen.has(key)) continue
    let best: Match | undefined
    for (const ours of mine) {
      if (ours.terms.expires < now) continue
      const result = complement(ours.terms, theirs.terms)
      if (!result.ok) continue
      const candidate = {
        key,
        offer: theirs,
        mine: offerKey(ours),
        oddsRatio: result.oddsRatio,
        fill: result.fill,
      }
      if (!best || rank(candidate, best) < 0) best = candidate
    }
    if (best) {
      seen.add(key)
      matches.push(best)
    }
  }
  return matches.sort(rank)
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
