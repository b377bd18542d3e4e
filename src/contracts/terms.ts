/**
 * What a contract's terms must be, from the finalized offer, the capability and the oracle's
 * commitment alone: one payout per answer, the oracle's key and nonce, a refund after the
 * deadline. Pure: both sides run the same checks on the same bytes and reach the same verdict.
 */
import { canonicalize } from '../protocol/canonical.ts'
import { verifyMessagePow } from '../protocol/message-pow.ts'
import type { Offer, OracleCapability } from '../protocol/messages/index.ts'
import { factDigest, outcomePoint } from '../protocol/oracle-attestation.ts'
import { checkMessageRules, offerStage } from '../protocol/rules.ts'
import { verifySignatures } from '../protocol/sign.ts'
import { validateMessage } from '../protocol/validate.ts'
import { ContractError, ContractErrorCode } from './errors.ts'
import type { ContractOffer, PayoutMessage } from './messages.ts'

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

/** What {@link checkTerms} establishes, for the steps that follow. */
export interface CheckedTerms {
  /** The 32-byte message the oracle's fact signs for each answer, in CET order. */
  messages: Uint8Array[]
  /** Adaptor point of each answer's CET, computed from the commitment alone. */
  points: string[]
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
): CheckedTerms {
  const { offer, commitment } = proposal
  checkSigned(offer, 'offer', ContractErrorCode.TERMS_MISMATCH, '/offer')
  if (offerStage(offer) !== 2)
    throw mismatch('the offer is not finalized: finalize it before proposing a contract', '/offer')
  if (offer.terms.quorum?.length)
    throw mismatch('offers with a quorum of oracles cannot become contracts yet', '/offer/terms/quorum')
  if (offer.terms.chain !== chainOf(proposal.network)) {
    throw mismatch(
      `the offer settles on "${offer.terms.chain}", the contract is on ${proposal.network}`,
      '/network',
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
  const expected = payoutsOf(offer, capability)
  if (canonicalize(proposal.payouts) !== canonicalize(expected)) {
    const index = expected.findIndex(
      (payout, i) => canonicalize(payout) !== canonicalize(proposal.payouts[i]),
    )
    throw mismatch(
      `payout ${index} does not follow from the offer: expected ${canonicalize(expected[index] ?? null)}, got ${canonicalize(proposal.payouts[index] ?? null)}`,
      `/payouts/${index}`,
    )
  }
  if (proposal.originator.collateral !== offer.terms.originatorAmount) {
    throw mismatch("the originator's collateral is not its stake in the offer", '/originator/collateral')
  }
  if (
    proposal.refundLocktime < commitment.deadline + MIN_REFUND_DELAY ||
    proposal.refundLocktime >= 2 ** 32
  ) {
    throw mismatch(
      `the refund must be valid no earlier than ${MIN_REFUND_DELAY} s after the commitment's deadline ${commitment.deadline}`,
      '/refundLocktime',
    )
  }
  const messages = capability.answers.map((answer) => factDigest(commitment.request, answer))
  const points = capability.answers.map((answer) => outcomePoint(commitment, answer))
  return { messages, points }
}

/** Checks the acceptor's collateral against the offer. */
export function checkAcceptorCollateral(offer: Offer, collateral: number): void {
  if (collateral !== offer.terms.acceptorAmount)
    throw mismatch("the acceptor's collateral is not its stake in the offer", '/acceptor/collateral')
}
