/**
 * A contract from proposal to settlement, as pure steps over messages: `propose` (originator),
 * `accept` (acceptor), `sign` (originator), `finalize` (acceptor), then `settle` with the
 * oracle's fact or `refund` after the locktime, by either side. Each step rebuilds the
 * transactions from the messages, checks everything the counterparty sent, and refuses before
 * signing anything. Keys are derived from the trader key ({@link fundingKey}); coins are signed
 * by the user's wallet through PSBTs.
 */
import { randomBytes } from 'node:crypto'
import { secp256k1 } from '@noble/curves/secp256k1.js'
import { Transaction } from '@scure/btc-signer'
import { verifyAttestation } from '../protocol/attestation.ts'
import { canonicalize } from '../protocol/canonical.ts'
import { fromHex, toHex } from '../protocol/hex.ts'
import { offerKey } from '../protocol/message.ts'
import type { Fact, Offer, OracleCapability } from '../protocol/messages/index.ts'
import { factDigest } from '../protocol/oracle-attestation.ts'
import { recoverSecretFromNonceReuse } from '../protocol/schnorr-nonce.ts'
import { verifySignatures } from '../protocol/sign.ts'
import {
  addressScript,
  CHAIN_OF_NETWORK,
  completeFundingSpend,
  extractFunding,
  fundingPsbt,
  fundingSpendSighash,
  maxWitnessLengthOf,
  type Network,
  networkOfChain,
  type SpentCoin,
  signFundingSpend,
  takeWalletSignatures,
  verifyDer,
  verifyFundingSpend,
  walletCoins,
} from './bitcoin.ts'
import {
  adaptorPoints,
  adaptorSign,
  buildDlcTransactions,
  type DlcTransactions,
  decryptAdaptorSignature,
  firstBadAdaptorSignature,
  type PartyFunding,
} from './dlc.ts'
import { ContractError, ContractErrorCode } from './errors.ts'
import { fundingKey, type Role } from './keys.ts'
import {
  type ContractAccept,
  type ContractOffer,
  type ContractSign,
  contractIdOf,
  type PartyMessage,
} from './messages.ts'
import {
  type CheckedTerms,
  checkAcceptorCollateral,
  checkTerms,
  DEFAULT_REFUND_DELAY,
  payoutsOf,
} from './terms.ts'

/** A trader key as contracts need it. */
export interface ContractTrader {
  publicKey: string
  secretKey: string
}

/** Everything one side keeps of a contract; both sides can rebuild every transaction from it. */
export interface ContractRecord {
  id: string
  role: Role
  proposal: ContractOffer
  accept?: ContractAccept
  sign?: ContractSign
  /** The funding transaction, fully signed (hex), once the acceptor finalized it. */
  fundingTx?: string
  /** This side's wallet-made PSBT: its inputs' key origins go into the funding PSBT for the wallet. Never sent. */
  walletPsbt?: string
}

/** Where a contract stands. */
export function contractState(record: ContractRecord): 'proposed' | 'accepted' | 'signed' | 'funded' {
  if (record.fundingTx) return 'funded'
  if (record.sign) return 'signed'
  return record.accept ? 'accepted' : 'proposed'
}

const randomSerial = () => BigInt(`0x${randomBytes(8).toString('hex')}`).toString()

/** What a side brings: its wallet's coins (a PSBT) and where its money goes. */
export interface SideInput {
  trader: ContractTrader
  /** A PSBT (base64) whose inputs are the coins to fund with, made by the user's wallet. */
  walletPsbt: string
  payoutAddress: string
  changeAddress: string
}

