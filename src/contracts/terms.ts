/**
 * What a contract's terms must be, from the finalized offer, the capability and the oracle's
 * commitment alone: one payout per answer, the oracle's key and nonce, a refund after the
 * deadline. Pure: both sides run the same checks on the same bytes and reach the same verdict.
 */
import {
  canonicalize,
  checkMessageRules,
  curveCapabilityProblem,
  curveTotal,
  factDigest,
  type Offer,
  type OracleCapability,
  offerRequests,
  offerStage,
  outcomePoint,
  quorumThreshold,
  validateMessage,
  verifyMessagePow,
  verifySignatures,
} from '../protocol/index.ts'
import type { DigitAnnouncement, OracleAnnouncement, QuorumSignatureCheck } from './dlc.ts'
import { ContractError, ContractErrorCode } from './errors.ts'
import { type ContractOffer, deadlineOf, type PayoutMessage } from './messages.ts'
import { MAX_CETS, type NumericCet, numericCets, type PayoutCurve } from './numeric.ts'
import { planNumericContract } from './numeric-contract.ts'
import {
  answersOfCapabilities,
  combinationMessages,
  combinationPoints,
  type QuorumPlan,
  quorumPayouts,
  quorumPlan,
} from './quorum.ts'

/** Shortest delay between the commitment's deadline and the refund: the oracle's time to attest. */
export const MIN_REFUND_DELAY = 3_600
/** Refund delay proposed when none is given: a week after the deadline. */
export const DEFAULT_REFUND_DELAY = 7 * 86_400

function mismatch(message: string, path: string): ContractError {
  return new ContractError(ContractErrorCode.TERMS_MISMATCH, message, { path })
}

/**
 * The payout of every answer of `capability`, in its order: the whole pot (both stakes) to the
 * originator on its bets, to the acceptor on theirs, and each stake back on an answer neither
 * bet on (a draw, an unknown). Synonyms count as the answer they stand for.
 */
export function payoutsOf(offer: Offer, capability: OracleCapability): PayoutMessage[] {
  const { originatorAmount, acceptorAmount } = offer.terms
  const total = originatorAmount + acceptorAmount
  const meaning = new Map<string, string>()
  for (const entry of offer.terms.synonyms ?? [])
    for (const synonym of entry.synonyms) meaning.set(synonym, entry.answer)
  return capability.answers.map((answer) => {
    const outcome = meaning.get(answer) ?? answer
    if (offer.terms.originatorBets.includes(outcome)) return { answer, originator: total, acceptor: 0 }
    if (offer.terms.acceptorBets.includes(outcome)) return { answer, originator: 0, acceptor: total }
    return { answer, originator: originatorAmount, acceptor: acceptorAmount }
  })
}

/** Checks a message from outside in every respect (schema, rules, signatures, work); throws `code`. */
function checkSigned<K extends 'offer' | 'commitment'>(
  value: unknown,
  kind: K,
  code: ContractErrorCode,
  path: string,
) {
  const results = [
    () => validateMessage(value, kind),
    () => checkMessageRules(value as Offer),
    () => verifySignatures(value as Offer),
    () => (kind === 'offer' ? verifyMessagePow(value as Offer) : { ok: true as const, value: true }),
  ]
  for (const run of results) {
    const result = run()
    if (!result.ok) {
      throw new ContractError(code, `${path}: ${kind} ${result.error.message} [${result.error.code}]`, {
        path: `${path}${result.error.details.path ?? ''}`,
      })
    }
  }
}

/** The payout curve an offer states, with both stakes as its total; undefined for bets. */
export function curveOf(offer: Offer): PayoutCurve | undefined {
  const { curve } = offer.terms
  if (!curve) return undefined
  const total = Number(curveTotal(offer.terms))
  return { digits: curve.digits, total, points: curve.points, rounding: curve.rounding }
}

/** One CET as the steps name it: what it stands for (an answer, or a range of values) and pays. */
export interface CetTerms {
  label: string
  originator: number
  acceptor: number
}

/**
 * The CETs of a proposal in order, from its own fields alone (the steps after the checks): one
 * per answer of `payouts`, or one per digit prefix of `curve`. Refuses a curve needing more than
 * {@link MAX_CETS}.
 */
