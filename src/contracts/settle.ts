/**
 * Settlement of a signed contract, by either side: the attested answer's CET completed with the
 * oracle's fact (`settle`), the refund from its locktime (`refund`), and what an oracle that
 * attested two answers exposes (`equivocation`).
 */
import { Transaction } from '@scure/btc-signer'
import {
  canonicalize,
  type Fact,
  factDigest,
  fromHex,
  numericValue,
  recoverSecretFromDigitFacts,
  recoverSecretFromNonceReuse,
  toHex,
  verifyAttestation,
  verifySignatures,
} from '../protocol/index.ts'
import { completeFundingSpend, fundingSpendSighash, signFundingSpend, verifyDer } from './bitcoin.ts'
import { type ContractRecord, type ContractTrader, keyOf, stateError, transactionsOf } from './contract.ts'
import { decryptAdaptorSignature } from './dlc.ts'
import { ContractError, ContractErrorCode } from './errors.ts'
import type { ContractAccept, ContractSign } from './messages.ts'
import { cetOfValue } from './numeric.ts'
import { cetsOf, numericCetsOf } from './terms.ts'

function signedParts(record: ContractRecord): { accept: ContractAccept; sign: ContractSign } {
  if (!record.accept || !record.sign)
    throw stateError(`contract ${record.id} is not signed by both sides yet`)
  return { accept: record.accept, sign: record.sign }
}

function counterpartyOf(record: ContractRecord, parts: { accept: ContractAccept; sign: ContractSign }) {
  return record.role === 'originator'
    ? {
        pubkey: parts.accept.acceptor.fundPubkey,
        cetSignatures: parts.accept.cetSignatures,
        refundSignature: parts.accept.refundSignature,
      }
    : {
        pubkey: record.proposal.originator.fundPubkey,
        cetSignatures: parts.sign.cetSignatures,
        refundSignature: parts.sign.refundSignature,
      }
}

/**
 * Checks that `fact` attests this contract's commitment: same request, signed by the capability
 * key with the committed nonce R (numeric: every digit with its R_i), an answer with a CET.
 * Returns the answer's CET index and the oracle signatures that decrypt it (numeric: the CET's
 * prefix digits').
 */
function factOutcome(record: ContractRecord, fact: Fact): { index: number; signatures: string[] } {
  const { commitment, payouts, curve } = record.proposal
  const problem = (message: string) =>
    new ContractError(ContractErrorCode.FACT_INVALID, message, { path: '/fact' })
  if (canonicalize(fact.request) !== canonicalize(commitment.request))
    throw problem("the fact answers another request than the contract's")
  const signed = verifySignatures(fact)
  if (!signed.ok) throw problem(`the fact's signature does not verify: ${signed.error.message}`)
  const kept = verifyAttestation(commitment, fact)
  if (!kept.ok) throw problem(kept.error.message)
  if (curve) {
    const value = numericValue(fact.answer, curve.digits)
    if (!value.ok) throw problem(value.error.message)
    const cets = numericCetsOf(curve)
    const index = cetOfValue(cets, value.value)
    if (index < 0) throw problem(`no CET covers ${value.value}`)
    return { index, signatures: (fact.digitSignatures ?? []).slice(0, cets[index]!.prefix.length) }
  }
  const index = (payouts ?? []).findIndex((payout) => payout.answer === fact.answer)
  if (index < 0) throw problem(`the answer ${JSON.stringify(fact.answer)} has no CET`)
  return { index, signatures: [fact.signature] }
}

/** A fully signed transaction and what it pays. */
export interface Settlement {
  answer: string
  /** Raw transaction, hex: for `sendrawtransaction` or an Esplora `POST /tx`. */
  tx: string
  txid: string
  payout: { originator: number; acceptor: number }
}

/** The txid of a raw transaction (hex, as block explorers show it). */
function txidOf(raw: Uint8Array): string {
  return Transaction.fromRaw(raw, { allowUnknownOutputs: true }).id
}

/**
 * Settles with the oracle's fact: decrypts the counterparty's adaptor signature of the attested
 * answer's CET with the fact's Schnorr signature, adds ours, and returns the signed CET.
 */
