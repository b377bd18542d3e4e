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
  type OracleCapability,
  offerRequests,
  outcomeMap,
  quorumThreshold,
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
import { answersOfCapabilities, type QuorumPlan, quorumPlan } from './quorum.ts'
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
  const { payouts, curve } = record.proposal
  const commitment = record.proposal.commitment!
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

/** A quorum contract's plan, derived again from the capabilities. */
function planOf(record: ContractRecord, capabilities: readonly OracleCapability[] | undefined): QuorumPlan {
  if (!capabilities) throw new Error('a quorum contract settles with every request’s capability')
  const { terms } = record.proposal.offer
  return quorumPlan(terms, answersOfCapabilities(terms, capabilities))
}

/**
 * Checks that `fact` attests one of this quorum contract's commitments (its request, signed by
 * the request's capability key with the committed nonce R); returns the request's index.
 */
function quorumFactRequest(record: ContractRecord, fact: Fact): number {
  const commitments = record.proposal.commitments ?? []
  const problem = (message: string) =>
    new ContractError(ContractErrorCode.FACT_INVALID, message, { path: '/fact', answer: fact.answer })
  const request = canonicalize(fact.request)
  const j = commitments.findIndex((commitment) => canonicalize(commitment.request) === request)
  if (j < 0) throw problem("the fact answers none of the contract's requests")
  const signed = verifySignatures(fact)
  if (!signed.ok) throw problem(`the fact's signature does not verify: ${signed.error.message}`)
  const kept = verifyAttestation(commitments[j]!, fact)
  if (!kept.ok) throw problem(`request ${j}: ${kept.error.message}`)
  return j
}

/** Whether `fact` attests one of the contract's commitments (its request, key, committed nonce). */
export function factOfContract(record: ContractRecord, fact: Fact): boolean {
  try {
    if (record.proposal.commitments) quorumFactRequest(record, fact)
    else factOutcome(record, fact)
    return true
  } catch {
    return false
  }
}

/** Per request, the distinct answers of its valid facts and one fact per answer. */
function answersByRequest(record: ContractRecord, facts: readonly Fact[]): Array<Map<string, Fact>> {
  const byRequest = offerRequests(record.proposal.offer.terms).map(() => new Map<string, Fact>())
  for (const fact of facts) {
    const j = quorumFactRequest(record, fact)
    if (!byRequest[j]!.has(fact.answer)) byRequest[j]!.set(fact.answer, fact)
  }
  return byRequest
}

/**
 * The combination k agreeing facts complete: per request one answer (a request whose oracle
 * attested two answers counts for none, as in settlement, docs/protocol.md §6.8); the first
 * outcome, in CET order, that k requests reach; its first k requests (ascending) and their
 * answers. Throws `CONTRACT_NO_QUORUM` when no outcome has k.
 */
