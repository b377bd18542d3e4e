/**
 * A Discreet Log Contract on a numeric answer (`schnorr-digits`): the CETs of a payout curve
 * (numeric.ts), their adaptor points from the oracle's per-digit nonces, the transactions and
 * adaptor signatures (the DLC library), and settlement with a numeric fact: the signatures of the
 * winning CET's prefix digits, summed, decrypt the counterparty's adaptor signature.
 *
 * Both sides compute the plan from the same capability, commitment and curve and reach the same
 * CETs, points and transactions byte for byte; nothing here trusts the other side's numbers.
 */
import { Transaction } from '@scure/btc-signer'
import {
  type Commitment,
  canonicalize,
  checkDigitCount,
  checkMessageRules,
  digitMessage,
  type Fact,
  numericValue,
  type OracleCapability,
  recoverSecretFromDigitFacts,
  toHex,
  verifyAttestation,
  verifySignatures,
} from '../protocol/index.ts'
import { completeFundingSpend, fundingSpendSighash, signFundingSpend, verifyDer } from './bitcoin.ts'
import {
  adaptorSign,
  buildDlcTransactions,
  type DigitAnnouncement,
  type DlcTransactions,
  decryptAdaptorSignature,
  digitAdaptorPoints,
  firstBadAdaptorSignature,
  type PartyFunding,
} from './dlc.ts'
import { ContractError, ContractErrorCode } from './errors.ts'
import { cetOfValue, type NumericCet, numericCets, type PayoutCurve } from './numeric.ts'

/** What both sides derive from the capability, the commitment and the curve. */
export interface NumericPlan {
  curve: PayoutCurve
  commitment: Commitment
  oracle: DigitAnnouncement
  cets: NumericCet[]
  /** Per CET, the messages of its prefix digits, most significant first. */
  messages: Uint8Array[][]
  /** Per CET, its adaptor point (compressed, hex). */
  points: string[]
}

function commitmentError(message: string, path: string): ContractError {
  return new ContractError(ContractErrorCode.COMMITMENT_INVALID, message, { path })
}

/**
 * Plans a numeric contract: checks that the commitment is a signed `schnorr-digits` commitment of
 * `capability` with one nonce per digit and that the curve spans the capability's range, then
 * gives the CETs, their digit messages and adaptor points. Throws `CONTRACT_COMMITMENT_INVALID`
 * or `CONTRACT_TERMS_MISMATCH`.
 */
export function planNumericContract(
  capability: OracleCapability,
  commitment: Commitment,
  curve: PayoutCurve,
  /** The curve's CETs when computed already ({@link numericCets}). */
  known?: NumericCet[],
): NumericPlan {
  const shaped = checkMessageRules(commitment)
  if (!shaped.ok) throw commitmentError(shaped.error.message, '/commitment')
  const signed = verifySignatures(commitment)
  if (!signed.ok) throw commitmentError(signed.error.message, '/commitment/signature')
  if (
    capability.attestation !== 'schnorr-digits' ||
    commitment.attestation.type !== 'schnorr-digits' ||
    commitment.request.capability !== capability.capabilityKey
  ) {
    throw commitmentError(
      'not a numeric (schnorr-digits) commitment of this capability',
      '/commitment/attestation',
    )
  }
  const counted = checkDigitCount(capability, commitment)
  if (!counted.ok) throw commitmentError(counted.error.message, '/commitment/attestation/nonces')
  if (curve.digits !== capability.digits) {
    throw new ContractError(
      ContractErrorCode.TERMS_MISMATCH,
      `the curve spans ${curve.digits} digits, the capability answers with ${capability.digits}`,
      { path: '/curve/digits' },
    )
  }
  const cets = known ?? numericCets(curve)
  const { request } = commitment
  const messages = cets.map((cet) => cet.prefix.map((digit, i) => digitMessage(request, i, digit)))
  const oracle = { publicKey: capability.capabilityKey, nonces: commitment.attestation.nonces }
  // Computed on first use: only the steps that sign need them (verification derives its own).
  let points: string[] | undefined
  return {
    curve,
    commitment,
    oracle,
    cets,
    messages,
    get points() {
      points ??= digitAdaptorPoints(oracle, messages)
      return points
    },
  }
}

/** The funding, one CET per planned prefix, and the refund. Collaterals must add up to the curve's total. */
export function numericTransactions(
  plan: NumericPlan,
  input: {
    originator: PartyFunding
    acceptor: PartyFunding
    refundLocktime: number
    feeRate: bigint
    fundOutputSerialId: bigint
  },
): DlcTransactions {
  if (input.originator.collateral + input.acceptor.collateral !== BigInt(plan.curve.total)) {
    throw new ContractError(
      ContractErrorCode.TERMS_MISMATCH,
      'the collaterals do not add up to the curve’s total',
      {
        path: '/curve/total',
      },
    )
  }
  return buildDlcTransactions({
    ...input,
    payouts: plan.cets.map((cet) => ({ originator: BigInt(cet.originator), acceptor: BigInt(cet.acceptor) })),
  })
}

/** Adaptor-signs every CET under its prefix's point with our funding secret. */
export function signNumericCets(
  plan: NumericPlan,
  txs: DlcTransactions,
  fundingSecret: Uint8Array,
): string[] {
  return adaptorSign(txs, plan.points, fundingSecret)
}