function partyMessage(
  side: SideInput,
  network: Network,
  pubkey: Uint8Array,
  collateral: number,
): PartyMessage {
  addressScript(side.payoutAddress, network, '--payout-address')
  addressScript(side.changeAddress, network, '--change-address')
  return {
    fundPubkey: toHex(pubkey),
    payoutAddress: side.payoutAddress,
    payoutSerialId: randomSerial(),
    changeAddress: side.changeAddress,
    changeSerialId: randomSerial(),
    inputs: walletCoins(side.walletPsbt).map((coin) => ({
      txid: coin.txid,
      vout: coin.vout,
      amount: Number(coin.amount),
      script: toHex(coin.script),
      maxWitnessLength: coin.maxWitnessLength,
      serialId: randomSerial(),
    })),
    collateral,
  }
}

/** Proposal inputs beyond the side's own. */
export interface ProposeInput extends SideInput {
  offer: Offer
  capability: OracleCapability
  commitment: ContractOffer['commitment']
  /** Satoshis per virtual byte. */
  feeRate: number
  /** Unix time of the refund. @default the commitment's deadline + 7 days */
  refundLocktime?: number
  network?: Network
}

/** The originator's proposal from a finalized offer and the oracle's commitment; checked as the acceptor will. */
export function propose(input: ProposeInput): ContractRecord {
  const { offer, commitment } = input
  if (offer.terms.originator !== input.trader.publicKey) {
    throw new ContractError(
      ContractErrorCode.TERMS_MISMATCH,
      'only the originator of the offer proposes its contract',
      {
        path: '/offer/terms/originator',
      },
    )
  }
  const network = input.network ?? networkOfChain(offer.terms.chain)
  const nonce = randomBytes(32).toString('hex')
  const key = fundingKey(input.trader.secretKey, offerKey(offer), nonce, 'originator')
  const proposal: ContractOffer = {
    type: 'mega-contract-offer',
    version: 1,
    network,
    nonce,
    offer,
    commitment,
    oracle: {
      publicKey: commitment.request.capability,
      nonce: commitment.attestation.type === 'schnorr' ? commitment.attestation.nonce : '',
    },
    payouts: payoutsOf(offer, input.capability),
    feeRate: input.feeRate,
    refundLocktime: input.refundLocktime ?? commitment.deadline + DEFAULT_REFUND_DELAY,
    fundOutputSerialId: randomSerial(),
    originator: partyMessage(input, network, key.pubkey, offer.terms.originatorAmount),
  }
  checkProposal(proposal, input.capability)
  return { id: contractIdOf(proposal), role: 'originator', proposal, walletPsbt: input.walletPsbt }
}

function checkProposal(proposal: ContractOffer, capability: OracleCapability): CheckedTerms {
  return checkTerms(proposal, capability, (network) => CHAIN_OF_NETWORK[network as Network])
}

function party(message: PartyMessage, network: Network, path: string): PartyFunding {
  try {
    secp256k1.Point.fromHex(message.fundPubkey)
  } catch {
    throw new ContractError(ContractErrorCode.TERMS_MISMATCH, `${path}/fundPubkey is not a secp256k1 point`, {
      path: `${path}/fundPubkey`,
    })
  }
  for (const [index, coin] of message.inputs.entries()) {
    // Only coins whose signatures are checked before the funding is broadcast (P2WPKH, P2TR).
    let expected: number | undefined
    try {
      expected = maxWitnessLengthOf(fromHex(coin.script))
    } catch {
      expected = undefined
    }
    if (expected === undefined || coin.maxWitnessLength !== expected) {
      throw new ContractError(
        ContractErrorCode.FUNDING_INVALID,
        `${path}/inputs/${index} is not a P2WPKH or P2TR coin with its largest witness`,
        { path: `${path}/inputs/${index}` },
      )
    }
  }
  return {
    fundPubkey: fromHex(message.fundPubkey, 33),
    payoutScript: addressScript(message.payoutAddress, network, `${path}/payoutAddress`),
    payoutSerialId: BigInt(message.payoutSerialId),
    changeScript: addressScript(message.changeAddress, network, `${path}/changeAddress`),
    changeSerialId: BigInt(message.changeSerialId),
    inputs: message.inputs.map((coin) => ({
      txid: coin.txid,
      vout: coin.vout,
      amount: BigInt(coin.amount),
      script: fromHex(coin.script),
      maxWitnessLength: coin.maxWitnessLength,
      serialId: BigInt(coin.serialId),
    })),
    collateral: BigInt(message.collateral),
  }
}