export function cetsOf(proposal: ContractOffer): CetTerms[] {
  if (proposal.curve) return numericCetsOf(proposal.curve).map(numericCetTerms)
  return (proposal.payouts ?? []).map((payout) => ({ ...payout, label: payout.answer }))
}

function numericCetTerms(cet: NumericCet): CetTerms {
  const label = cet.from === cet.to ? String(cet.from) : `${cet.from}–${cet.to}`
  return { label, originator: cet.originator, acceptor: cet.acceptor }
}

const cetCache = new WeakMap<PayoutCurve, NumericCet[]>()

/** The CETs of a curve, bounded by {@link MAX_CETS} (computed once per curve object). */
export function numericCetsOf(curve: PayoutCurve): NumericCet[] {
  const held = cetCache.get(curve)
  if (held) return held
  const cets = numericCets(curve)
  if (cets.length > MAX_CETS) {
    throw mismatch(
      `the curve needs ${cets.length} CETs, more than ${MAX_CETS}: round coarser`,
      '/curve/rounding',
    )
  }
  cetCache.set(curve, cets)
  return cets
}

/** What {@link checkTerms} establishes, for the steps that follow. */
export interface CheckedTerms {
  /** The oracle's key and nonce (enumerated) or nonces (numeric), as the DLC library takes them. */
  oracle: OracleAnnouncement | DigitAnnouncement
  /** Per CET, the 32-byte message the oracle's fact signs (enumerated) or its prefix digits' (numeric). */
  messages: Uint8Array[] | Uint8Array[][]
  /** Adaptor point of each CET, computed from the commitment alone. */
  points: string[]
  cets: CetTerms[]
  /** A quorum contract: its plan and, per combination (the signatures' order), what verifies it; `points` are then the combinations'. */
  quorum?: { plan: QuorumPlan; checks: QuorumSignatureCheck[] }
}

/**
 * Checks a proposal's terms against the offer, the capability and the commitment, as the
 * acceptor must before signing anything (and the originator before proposing): a finalized Mega
 * offer between the two, a Bitcoin chain matching the network, a signed Schnorr commitment by
 * the capability key for exactly the offer's question, the announced R and P the commitment's,
 * one payout per capability answer as {@link payoutsOf} gives, collateral as staked, a refund at
 * least {@link MIN_REFUND_DELAY} after the deadline. Throws a coded {@link ContractError}.
 */
export function checkTerms(
  proposal: ContractOffer,
  capability: OracleCapability,
  chainOf: (network: string) => string,
  /** A quorum offer: every request's capability, in request order (the question's first). */
  capabilities?: readonly OracleCapability[],
): CheckedTerms {
  const { offer, commitment } = proposal
  checkSigned(offer, 'offer', ContractErrorCode.TERMS_MISMATCH, '/offer')
  if (offerStage(offer) !== 2)
    throw mismatch('the offer is not finalized: finalize it before proposing a contract', '/offer')
  if (offer.terms.chain !== chainOf(proposal.network)) {
    throw mismatch(
      `the offer settles on "${offer.terms.chain}", the contract is on ${proposal.network}`,
      '/network',
    )
  }
  if (offer.terms.quorum?.length) return checkQuorumTerms(proposal, capabilities ?? [capability])
  if (!commitment || !proposal.oracle || proposal.commitments || proposal.oracles) {
    throw new ContractError(
      ContractErrorCode.COMMITMENT_INVALID,
      'an offer of one oracle has one `commitment` and one `oracle`, not a quorum’s `commitments` and `oracles`',
      { path: commitment ? '/commitments' : '/commitment' },
    )
  }
  checkSigned(commitment, 'commitment', ContractErrorCode.COMMITMENT_INVALID, '/commitment')
  if (canonicalize(commitment.request) !== canonicalize(offer.terms.question)) {
    throw new ContractError(
      ContractErrorCode.COMMITMENT_INVALID,
      "the commitment is for another question than the offer's",
      {
        path: '/commitment/request',
      },
    )
  }
  const fits = curveCapabilityProblem(offer.terms, capability)
  if (fits) throw mismatch(fits.reason, `/offer${fits.path}`)
  if (offer.terms.curve) return checkNumericTerms(proposal, capability)
  if (proposal.curve) throw mismatch('an offer with bets has no payout curve', '/curve')
  if (commitment.attestation.type !== 'schnorr' || commitment.scheme !== 'bip340') {
    throw new ContractError(
      ContractErrorCode.COMMITMENT_INVALID,
      'the commitment is not a Schnorr (bip340) commitment: no adaptor points',
      {
        path: '/commitment/attestation',
      },
    )
  }
  if (capability.capabilityKey !== commitment.request.capability || capability.attestation !== 'schnorr') {
    throw new ContractError(
      ContractErrorCode.COMMITMENT_INVALID,
      'the capability is not the Schnorr capability of the commitment',
      {
        path: '/commitment/request/capability',
      },
    )
  }
  if (
    proposal.oracle.publicKey !== commitment.request.capability ||
    !('nonce' in proposal.oracle) ||
    proposal.oracle.nonce !== commitment.attestation.nonce
  ) {
    throw new ContractError(
      ContractErrorCode.COMMITMENT_INVALID,
      "the announced oracle key or nonce R is not the commitment's",
      {
        path: '/oracle',
      },
    )
  }
  checkPayouts(proposal, payoutsOf(offer, capability))
  checkCollateralAndRefund(proposal)
  const messages = capability.answers.map((answer) => factDigest(commitment.request, answer))
  const points = capability.answers.map((answer) => outcomePoint(commitment, answer))
  return { oracle: proposal.oracle, messages, points, cets: cetsOf(proposal) }
}