export function quorumAgreement(
  record: ContractRecord,
  facts: readonly Fact[],
  capabilities: readonly OracleCapability[] | undefined,
): { outcome: string; cet: number; combination: number; signatures: string[] } {
  const plan = planOf(record, capabilities)
  const { terms } = record.proposal.offer
  const requests = offerRequests(terms)
  const map = outcomeMap(terms)
  const k = quorumThreshold(terms)
  const byRequest = answersByRequest(record, facts)
  const answered = byRequest.map((answers, j) =>
    answers.size === 1 ? { j, fact: [...answers.values()][0]! } : undefined,
  )
  for (const [cet, outcome] of plan.outcomes.entries()) {
    const agreeing = answered
      .filter((entry) => entry && map(requests[entry.j]!.capability, entry.fact.answer) === outcome)
      .slice(0, k) as Array<{ j: number; fact: Fact }>
    if (agreeing.length < k) continue
    const subset = agreeing.map((entry) => entry.j)
    const answers = agreeing.map((entry) => entry.fact.answer)
    const combination = plan.combinations.findIndex(
      (candidate) =>
        candidate.cet === cet &&
        canonicalize(candidate.requests) === canonicalize(subset) &&
        canonicalize(candidate.answers) === canonicalize(answers),
    )
    if (combination < 0) {
      throw new ContractError(
        ContractErrorCode.FACT_INVALID,
        `the answers ${canonicalize(answers)} have no CET`,
        {
          path: '/fact',
          answer: outcome,
        },
      )
    }
    return { outcome, cet, combination, signatures: agreeing.map((entry) => entry.fact.signature) }
  }
  const tally = answered
    .filter((entry) => entry !== undefined)
    .map((entry) => `request ${entry.j}: "${map(requests[entry.j]!.capability, entry.fact.answer)}"`)
  throw new ContractError(
    ContractErrorCode.NO_QUORUM,
    `no outcome has ${k} of ${requests.length} requests agreeing (${tally.join(', ') || 'no fact'})`,
    { path: '/facts', threshold: k },
  )
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
export function settle(input: {
  record: ContractRecord
  /** The oracle's fact (one oracle). */
  fact?: Fact
  /** A quorum contract: the facts held of its requests, k of which must agree. */
  facts?: Fact[]
  /** A quorum contract: every request's capability, in request order. */
  capabilities?: readonly OracleCapability[]
  trader: ContractTrader
}): Settlement {
  const { record } = input
  const parts = signedParts(record)
  let index: number
  let signatures: string[]
  let answer: string
  let signatureIndex: number
  if (record.proposal.commitments) {
    const agreed = quorumAgreement(
      record,
      input.facts ?? (input.fact ? [input.fact] : []),
      input.capabilities,
    )
    ;({ cet: index, signatures, outcome: answer, combination: signatureIndex } = agreed)
  } else {
    const fact = input.fact ?? input.facts?.[0]
    if (!fact) throw new ContractError(ContractErrorCode.FACT_INVALID, 'no fact to settle with')
    ;({ index, signatures } = factOutcome(record, fact))
    answer = fact.answer
    signatureIndex = index
  }
  const txs = transactionsOf(record.proposal, parts.accept.acceptor)
  const cet = txs.cets[index]!
  const counterparty = counterpartyOf(record, parts)
  let der: Uint8Array = new Uint8Array()
  try {
    der = decryptAdaptorSignature(counterparty.cetSignatures[signatureIndex]!, signatures)
  } catch {
    // A malformed result is as good as a wrong one: refused below.
  }
  if (!verifyDer(der, fundingSpendSighash(cet, txs), fromHex(counterparty.pubkey, 33))) {
    throw new ContractError(
      ContractErrorCode.SIGNATURE_INVALID,
      'the decrypted counterparty signature does not verify: the fact does not complete this CET',
      { answer },
    )
  }
  const key = keyOf(record, input.trader)
  const tx = completeFundingSpend(cet, txs, [
    { pubkey: fromHex(counterparty.pubkey, 33), signature: `${toHex(der)}01` },
    { pubkey: key.pubkey, signature: signFundingSpend(cet, txs, key.secret) },
  ])
  const payout = cetsOf(record.proposal)[index]!
  return {
    answer,
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
  /** A quorum contract: the capability key of the oracle that attested two answers. */
  capability?: string
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
export function equivocation(
  record: ContractRecord,
  facts: Fact[],
  /** A quorum contract: every request's capability, in request order. */
  capabilities?: readonly OracleCapability[],
): Equivocation | undefined {
  if (record.proposal.commitments) return quorumEquivocation(record, facts, capabilities)
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
  const { request } = record.proposal.commitment!
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

/**
 * A quorum contract's equivocation: the first request whose oracle attested two answers leaks
 * its capability key. The counterparty can then attest anything in that oracle's name, so it
 * can complete every CET with a combination whose other requests' oracles have attested the
 * combination's answers (or leaked their keys as well).
 */
function quorumEquivocation(
  record: ContractRecord,
  facts: Fact[],
  capabilities: readonly OracleCapability[] | undefined,
): Equivocation | undefined {
  const valid = facts.filter((fact) => {
    try {
      quorumFactRequest(record, fact)
      return true
    } catch {
      return false
    }
  })
  const byRequest = answersByRequest(record, valid)
  const leaked = byRequest.map((answers) => answers.size > 1)
  const first = leaked.indexOf(true)
  if (first < 0) return undefined
  const [one, two] = [...byRequest[first]!.values()] as [Fact, Fact]
  const { request } = record.proposal.commitments![first]!
  const leakedKey = recoverSecretFromNonceReuse(
    request.capability,
    { message: factDigest(request, one.answer), signature: one.signature },
    { message: factDigest(request, two.answer), signature: two.signature },
  )
  const plan = planOf(record, capabilities)
  const completable = new Set(
    plan.combinations
      .filter((combination) =>
        combination.requests.every((j, i) => leaked[j] || byRequest[j]!.has(combination.answers[i]!)),
      )
      .map((combination) => combination.cet),
  )
  const cets = cetsOf(record.proposal)
  const mine = record.role
  return {
    capability: request.capability,
    answers: [one.answer, two.answer],
    leakedKey,
    counterpartyCanPublish: [...completable]
      .sort((a, b) => a - b)
      .map((index) => cets[index]!)
      .map((payout) => ({
        answer: payout.label,
        counterpartyGets: mine === 'originator' ? payout.acceptor : payout.originator,
        weGet: mine === 'originator' ? payout.originator : payout.acceptor,
      }))
      .filter((entry) => entry.counterpartyGets > entry.weGet),
  }
}