/**
 * Checks the counterparty's adaptor signatures, each against its CET and the point the library
 * derives from the oracle's key, nonces and the prefix's messages. Throws `CONTRACT_SIGNATURE_INVALID`
 * naming the first bad one.
 */
export function checkNumericSignatures(
  plan: NumericPlan,
  txs: DlcTransactions,
  signatures: string[],
  counterpartyPubkey: Uint8Array,
): void {
  const bad = firstBadAdaptorSignature(txs, signatures, plan.oracle, plan.messages, counterpartyPubkey)
  if (bad >= 0) {
    throw new ContractError(ContractErrorCode.SIGNATURE_INVALID, `adaptor signature ${bad} does not verify`, {
      path: `/cetSignatures/${bad}`,
    })
  }
}

/**
 * Checks `facts` for two valid numeric facts of different values for this contract's
 * commitment: then the oracle signed one digit twice with one nonce and its key is public, so
 * anyone can attest any value and complete its CET. Returns the two values and the leaked key,
 * or undefined.
 */
export function numericEquivocation(
  plan: NumericPlan,
  capability: OracleCapability,
  facts: Fact[],
): { values: [number, number]; leakedKey: string } | undefined {
  const valid = facts.filter(
    (fact) =>
      canonicalize(fact.request) === canonicalize(plan.commitment.request) &&
      verifySignatures(fact).ok &&
      verifyAttestation(plan.commitment, fact).ok,
  )
  const first = valid[0]
  const second = valid.find((fact) => fact.answer !== first?.answer)
  if (!first || !second) return undefined
  return {
    values: [Number(first.answer), Number(second.answer)],
    leakedKey: recoverSecretFromDigitFacts(capability, first, second),
  }
}

/** A settled numeric contract: the attested value, its CET and the signed transaction. */
export interface NumericSettlement {
  value: number
  cet: number
  tx: string
  txid: string
  payout: { originator: number; acceptor: number }
}

/**
 * Settles with the oracle's numeric fact: checks it (same request, signed by the capability key,
 * every digit signed with its committed nonce, a value of the range), finds the one CET whose
 * prefix the value's digits start with, decrypts the counterparty's adaptor signature with the
 * prefix digits' signatures, adds ours. Throws `CONTRACT_FACT_INVALID` or `CONTRACT_SIGNATURE_INVALID`.
 */
export function settleNumeric(input: {
  plan: NumericPlan
  txs: DlcTransactions
  fact: Fact
  counterparty: { pubkey: Uint8Array; cetSignatures: string[] }
  own: { pubkey: Uint8Array; secret: Uint8Array }
}): NumericSettlement {
  const { plan, fact } = input
  const problem = (message: string, path = '/fact') =>
    new ContractError(ContractErrorCode.FACT_INVALID, message, { path })
  if (canonicalize(fact.request) !== canonicalize(plan.commitment.request)) {
    throw problem("the fact answers another request than the contract's")
  }
  const signed = verifySignatures(fact)
  if (!signed.ok) throw problem(`the fact's signature does not verify: ${signed.error.message}`)
  const kept = verifyAttestation(plan.commitment, fact)
  if (!kept.ok) throw problem(kept.error.message, `/fact${kept.error.details.path ?? ''}`)
  const value = numericValue(fact.answer, plan.curve.digits)
  if (!value.ok) throw problem(value.error.message, '/fact/answer')
  const index = cetOfValue(plan.cets, value.value)
  if (index < 0) throw problem(`no CET covers ${value.value}`, '/fact/answer')
  return completeCet(input, index, value.value)
}

/** Completes CET `index` with the fact's prefix digit signatures; refuses when they do not decrypt it. */
export function completeCet(
  input: {
    plan: NumericPlan
    txs: DlcTransactions
    fact: Fact
    counterparty: { pubkey: Uint8Array; cetSignatures: string[] }
    own: { pubkey: Uint8Array; secret: Uint8Array }
  },
  index: number,
  value: number,
): NumericSettlement {
  const { plan, txs, fact, counterparty, own } = input
  const cet = plan.cets[index]!
  const raw = txs.cets[index]!
  const digitSignatures = (fact.digitSignatures ?? []).slice(0, cet.prefix.length)
  let der: Uint8Array = new Uint8Array()
  try {
    der = decryptAdaptorSignature(counterparty.cetSignatures[index]!, digitSignatures)
  } catch {
    // A malformed result is as good as a wrong one: refused below.
  }
  if (!verifyDer(der, fundingSpendSighash(raw, txs), counterparty.pubkey)) {
    throw new ContractError(
      ContractErrorCode.SIGNATURE_INVALID,
      'the decrypted counterparty signature does not verify: the fact does not complete this CET',
      { cet: index },
    )
  }
  const tx = completeFundingSpend(raw, txs, [
    { pubkey: counterparty.pubkey, signature: `${toHex(der)}01` },
    { pubkey: own.pubkey, signature: signFundingSpend(raw, txs, own.secret) },
  ])
  return {
    value,
    cet: index,
    tx: toHex(tx),
    txid: Transaction.fromRaw(tx, { allowUnknownOutputs: true }).id,
    payout: { originator: cet.originator, acceptor: cet.acceptor },
  }
}