function checkPayouts(proposal: ContractOffer, expected: PayoutMessage[]): void {
  const payouts = proposal.payouts ?? []
  if (canonicalize(payouts) !== canonicalize(expected)) {
    const index = expected.findIndex((payout, i) => canonicalize(payout) !== canonicalize(payouts[i]))
    const at = index < 0 ? expected.length : index
    throw mismatch(
      `payout ${at} does not follow from the offer: expected ${canonicalize(expected[at] ?? null)}, got ${canonicalize(payouts[at] ?? null)}`,
      `/payouts/${at}`,
    )
  }
}

function checkCollateralAndRefund(proposal: ContractOffer): void {
  const { offer } = proposal
  const deadline = deadlineOf(proposal)
  if (proposal.originator.collateral !== offer.terms.originatorAmount) {
    throw mismatch("the originator's collateral is not its stake in the offer", '/originator/collateral')
  }
  if (proposal.refundLocktime < deadline + MIN_REFUND_DELAY || proposal.refundLocktime >= 2 ** 32) {
    throw mismatch(
      `the refund must be valid no earlier than ${MIN_REFUND_DELAY} s after the commitment's deadline ${deadline}`,
      '/refundLocktime',
    )
  }
}

function commitmentProblem(message: string, path: string): ContractError {
  return new ContractError(ContractErrorCode.COMMITMENT_INVALID, message, { path })
}

/**
 * The quorum half of {@link checkTerms}: one signed Schnorr commitment per request, in request
 * order, each by the request's capability key for exactly that request, the announced keys and
 * nonces the commitments'; one payout per outcome of the plan ({@link quorumPlan}); then every
 * combination's oracles, messages and (protocol-computed) adaptor point.
 */
