/**
 * Offers: drafting one on a capability (checked as nodes will check it), and the signed stage
 * updates — acceptance by a counterparty (seqNo 1), finalization by the originator (seqNo 2).
 * Pure (platform-neutral: the CLI and the browser trader share it); mining and posting happen at
 * the edge.
 */
import { MAX_CETS, numericCets } from '../contracts/numeric.ts'
import {
  curveCapabilityProblem,
  type Draft,
  type FactRequest,
  type Offer,
  type OfferCurve,
  type OfferTerms,
  type OracleCapability,
  offerKey,
  offerStage,
  publicKeyOf,
  type Scheme,
  signAcceptance,
  signFinalization,
  termsProblem,
  toHex,
} from '../protocol/index.ts'
import { TraderError, TraderErrorCode } from './errors.ts'
import { seal } from './seal.ts'

/** A trader's key. */
export interface TraderKey {
  scheme: Scheme
  secretKey: string
  publicKey: string
}

/**
 * Checks that a request fits a capability: every parameter given one of its allowed values,
 * no other arguments. Returns the problem as a sentence, or undefined.
 */
export function requestProblem(request: FactRequest, capability: OracleCapability): string | undefined {
  for (const param of capability.params) {
    const value = request.args[param.name]
    if (value === undefined) return `--arg ${param.name}=… is required (one of ${param.values.join(', ')})`
    if (!param.values.includes(value))
      return `--arg ${param.name} must be one of ${param.values.join(', ')}, got "${value}"`
  }
  const extra = Object.keys(request.args).find(
    (name) => !capability.params.some((param) => param.name === name),
  )
  if (extra !== undefined)
    return `"${extra}" is not a parameter of the capability (${capability.params.map((p) => p.name).join(', ') || 'none'})`
  return undefined
}

/** Fields of a new offer the trader chooses. */
export interface OfferInit {
  capability: OracleCapability
  args: Record<string, string>
  /**
   * Answers on which we win; the acceptor wins on the capability's other answers unless
   * `acceptorBets` says. Empty with a `curve`.
   */
  bets: string[]
  acceptorBets?: string[]
  amount: number
  acceptorAmount: number
  chain: string
  contact: string
  expires: number
  quorum?: FactRequest[]
  /** k of the n requests that must agree (default all). */
  threshold?: number
  synonyms?: OfferTerms['synonyms']
  /** A numeric capability's payout curve (what we are paid at each value), in place of bets. */
  curve?: OfferCurve
}

/** The unsigned, unmined open offer; throws `OFFER_STATE` for terms nodes would refuse. */
export function offerDraft(init: OfferInit, key: TraderKey): Draft<Offer> {
  const { capability } = init
  const request: FactRequest = { capability: capability.capabilityKey, args: init.args }
  const problem = requestProblem(request, capability)
  if (problem) throw new TraderError(TraderErrorCode.OFFER_STATE, problem)
  const acceptorBets = init.curve
    ? []
    : (init.acceptorBets ?? capability.answers.filter((answer) => !init.bets.includes(answer)))
  for (const answer of [...init.bets, ...acceptorBets]) {
    if (!capability.answers.includes(answer)) {
      throw new TraderError(
        TraderErrorCode.OFFER_STATE,
        `"${answer}" is not an answer of the capability (${capability.answers.join(', ')})`,
      )
    }
  }
  if (!init.curve && (init.bets.length === 0 || acceptorBets.length === 0))
    throw new TraderError(TraderErrorCode.OFFER_STATE, 'each side must bet on at least one answer')
  const terms: OfferTerms = {
    originator: key.publicKey,
    scheme: key.scheme,
    nonce: toHex(globalThis.crypto.getRandomValues(new Uint8Array(8))),
    expires: init.expires,
    question: request,
    ...(init.quorum && { quorum: init.quorum }),
    ...(init.threshold !== undefined && { threshold: init.threshold }),
    ...(init.synonyms && { synonyms: init.synonyms }),
    originatorBets: init.curve ? [] : init.bets,
    acceptorBets,
    ...(init.curve && { curve: init.curve }),
    originatorAmount: init.amount,
    acceptorAmount: init.acceptorAmount,
    chain: init.chain,
    contact: init.contact,
  }
  // The settlement rules nodes apply (protocol checkMessageRules), said before any work.
  const broken = termsProblem(terms) ?? curveCapabilityProblem(terms, capability)
  if (broken) throw new TraderError(TraderErrorCode.OFFER_STATE, `${broken.path} ${broken.reason}`)
  if (init.curve) {
    // Within the offer rule's bound a curve can still need more CETs than a contract takes.
    const total = init.amount + init.acceptorAmount
    const cets = numericCets({ ...init.curve, total }).length
    if (cets > MAX_CETS) {
      throw new TraderError(
        TraderErrorCode.OFFER_STATE,
        `the curve needs ${cets} CETs, more than a contract takes (${MAX_CETS}): round coarser`,
      )
    }
  }
  return { kind: 'offer', terms, seqNo: 0 }
}

/**
 * Accepts an open offer (seqNo 1), signed by `key`; `details`, when given, are sealed for the
 * originator. Throws `OFFER_STATE` when the offer is not open, expired, or our own.
 */
export async function acceptOffer(
  offer: Offer,
  key: TraderKey,
  contact: string,
  now: number,
  details?: string,
): Promise<Offer> {
  if (offerStage(offer) !== 0) throw stateError(offer, 'is not open')
  if (offer.terms.expires < now) throw stateError(offer, 'has expired')
  if (offer.terms.originator === key.publicKey)
    throw stateError(offer, 'is our own: it cannot be accepted by us')
  const sealed =
    details === undefined ? undefined : await seal(details, offer.terms.originator, offer.terms.scheme)
  return signAcceptance(
    {
      ...offer,
      seqNo: 1,
      acceptance: {
        acceptor: key.publicKey,
        scheme: key.scheme,
        contact,
        ...(sealed !== undefined && { sealed }),
      },
    },
    key.secretKey,
  )
}

/**
 * Finalizes an accepted offer of ours (seqNo 2); `details` are sealed for the acceptor.
 * Throws `OFFER_STATE` when it is not accepted or not ours.
 */
export async function finalizeOffer(offer: Offer, key: TraderKey, details?: string): Promise<Offer> {
  if (offer.terms.originator !== key.publicKey || publicKeyOf(key.scheme, key.secretKey) !== key.publicKey)
    throw stateError(offer, 'is not ours: only its originator can finalize it')
  if (offerStage(offer) !== 1 || !offer.acceptance) throw stateError(offer, 'is not at the accepted stage')
  const sealed =
    details === undefined
      ? undefined
      : await seal(details, offer.acceptance.acceptor, offer.acceptance.scheme)
  return signFinalization(
    { ...offer, seqNo: 2, finalization: { ...(sealed !== undefined && { sealed }) } },
    key.secretKey,
  )
}

function stateError(offer: Offer, what: string): TraderError {
  return new TraderError(TraderErrorCode.OFFER_STATE, `offer ${offerKey(offer).slice(0, 16)}… ${what}`, {
    offer: offerKey(offer),
  })
}