function coinsOf(message: PartyMessage): SpentCoin[] {
  return message.inputs.map((coin) => ({
    txid: coin.txid,
    vout: coin.vout,
    amount: BigInt(coin.amount),
    script: fromHex(coin.script),
  }))
}

/** The contract's transactions, rebuilt from the proposal and the acceptor's part. */
export function transactionsOf(proposal: ContractOffer, acceptor: PartyMessage): DlcTransactions {
  const originator = proposal.originator
  const seen = new Set(originator.inputs.map((coin) => `${coin.txid}:${coin.vout}`))
  for (const [index, coin] of acceptor.inputs.entries()) {
    if (seen.has(`${coin.txid}:${coin.vout}`)) {
      throw new ContractError(ContractErrorCode.FUNDING_INVALID, 'both sides fund with the same coin', {
        path: `/acceptor/inputs/${index}`,
      })
    }
  }
  if (acceptor.fundPubkey === originator.fundPubkey) {
    throw new ContractError(ContractErrorCode.TERMS_MISMATCH, 'both sides use the same funding key', {
      path: '/acceptor/fundPubkey',
    })
  }
  return buildDlcTransactions({
    payouts: proposal.payouts.map((payout) => ({
      originator: BigInt(payout.originator),
      acceptor: BigInt(payout.acceptor),
    })),
    originator: party(originator, proposal.network, '/originator'),
    acceptor: party(acceptor, proposal.network, '/acceptor'),
    refundLocktime: proposal.refundLocktime,
    feeRate: BigInt(proposal.feeRate),
    fundOutputSerialId: BigInt(proposal.fundOutputSerialId),
  })
}

function keyOf(record: Pick<ContractRecord, 'proposal' | 'role'>, trader: ContractTrader) {
  return fundingKey(trader.secretKey, offerKey(record.proposal.offer), record.proposal.nonce, record.role)
}

/** Adaptor signatures from the commitment's points, after checking the library derives the same points. */
function signCets(
  txs: DlcTransactions,
  proposal: ContractOffer,
  terms: CheckedTerms,
  secret: Uint8Array,
): string[] {
  const libraryPoints = adaptorPoints(proposal.oracle, terms.messages)
  if (canonicalize(libraryPoints) !== canonicalize(terms.points)) {
    throw new Error("the DLC library's adaptor points differ from the commitment's outcome points")
  }
  return adaptorSign(txs, terms.points, secret)
}

function checkCounterpartySignatures(
  txs: DlcTransactions,
  proposal: ContractOffer,
  terms: CheckedTerms,
  signed: { cetSignatures: string[]; refundSignature: string },
  pubkey: string,
  who: Role,
): void {
  const bad = firstBadAdaptorSignature(
    txs,
    signed.cetSignatures,
    proposal.oracle,
    terms.messages,
    fromHex(pubkey, 33),
  )
  if (bad >= 0) {
    throw new ContractError(
      ContractErrorCode.SIGNATURE_INVALID,
      `the ${who}'s adaptor signature of the CET for "${proposal.payouts[bad]?.answer ?? bad}" does not verify`,
      { path: `/cetSignatures/${bad}`, answer: proposal.payouts[bad]?.answer ?? '' },
    )
  }
  if (!verifyFundingSpend(txs.refund, txs, signed.refundSignature, fromHex(pubkey, 33))) {
    throw new ContractError(
      ContractErrorCode.SIGNATURE_INVALID,
      `the ${who}'s refund signature does not verify`,
      {
        path: '/refundSignature',
      },
    )
  }
}