function checkQuorumTerms(proposal: ContractOffer, capabilities: readonly OracleCapability[]): CheckedTerms {
  const { offer, commitments, oracles } = proposal
  const requests = offerRequests(offer.terms)
  if (proposal.commitment || proposal.oracle) {
    throw commitmentProblem(
      'an offer with a quorum has one commitment per request (`commitments`, `oracles`), not one `commitment`',
      proposal.commitment ? '/commitment' : '/oracle',
    )
  }
  if (proposal.curve) throw mismatch('an offer with bets has no payout curve', '/curve')
  if (commitments?.length !== requests.length) {
    throw commitmentProblem(
      `the offer has ${requests.length} requests: one commitment each, got ${commitments?.length ?? 0}`,
      '/commitments',
    )
  }
  for (const [j, commitment] of commitments.entries()) {
    checkSigned(commitment, 'commitment', ContractErrorCode.COMMITMENT_INVALID, `/commitments/${j}`)
    if (canonicalize(commitment.request) !== canonicalize(requests[j])) {
      throw commitmentProblem(
        `commitment ${j} is for another question than the offer's request ${j}`,
        `/commitments/${j}/request`,
      )
    }
    if (commitment.attestation.type !== 'schnorr' || commitment.scheme !== 'bip340') {
      throw commitmentProblem(
        `commitment ${j} is not a Schnorr (bip340) commitment: no adaptor points`,
        `/commitments/${j}/attestation`,
      )
    }
  }
  if (oracles?.length !== requests.length) {
    throw commitmentProblem(`one oracle per request: expected ${requests.length}`, '/oracles')
  }
  for (const [j, oracle] of oracles.entries()) {
    const attestation = commitments[j]!.attestation as { nonce: string }
    if (oracle.publicKey !== requests[j]!.capability || oracle.nonce !== attestation.nonce) {
      throw commitmentProblem(
        `the announced key or nonce R of request ${j} is not its commitment's`,
        `/oracles/${j}`,
      )
    }
  }
  const plan = quorumPlan(offer.terms, answersOfCapabilities(offer.terms, capabilities))
  if (plan.outcomes.length < 2) {
    throw mismatch(
      `only ${plan.outcomes.length} outcome can be reached by ${quorumThreshold(offer.terms)} of ${requests.length} requests: synonyms must map the oracles' answers onto common outcomes`,
      '/offer/terms/synonyms',
    )
  }
  checkPayouts(proposal, quorumPayouts(offer.terms, plan.outcomes))
  checkCollateralAndRefund(proposal)
  const checks = plan.combinations.map((combination) => ({
    cet: combination.cet,
    oracles: combination.requests.map((j) => oracles[j]!),
    messages: combinationMessages(combination, commitments),
  }))
  // Computed on first use: only the steps that sign need them (verification derives its own).
  let points: string[] | undefined
  return {
    oracle: oracles[0]!,
    messages: [],
    get points() {
      points ??= combinationPoints(plan.combinations, commitments)
      return points
    },
    cets: cetsOf(proposal),
    quorum: { plan, checks },
  }
}

/**
 * The numeric half of {@link checkTerms}: the proposal's curve is the offer's (both stakes its
 * total), no per-answer payouts, the commitment a `schnorr-digits` one of the capability with
 * one nonce per digit, the announced key and nonces the commitment's; then the plan's CETs,
 * digit messages and adaptor points, which both sides compute alike.
 */
function checkNumericTerms(proposal: ContractOffer, capability: OracleCapability): CheckedTerms {
  const curve = curveOf(proposal.offer)!
  if (proposal.payouts) throw mismatch('an offer with a payout curve has no per-answer payouts', '/payouts')
  if (!proposal.curve || canonicalize(proposal.curve) !== canonicalize(curve)) {
    throw mismatch(`the curve is not the offer's: expected ${canonicalize(curve)}`, '/curve')
  }
  const commitment = proposal.commitment!
  if (commitment.attestation.type !== 'schnorr-digits') {
    throw new ContractError(
      ContractErrorCode.COMMITMENT_INVALID,
      'the commitment is not a numeric (schnorr-digits) commitment',
      {
        path: '/commitment/attestation',
      },
    )
  }
  if (
    proposal.oracle?.publicKey !== commitment.request.capability ||
    !('nonces' in proposal.oracle) ||
    canonicalize(proposal.oracle.nonces) !== canonicalize(commitment.attestation.nonces)
  ) {
    throw new ContractError(
      ContractErrorCode.COMMITMENT_INVALID,
      "the announced oracle key or nonces are not the commitment's",
      { path: '/oracle' },
    )
  }
  checkCollateralAndRefund(proposal)
  const cets = numericCetsOf(proposal.curve)
  const plan = planNumericContract(capability, commitment, { ...proposal.curve }, cets)
  return {
    oracle: plan.oracle,
    messages: plan.messages,
    get points() {
      return plan.points
    },
    cets: cets.map(numericCetTerms),
  }
}

/** Checks the acceptor's collateral against the offer. */
export function checkAcceptorCollateral(offer: Offer, collateral: number): void {
  if (collateral !== offer.terms.acceptorAmount)
    throw mismatch("the acceptor's collateral is not its stake in the offer", '/acceptor/collateral')
}
