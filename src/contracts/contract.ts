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
import {
  type Commitment,
  canonicalize,
  fromHex,
  type Offer,
  type OracleCapability,
  offerKey,
  toHex,
} from '../protocol/index.ts'
import {
  addressScript,
  CHAIN_OF_NETWORK,
  extractFunding,
  fundingPsbt,
  maxWitnessLengthOf,
  type Network,
  networkOfChain,
  type SpentCoin,
  signFundingSpend,
  takeWalletSignatures,
  verifyFundingSpend,
  walletCoins,
} from './bitcoin.ts'
import {
  adaptorPoints,
  adaptorSign,
  buildDlcTransactions,
  type DlcTransactions,
  firstBadAdaptorSignature,
  firstBadQuorumSignature,
  type PartyFunding,
  type QuorumSignatureCheck,
  quorumAdaptorPoints,
} from './dlc.ts'
import { ContractError, ContractErrorCode } from './errors.ts'
import { fundingKey, type Role } from './keys.ts'
import {
  type ContractAccept,
  type ContractOffer,
  type ContractSign,
  contractIdOf,
  deadlineOf,
  type PartyMessage,
} from './messages.ts'
import { answersOfCapabilities, quorumPayouts, quorumPlan } from './quorum.ts'
import {
  type CheckedTerms,
  cetsOf,
  checkAcceptorCollateral,
  checkTerms,
  curveOf,
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

/** Highest fee rate an acceptor pays without saying so, sat/vB. */
export const DEFAULT_MAX_FEE_RATE = 100
/** Longest wait for the refund after the commitment's deadline an acceptor agrees to without saying so: 30 days. */
export const DEFAULT_MAX_REFUND_DELAY = 30 * 86_400

const randomSerial = () => BigInt(`0x${toHex(randomBytes(8))}`).toString()

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
  /** The question's capability. */
  capability: OracleCapability
  /** The oracle's commitment to answer the question (an offer of one oracle). */
  commitment?: Commitment
  /** A quorum offer: every request's capability, in request order (the question's first). */
  capabilities?: OracleCapability[]
  /** A quorum offer: every request's commitment, in request order. */
  commitments?: Commitment[]
  /** Satoshis per virtual byte. */
  feeRate: number
  /** Unix time of the refund. @default the commitment's deadline + 7 days */
  refundLocktime?: number
  network?: Network
}

/** The originator's proposal from a finalized offer and the oracle's commitment; checked as the acceptor will. */
export function propose(input: ProposeInput): ContractRecord {
  const { offer } = input
  if (offer.terms.quorum?.length) return proposeQuorum(input)
  const commitment = input.commitment
  if (!commitment) throw new Error('an offer of one oracle needs its commitment')
  const { head, key } = proposalHead(input)
  const publicKey = commitment.request.capability
  const curve = curveOf(offer)
  const proposal: ContractOffer = {
    ...head,
    commitment,
    oracle:
      commitment.attestation.type === 'schnorr-digits'
        ? { publicKey, nonces: commitment.attestation.nonces }
        : { publicKey, nonce: commitment.attestation.type === 'schnorr' ? commitment.attestation.nonce : '' },
    ...(curve ? { curve } : { payouts: payoutsOf(offer, input.capability) }),
    feeRate: input.feeRate,
    refundLocktime: input.refundLocktime ?? commitment.deadline + DEFAULT_REFUND_DELAY,
    fundOutputSerialId: randomSerial(),
    originator: partyMessage(input, head.network, key.pubkey, offer.terms.originatorAmount),
  }
  checkProposal(proposal, input.capability)
  return { id: contractIdOf(proposal), role: 'originator', proposal, walletPsbt: input.walletPsbt }
}

/**
 * What every proposal starts with, once the offer is its trader's: the offer's network, a fresh
 * nonce and the originator's funding key it seeds.
 */
function proposalHead(input: ProposeInput) {
  const { offer } = input
  if (offer.terms.originator !== input.trader.publicKey) {
    throw new ContractError(
      ContractErrorCode.TERMS_MISMATCH,
      'only the originator of the offer proposes its contract',
      { path: '/offer/terms/originator' },
    )
  }
  const network = input.network ?? networkOfChain(offer.terms.chain)
  const nonce = toHex(randomBytes(32))
  const key = fundingKey(input.trader.secretKey, offerKey(offer), nonce, 'originator')
  return { head: { type: 'mega-contract-offer', version: 1, network, nonce, offer } as const, key }
}