/** Acceptor: checks the proposal, adds its coins, adaptor-signs every CET and signs the refund. */
export function accept(input: SideInput & { proposal: ContractOffer; capability: OracleCapability }): {
  record: ContractRecord
  accept: ContractAccept
} {
  const { proposal } = input
  const terms = checkProposal(proposal, input.capability)
  if (proposal.offer.acceptance?.acceptor !== input.trader.publicKey) {
    throw new ContractError(
      ContractErrorCode.TERMS_MISMATCH,
      'this offer was accepted by another trader key',
      {
        path: '/offer/acceptance/acceptor',
      },
    )
  }
  const id = contractIdOf(proposal)
  const key = keyOf({ proposal, role: 'acceptor' }, input.trader)
  const acceptor = partyMessage(input, proposal.network, key.pubkey, proposal.offer.terms.acceptorAmount)
  const txs = transactionsOf(proposal, acceptor)
  const message: ContractAccept = {
    type: 'mega-contract-accept',
    version: 1,
    contractId: id,
    acceptor,
    cetSignatures: signCets(txs, proposal, terms, key.secret),
    refundSignature: signFundingSpend(txs.refund, txs, key.secret),
  }
  return {
    record: { id, role: 'acceptor', proposal, accept: message, walletPsbt: input.walletPsbt },
    accept: message,
  }
}

/** What `sign` or `finalize` returns while the user's wallet has yet to sign its coins. */
export interface NeedsWallet {
  /** The funding PSBT (base64) for the wallet to sign (only this side's inputs). */
  fundingPsbt: string
}

/**
 * Originator: checks the acceptor's part and signatures; without `walletSignedPsbt` returns the
 * funding PSBT for the wallet, with it returns the sign message (its own adaptor and refund
 * signatures and the funding PSBT with its inputs signed).
 */
export function sign(input: {
  record: ContractRecord
  accept: ContractAccept
  capability: OracleCapability
  trader: ContractTrader
  walletSignedPsbt?: string
}): NeedsWallet | { record: ContractRecord; sign: ContractSign } {
  const { record, accept: message } = input
  if (record.role !== 'originator') throw stateError('only the originator signs after an accept')
  if (message.contractId !== record.id) {
    throw new ContractError(
      ContractErrorCode.MESSAGE_INVALID,
      `the accept is for contract ${message.contractId}, not ${record.id}`,
      {
        path: '/contractId',
      },
    )
  }
  const { proposal } = record
  const terms = checkProposal(proposal, input.capability)
  checkAcceptorCollateral(proposal.offer, message.acceptor.collateral)
  const txs = transactionsOf(proposal, message.acceptor)
  checkCounterpartySignatures(txs, proposal, terms, message, message.acceptor.fundPubkey, 'acceptor')
  const coins = [...coinsOf(proposal.originator), ...coinsOf(message.acceptor)]
  if (input.walletSignedPsbt === undefined)
    return { fundingPsbt: fundingPsbt(txs.fund, coins, record.walletPsbt) }
  const key = keyOf(record, input.trader)
  const signMessage: ContractSign = {
    type: 'mega-contract-sign',
    version: 1,
    contractId: record.id,
    cetSignatures: signCets(txs, proposal, terms, key.secret),
    refundSignature: signFundingSpend(txs.refund, txs, key.secret),
    // Only the witnesses go to the acceptor, not the wallet's key origins.
    fundingPsbt: takeWalletSignatures(
      fundingPsbt(txs.fund, coins),
      input.walletSignedPsbt,
      coinsOf(proposal.originator),
    ),
  }
  return { record: { ...record, accept: message, sign: signMessage }, sign: signMessage }
}

/**
 * Acceptor: checks the originator's signatures and signed coins; without `walletSignedPsbt`
 * returns the funding PSBT for the wallet, with it the fully signed funding transaction.
 */