export function settle(input: { record: ContractRecord; fact: Fact; trader: ContractTrader }): Settlement {
  const { record, fact } = input
  const parts = signedParts(record)
  const { index, signatures } = factOutcome(record, fact)
  const txs = transactionsOf(record.proposal, parts.accept.acceptor)
  const cet = txs.cets[index]!
  const counterparty = counterpartyOf(record, parts)
  let der: Uint8Array = new Uint8Array()
  try {
    der = decryptAdaptorSignature(counterparty.cetSignatures[index]!, signatures)
  } catch {
    // A malformed result is as good as a wrong one: refused below.
  }
  if (!verifyDer(der, fundingSpendSighash(cet, txs), fromHex(counterparty.pubkey, 33))) {
    throw new ContractError(
      ContractErrorCode.SIGNATURE_INVALID,
      'the decrypted counterparty signature does not verify: the fact does not complete this CET',
      {
        answer: fact.answer,
      },
    )
  }
  const key = keyOf(record, input.trader)
  const tx = completeFundingSpend(cet, txs, [
    { pubkey: fromHex(counterparty.pubkey, 33), signature: `${toHex(der)}01` },
    { pubkey: key.pubkey, signature: signFundingSpend(cet, txs, key.secret) },
  ])
  const payout = cetsOf(record.proposal)[index]!
  return {
    answer: fact.answer,
    tx: toHex(tx),
    txid: txidOf(tx),
    payout: { originator: payout.originator, acceptor: payout.acceptor },
  }
}

/** The refund, fully signed; throws `CONTRACT_REFUND_TOO_EARLY` before its locktime. */
export function refund(input: { record: ContractRecord; trader: ContractTrader; now: number }): Settlement {
  const { record } = input
  const parts = signedParts(record)
  if (input.now < record.proposal.refundLocktime) {
    throw new ContractError(
      ContractErrorCode.REFUND_TOO_EARLY,
      `the refund is valid from ${new Date(record.proposal.refundLocktime * 1000).toISOString()} (Unix ${record.proposal.refundLocktime}), ${record.proposal.refundLocktime - input.now} s from now`,
      { refundLocktime: record.proposal.refundLocktime },
    )
  }
  const txs = transactionsOf(record.proposal, parts.accept.acceptor)
  const counterparty = counterpartyOf(record, parts)
  const key = keyOf(record, input.trader)
  const tx = completeFundingSpend(txs.refund, txs, [
    { pubkey: fromHex(counterparty.pubkey, 33), signature: counterparty.refundSignature },
    { pubkey: key.pubkey, signature: signFundingSpend(txs.refund, txs, key.secret) },
  ])
  const { offer } = record.proposal
  return {
    answer: '',
    tx: toHex(tx),
    txid: txidOf(tx),
    payout: { originator: offer.terms.originatorAmount, acceptor: offer.terms.acceptorAmount },
  }
}

/** What an oracle that attested two answers to this contract's commitment exposes. */
export interface Equivocation {
  answers: string[]
  /** The capability's secret key, recovered from the two signatures (hex). */
  leakedKey: string
  /** Answers whose CET the counterparty can now complete by signing the answer itself, with what it would get. */
  counterpartyCanPublish: Array<{ answer: string; counterpartyGets: number; weGet: number }>
}

/**
 * Checks `facts` for two valid attestations of different answers to this contract's
 * commitment. With one, the oracle's key is public (nonce reuse): anyone, the counterparty
 * included, can attest any answer and complete its CET. Returns undefined when there is none.
 */
export function equivocation(record: ContractRecord, facts: Fact[]): Equivocation | undefined {
  const valid = facts.filter((fact) => {
    try {
      factOutcome(record, fact)
      return true
    } catch {
      return false
    }
  })
  const first = valid[0]
  const second = valid.find((fact) => fact.answer !== first?.answer)
  if (!first || !second) return undefined
  const { request } = record.proposal.commitment
  const { curve } = record.proposal
  const leakedKey = curve
    ? recoverSecretFromDigitFacts({ capabilityKey: request.capability, digits: curve.digits }, first, second)
    : recoverSecretFromNonceReuse(
        request.capability,
        { message: factDigest(request, first.answer), signature: first.signature },
        { message: factDigest(request, second.answer), signature: second.signature },
      )
  const mine = record.role
  return {
    answers: [first.answer, second.answer],
    leakedKey,
    counterpartyCanPublish: cetsOf(record.proposal)
      .map((payout) => ({
        answer: payout.label,
        counterpartyGets: mine === 'originator' ? payout.acceptor : payout.originator,
        weGet: mine === 'originator' ? payout.originator : payout.acceptor,
      }))
      .filter((entry) => entry.counterpartyGets > entry.weGet),
  }
}