/** A quorum offer's proposal: one commitment and one announced key and nonce per request. */
function proposeQuorum(input: ProposeInput): ContractRecord {
  const { offer, commitments, capabilities } = input
  if (!commitments || !capabilities)
    throw new Error('an offer with a quorum needs every request’s commitment and capability')
  const { head, key } = proposalHead(input)
  const plan = quorumPayoutsOf(offer, capabilities)
  const proposal: ContractOffer = {
    ...head,
    commitments,
    oracles: commitments.map((commitment) => ({
      publicKey: commitment.request.capability,
      nonce: commitment.attestation.type === 'schnorr' ? commitment.attestation.nonce : '',
    })),
    payouts: plan,
    feeRate: input.feeRate,
    refundLocktime:
      input.refundLocktime ?? Math.max(...commitments.map((c) => c.deadline)) + DEFAULT_REFUND_DELAY,
    fundOutputSerialId: randomSerial(),
    originator: partyMessage(input, head.network, key.pubkey, offer.terms.originatorAmount),
  }
  checkProposal(proposal, input.capability, capabilities)
  return { id: contractIdOf(proposal), role: 'originator', proposal, walletPsbt: input.walletPsbt }
}

/** The payouts of a quorum offer's outcomes, from its plan over the capabilities. */
function quorumPayoutsOf(offer: Offer, capabilities: readonly OracleCapability[]) {
  return quorumPayouts(
    offer.terms,
    quorumPlan(offer.terms, answersOfCapabilities(offer.terms, capabilities)).outcomes,
  )
}