export function finalize(input: {
  record: ContractRecord
  sign: ContractSign
  capability: OracleCapability
  walletSignedPsbt?: string
}): NeedsWallet | { record: ContractRecord; fundingTx: string } {
  const { record, sign: message } = input
  if (record.role !== 'acceptor' || !record.accept)
    throw stateError('only the acceptor finalizes, after accepting')
  if (message.contractId !== record.id) {
    throw new ContractError(
      ContractErrorCode.MESSAGE_INVALID,
      `the sign message is for contract ${message.contractId}, not ${record.id}`,
      {
        path: '/contractId',
      },
    )
  }
  const { proposal, accept: accepted } = record
  const terms = checkProposal(proposal, input.capability)
  const txs = transactionsOf(proposal, accepted.acceptor)
  checkCounterpartySignatures(txs, proposal, terms, message, proposal.originator.fundPubkey, 'originator')
  const originatorCoins = coinsOf(proposal.originator)
  const acceptorCoins = coinsOf(accepted.acceptor)
  // Our own PSBT of the funding (previous outputs as we know them) with the originator's
  // signatures taken in and verified: the wallet never signs a PSBT the counterparty wrote.
  let withOriginator: string
  try {
    withOriginator = takeWalletSignatures(
      fundingPsbt(txs.fund, [...originatorCoins, ...acceptorCoins], record.walletPsbt),
      message.fundingPsbt,
      originatorCoins,
    )
  } catch (error) {
    throw new ContractError(
      ContractErrorCode.SIGNATURE_INVALID,
      `the originator's funding signatures: ${(error as Error).message}`,
      { path: '/fundingPsbt' },
      { cause: error },
    )
  }
  if (input.walletSignedPsbt === undefined) return { fundingPsbt: withOriginator }
  const both = takeWalletSignatures(withOriginator, input.walletSignedPsbt, acceptorCoins)
  const fundingTx = toHex(extractFunding(both, [...originatorCoins, ...acceptorCoins]))
  return { record: { ...record, sign: message, fundingTx }, fundingTx }
}

function stateError(message: string): ContractError {
  return new ContractError(ContractErrorCode.STATE, message)
}

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
 * key with the committed nonce R, an answer with a CET. Returns the answer's CET index.
 */
export function factOutcome(record: ContractRecord, fact: Fact): number {
  const { commitment, payouts } = record.proposal
  const problem = (message: string) =>
    new ContractError(ContractErrorCode.FACT_INVALID, message, { path: '/fact' })
  if (canonicalize(fact.request) !== canonicalize(commitment.request))
    throw problem("the fact answers another request than the contract's")
  const signed = verifySignatures(fact)
  if (!signed.ok) throw problem(`the fact's signature does not verify: ${signed.error.message}`)
  const kept = verifyAttestation(commitment, fact)
  if (!kept.ok) throw problem(kept.error.message)
  const index = payouts.findIndex((payout) => payout.answer === fact.answer)
  if (index < 0) throw problem(`the answer ${JSON.stringify(fact.answer)} has no CET`)
  return index
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
  const index = factOutcome(record, fact)
  const txs = transactionsOf(record.proposal, parts.accept.acceptor)
  const cet = txs.cets[index]!
  const counterparty = counterpartyOf(record, parts)
  const der = decryptAdaptorSignature(counterparty.cetSignatures[index]!, fact.signature)
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
  const payout = record.proposal.payouts[index]!
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
  const leakedKey = recoverSecretFromNonceReuse(
    request.capability,
    { message: factDigest(request, first.answer), signature: first.signature },
    { message: factDigest(request, second.answer), signature: second.signature },
  )
  const mine = record.role
  return {
    answers: [first.answer, second.answer],
    leakedKey,
    counterpartyCanPublish: record.proposal.payouts
      .map((payout) => ({
        answer: payout.answer,
        counterpartyGets: mine === 'originator' ? payout.acceptor : payout.originator,
        weGet: mine === 'originator' ? payout.originator : payout.acceptor,
      }))
      .filter((entry) => entry.counterpartyGets > entry.weGet),
  }
}