function checkProposal(
  proposal: ContractOffer,
  capability: OracleCapability,
  capabilities?: readonly OracleCapability[],
): CheckedTerms {
  return checkTerms(proposal, capability, (network) => CHAIN_OF_NETWORK[network as Network], capabilities)
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
    payouts: cetsOf(proposal).map((payout) => ({
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

/** This side's funding key of a contract, derived again from the trader key. */
export function keyOf(record: Pick<ContractRecord, 'proposal' | 'role'>, trader: ContractTrader) {
  return fundingKey(trader.secretKey, offerKey(record.proposal.offer), record.proposal.nonce, record.role)
}

/** Adaptor signatures from the commitment's points, after checking the library derives the same points. */
function signCets(txs: DlcTransactions, terms: CheckedTerms, secret: Uint8Array): string[] {
  if (terms.quorum) {
    const { checks } = terms.quorum
    if (canonicalize(quorumLibraryPoints(checks)) !== canonicalize(terms.points)) {
      throw new Error("the DLC library's adaptor points differ from the commitments' summed outcome points")
    }
    return adaptorSign(
      txs,
      terms.points,
      secret,
      checks.map((check) => check.cet),
    )
  }
  // Numeric points are the library's already (sums over the prefix digits), checked against the
  // protocol's own digit points in the tests; enumerated ones are computed twice here.
  const libraryPoints =
    'nonce' in terms.oracle ? adaptorPoints(terms.oracle, terms.messages as Uint8Array[]) : terms.points
  if (canonicalize(libraryPoints) !== canonicalize(terms.points)) {
    throw new Error("the DLC library's adaptor points differ from the commitment's outcome points")
  }
  return adaptorSign(txs, terms.points, secret)
}

/** The library's sum of each combination's points, one call per set of oracles. */
function quorumLibraryPoints(checks: QuorumSignatureCheck[]): string[] {
  const groups = new Map<string, number[]>()
  for (const [index, check] of checks.entries()) {
    const key = check.oracles.map((oracle) => oracle.publicKey).join(',')
    groups.set(key, [...(groups.get(key) ?? []), index])
  }
  const points: string[] = []
  for (const indices of groups.values()) {
    const oracles = checks[indices[0]!]!.oracles
    const sums = quorumAdaptorPoints(
      oracles,
      indices.map((index) => checks[index]!.messages),
    )
    for (const [i, index] of indices.entries()) points[index] = sums[i]!
  }
  return points
}

function checkCounterpartySignatures(
  txs: DlcTransactions,
  terms: CheckedTerms,
  signed: { cetSignatures: string[]; refundSignature: string },
  pubkey: string,
  who: Role,
): void {
  if (terms.quorum) {
    const { plan, checks } = terms.quorum
    const bad = firstBadQuorumSignature(txs, signed.cetSignatures, checks, fromHex(pubkey, 33))
    if (bad >= 0) {
      const combination = plan.combinations[bad]
      const outcome = combination ? plan.outcomes[combination.cet]! : ''
      const agreeing = combination
        ? combination.requests.map((j, i) => `request ${j} "${combination.answers[i]}"`).join(', ')
        : `${checks.length} expected, got ${signed.cetSignatures.length}`
      throw new ContractError(
        ContractErrorCode.SIGNATURE_INVALID,
        `the ${who}'s adaptor signature ${bad} of the CET for "${outcome}" (${agreeing}) does not verify`,
        { path: `/cetSignatures/${bad}`, answer: outcome },
      )
    }
  }
  const bad = terms.quorum
    ? -1
    : firstBadAdaptorSignature(txs, signed.cetSignatures, terms.oracle, terms.messages, fromHex(pubkey, 33))
  if (bad >= 0) {
    throw new ContractError(
      ContractErrorCode.SIGNATURE_INVALID,
      `the ${who}'s adaptor signature of the CET for "${terms.cets[bad]?.label ?? bad}" does not verify`,
      { path: `/cetSignatures/${bad}`, answer: terms.cets[bad]?.label ?? '' },
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
export function accept(
  input: SideInput & {
    proposal: ContractOffer
    capability: OracleCapability
    /** A quorum offer: every request's capability, in request order (the question's first). */
    capabilities?: OracleCapability[]
    /** Highest fee rate (sat/vB) the acceptor pays its share at. @default {@link DEFAULT_MAX_FEE_RATE} */
    maxFeeRate?: number
    /** Longest wait (seconds after the commitment's deadline) for the refund. @default {@link DEFAULT_MAX_REFUND_DELAY} */
    maxRefundDelay?: number
  },
): {
  record: ContractRecord
  accept: ContractAccept
} {
  const { proposal } = input
  const terms = checkProposal(proposal, input.capability, input.capabilities)
  const maxRefundDelay = input.maxRefundDelay ?? DEFAULT_MAX_REFUND_DELAY
  const deadline = deadlineOf(proposal)
  if (proposal.refundLocktime > deadline + maxRefundDelay) {
    // Should the oracle never attest, both stakes stay locked until the refund.
    throw new ContractError(
      ContractErrorCode.TERMS_MISMATCH,
      `the refund comes ${Math.ceil((proposal.refundLocktime - deadline) / 86_400)} days after the deadline, more than ${Math.floor(maxRefundDelay / 86_400)} (raise it with --max-refund-delay)`,
      { path: '/refundLocktime' },
    )
  }
  const maxFeeRate = input.maxFeeRate ?? DEFAULT_MAX_FEE_RATE
  if (proposal.feeRate > maxFeeRate) {
    // Each side pays the fees of its own inputs and change at this rate: a proposal could burn
    // the acceptor's coins in fees.
    throw new ContractError(
      ContractErrorCode.TERMS_MISMATCH,
      `the proposed fee rate ${proposal.feeRate} sat/vB is above ${maxFeeRate} sat/vB (raise it with --max-fee-rate)`,
      { path: '/feeRate' },
    )
  }
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
    cetSignatures: signCets(txs, terms, key.secret),
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
  /** A quorum offer: every request's capability, in request order. */
  capabilities?: OracleCapability[]
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
  const terms = checkProposal(proposal, input.capability, input.capabilities)
  checkAcceptorCollateral(proposal.offer, message.acceptor.collateral)
  const txs = transactionsOf(proposal, message.acceptor)
  checkCounterpartySignatures(txs, terms, message, message.acceptor.fundPubkey, 'acceptor')
  const coins = [...coinsOf(proposal.originator), ...coinsOf(message.acceptor)]
  if (input.walletSignedPsbt === undefined)
    return { fundingPsbt: fundingPsbt(txs.fund, coins, record.walletPsbt) }
  const key = keyOf(record, input.trader)
  const signMessage: ContractSign = {
    type: 'mega-contract-sign',
    version: 1,
    contractId: record.id,
    cetSignatures: signCets(txs, terms, key.secret),
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
  /** A quorum offer: every request's capability, in request order. */
  capabilities?: OracleCapability[]
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
  const terms = checkProposal(proposal, input.capability, input.capabilities)
  const txs = transactionsOf(proposal, accepted.acceptor)
  checkCounterpartySignatures(txs, terms, message, proposal.originator.fundPubkey, 'originator')
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

/** A step out of order. */
export function stateError(message: string): ContractError {
  return new ContractError(ContractErrorCode.STATE, message)
}
