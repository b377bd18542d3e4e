/**
 * The one door to the DLC library: rust-dlc through its Node bindings (`@bennyblader/ddk-ts`).
 * It builds the funding, CET and refund transactions of a contract (dlcspecs' layout: serial-id
 * ordering, fee split, dust rules), makes and verifies the ECDSA adaptor signatures of the CETs,
 * and decrypts one with an oracle's Schnorr signature. Nothing else in the project touches it, so
 * another implementation can replace this file alone.
 *
 * The package ships a CommonJS loader marked as an ES module, so its native `.node` file is
 * loaded directly through `createRequire`, and only on first use: a node on a platform without
 * the prebuilt binary runs, and only contract commands fail (`CONTRACT_DLC_UNAVAILABLE`).
 */
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { sha256 } from '@noble/hashes/sha2.js'
import { fromHex, toHex } from '../protocol/index.ts'
import { ContractError, ContractErrorCode } from './errors.ts'

/** The part of the bindings this adapter uses (their `index.d.ts`, narrowed). */
interface DdkTransaction {
  version: number
  lockTime: number
  inputs: unknown[]
  outputs: Array<{ value: bigint; scriptPubkey: Buffer }>
  rawBytes: Buffer
}
interface DdkOracleInfo {
  publicKey: Buffer
  nonces: Buffer[]
}
interface DdkParty {
  fundPubkey: Buffer
  changeScriptPubkey: Buffer
  changeSerialId: bigint
  payoutScriptPubkey: Buffer
  payoutSerialId: bigint
  inputs: Array<{ txid: string; vout: number; scriptSig: Buffer; maxWitnessLength: number; serialId: bigint }>
  inputAmount: bigint
  collateral: bigint
  dlcInputs: []
}
interface Ddk {
  version(): string
  createDlcTransactions(
    outcomes: Array<{ offer: bigint; accept: bigint }>,
    local: DdkParty,
    remote: DdkParty,
    refundLocktime: number,
    feeRate: bigint,
    fundLockTime: number,
    cetLockTime: number,
    fundOutputSerialId: bigint,
  ): { fund: DdkTransaction; cets: DdkTransaction[]; refund: DdkTransaction; fundingScriptPubkey: Buffer }
  createCetAdaptorPointsFromOracleInfo(oracleInfo: DdkOracleInfo[], msgs: Buffer[][][]): Buffer[]
  createCetAdaptorSigsFromPoints(
    cets: DdkTransaction[],
    points: Buffer[],
    secretKey: Buffer,
    fundingScript: Buffer,
    fundValue: bigint,
  ): Array<{ signature: Buffer; proof: Buffer }>
  verifyCetAdaptorSigFromOracleInfo(
    signature: { signature: Buffer; proof: Buffer },
    cet: DdkTransaction,
    oracleInfo: DdkOracleInfo[],
    pubkey: Buffer,
    fundingScript: Buffer,
    fundValue: bigint,
    msgs: Buffer[][],
  ): boolean
  extractEcdsaSignatureFromOracleSignatures(oracleSignatures: Buffer[], adaptorSignature: Buffer): Buffer
}

const BINARIES: Record<string, string> = {
  'linux-x64': 'ddk-ts.linux-x64-gnu.node',
  'darwin-arm64': 'ddk-ts.darwin-arm64.node',
}

let loaded: Ddk | undefined

/** Loads the bindings once; throws `CONTRACT_DLC_UNAVAILABLE` where they cannot run. */
function ddk(): Ddk {
  if (loaded) return loaded
  const platform = `${process.platform}-${process.arch}`
  const binary = BINARIES[platform]
  try {
    if (!binary) throw new Error(`no prebuilt binary for ${platform}`)
    const require = createRequire(import.meta.url)
    const root = dirname(require.resolve('@bennyblader/ddk-ts/package.json'))
    loaded = require(join(root, 'dist', binary)) as Ddk
    return loaded
  } catch (error) {
    throw new ContractError(
      ContractErrorCode.DLC_UNAVAILABLE,
      `the DLC library (@bennyblader/ddk-ts) cannot be loaded here: ${(error as Error).message}`,
      { platform },
      { cause: error },
    )
  }
}

/** Version of the loaded DLC library (rust-dlc bindings). */
export function dlcLibraryVersion(): string {
  return `@bennyblader/ddk-ts ${ddk().version()}`
}

/** A coin funding the contract. */
export interface FundingInput {
  txid: string
  vout: number
  /** Value of the previous output, satoshis. */
  amount: bigint
  /** Previous output's scriptPubKey. */
  script: Uint8Array
  /** Largest witness that spends it (108 for P2WPKH). */
  maxWitnessLength: number
  serialId: bigint
}

/** One side's part of the funding transaction. */
export interface PartyFunding {
  /** Compressed secp256k1 funding public key. */
  fundPubkey: Uint8Array
  payoutScript: Uint8Array
  payoutSerialId: bigint
  changeScript: Uint8Array
  changeSerialId: bigint
  inputs: FundingInput[]
  collateral: bigint
}

/** What both sides build from the same terms, byte for byte. */
export interface DlcTransactionInput {
  /** One payout per outcome, in outcome order: satoshis to each side. */
  payouts: Array<{ originator: bigint; acceptor: bigint }>
  originator: PartyFunding
  acceptor: PartyFunding
  /** Unix time from which the refund transaction is valid (nLockTime). */
  refundLocktime: number
  /** Fee rate, satoshis per virtual byte. */
  feeRate: bigint
  fundOutputSerialId: bigint
}

/** The contract's transactions; `native` is the library's own form, kept for its calls. */
export interface DlcTransactions {
  fund: Uint8Array
  cets: Uint8Array[]
  refund: Uint8Array
  /** The 2-of-2 witness script (`OP_2 <a> <b> OP_2 OP_CHECKMULTISIG`, keys sorted). */
  fundingScript: Uint8Array
  /** Index and value of the funding output in `fund`. */
  fundVout: number
  fundValue: bigint
  readonly native: { cets: DdkTransaction[] }
}

/** Builds the funding transaction, one CET per outcome and the refund (rust-dlc). */
export function buildDlcTransactions(input: DlcTransactionInput): DlcTransactions {
  const lib = ddk()
  const party = (side: PartyFunding): DdkParty => ({
    fundPubkey: Buffer.from(side.fundPubkey),
    changeScriptPubkey: Buffer.from(side.changeScript),
    changeSerialId: side.changeSerialId,
    payoutScriptPubkey: Buffer.from(side.payoutScript),
    payoutSerialId: side.payoutSerialId,
    inputs: side.inputs.map((coin) => ({
      txid: coin.txid,
      vout: coin.vout,
      scriptSig: Buffer.alloc(0),
      maxWitnessLength: coin.maxWitnessLength,
      serialId: coin.serialId,
    })),
    inputAmount: side.inputs.reduce((sum, coin) => sum + coin.amount, 0n),
    collateral: side.collateral,
    dlcInputs: [],
  })
  let built: ReturnType<Ddk['createDlcTransactions']>
  try {
    built = lib.createDlcTransactions(
      input.payouts.map((payout) => ({ offer: payout.originator, accept: payout.acceptor })),
      party(input.originator),
      party(input.acceptor),
      input.refundLocktime,
      input.feeRate,
      0,
      0,
      input.fundOutputSerialId,
    )
  } catch (error) {
    throw new ContractError(
      ContractErrorCode.FUNDING_INVALID,
      `the contract's transactions cannot be built: ${(error as Error).message} (are the funding inputs enough for collateral and fees?)`,
      {},
      { cause: error },
    )
  }
  const fundingScript = new Uint8Array(built.fundingScriptPubkey)
  const fundVout = built.fund.outputs.findIndex((output) => isP2wshOf(output.scriptPubkey, fundingScript))
  if (fundVout < 0) throw new Error('the DLC library built a funding transaction without its 2-of-2 output')
  return {
    fund: new Uint8Array(built.fund.rawBytes),
    cets: built.cets.map((cet) => new Uint8Array(cet.rawBytes)),
    refund: new Uint8Array(built.refund.rawBytes),
    fundingScript,
    fundVout,
    fundValue: built.fund.outputs[fundVout]!.value,
    native: { cets: built.cets },
  }
}

function isP2wshOf(script: Uint8Array, witnessScript: Uint8Array): boolean {
  return (
    script.length === 34 &&
    script[0] === 0 &&
    script[1] === 32 &&
    toHex(script.subarray(2)) === sha256Hex(witnessScript)
  )
}

function sha256Hex(bytes: Uint8Array): string {
  return toHex(sha256(bytes))
}

/** An oracle's Schnorr commitment as the library sees it: key P and the one nonce point R. */
export interface OracleAnnouncement {
  /** x-only public key, hex. */
  publicKey: string
  /** x-only nonce point R, hex. */
  nonce: string
}

/** A numeric commitment as the library sees it: key P and one nonce point R_i per digit. */
export interface DigitAnnouncement {
  /** x-only public key, hex. */
  publicKey: string
  /** x-only nonce points, hex, most significant digit first. */
  nonces: string[]
}

function oracleInfo(oracle: OracleAnnouncement | DigitAnnouncement): DdkOracleInfo {
  const nonces = 'nonces' in oracle ? oracle.nonces : [oracle.nonce]
  return {
    publicKey: Buffer.from(fromHex(oracle.publicKey, 32)),
    nonces: nonces.map((nonce) => Buffer.from(fromHex(nonce, 32))),
  }
}

/**
 * The adaptor point `Σ_i R_i + H(R_i‖P‖m_i)·P` of each CET of a numeric contract, given the
 * messages of its prefix digits (the library pairs them with the first nonces).
 */
export function digitAdaptorPoints(oracle: DigitAnnouncement, messages: Uint8Array[][]): string[] {
  const msgs = messages.map((prefix) => [prefix.map((message) => Buffer.from(message))])
  return ddk()
    .createCetAdaptorPointsFromOracleInfo([oracleInfo(oracle)], msgs)
    .map((point) => toHex(point))
}

/** The adaptor point `R + H(R‖P‖m)·P` of each 32-byte outcome message, as the library computes it. */
export function adaptorPoints(oracle: OracleAnnouncement, messages: Uint8Array[]): string[] {
  const msgs = messages.map((message) => [[Buffer.from(message)]])
  return ddk()
    .createCetAdaptorPointsFromOracleInfo([oracleInfo(oracle)], msgs)
    .map((point) => toHex(point))
}

/**
 * The adaptor point `Σ_j R_j + H(R_j‖P_j‖m_j)·P_j` of each combination of several oracles'
 * outcomes (a quorum contract), as the library computes it: `messages[i][j]` is the message
 * `oracles[j]` signs in combination i. One oracle list for every combination of a call.
 */
export function quorumAdaptorPoints(oracles: OracleAnnouncement[], messages: Uint8Array[][]): string[] {
  const msgs = messages.map((combination) => {
    if (combination.length !== oracles.length) throw new Error('one message per oracle')
    return combination.map((message) => [Buffer.from(message)])
  })
  return ddk()
    .createCetAdaptorPointsFromOracleInfo(oracles.map(oracleInfo), msgs)
    .map((point) => toHex(point))
}

/**
 * Adaptor-signs CET `i` under adaptor point `points[i]` with the funding secret: an ECDSA
 * signature over the CET's BIP 143 sighash that only the oracle's attestation scalar completes.
 * With `cetOf`, signature `i` is of CET `cetOf[i]` (a quorum contract signs one CET under each
 * combination of its outcome). Returns each as hex (adaptor signature ‖ DLEQ proof, as the
 * library encodes it).
 */
export function adaptorSign(
  txs: DlcTransactions,
  points: string[],
  fundingSecret: Uint8Array,
  cetOf?: readonly number[],
): string[] {
  if (cetOf ? cetOf.length !== points.length : points.length !== txs.cets.length)
    throw new Error('one adaptor point per CET')
  const cets = cetOf ? cetOf.map((index) => txs.native.cets[index]!) : txs.native.cets
  return ddk()
    .createCetAdaptorSigsFromPoints(
      cets,
      points.map((point) => Buffer.from(fromHex(point, 33))),
      Buffer.from(fundingSecret),
      Buffer.from(txs.fundingScript),
      txs.fundValue,
    )
    .map((sig) => toHex(Buffer.concat([sig.signature, sig.proof])))
}

/**
 * Index of the first adaptor signature that does not verify for the counterparty's key, the CET,
 * and the point the library derives from the oracle's key, nonce and the outcome's message; -1
 * when all verify. The library computes the points itself, so this also checks them.
 */
export function firstBadAdaptorSignature(
  txs: DlcTransactions,
  signatures: string[],
  oracle: OracleAnnouncement | DigitAnnouncement,
  messages: Uint8Array[] | Uint8Array[][],
  counterpartyPubkey: Uint8Array,
): number {
  if (signatures.length !== txs.cets.length) return Math.min(signatures.length, txs.cets.length)
  const lib = ddk()
  const info = [oracleInfo(oracle)]
  for (const [index, hex] of signatures.entries()) {
    let valid = false
    try {
      valid = lib.verifyCetAdaptorSigFromOracleInfo(
        { signature: Buffer.from(fromHex(hex)), proof: Buffer.alloc(0) },
        txs.native.cets[index]!,
        info,
        Buffer.from(counterpartyPubkey),
        Buffer.from(txs.fundingScript),
        txs.fundValue,
        [messagesOf(messages[index]!).map((message) => Buffer.from(message))],
      )
    } catch {
      valid = false
    }
    if (!valid) return index
  }
  return -1
}

/** One adaptor signature of a quorum contract to verify: its CET, the oracles of its combination, and their messages. */
export interface QuorumSignatureCheck {
  cet: number
  oracles: OracleAnnouncement[]
  messages: Uint8Array[]
}

/**
 * Index of the first adaptor signature of a quorum contract that does not verify for the
 * counterparty's key, its CET, and the point the library sums from its oracles' keys, nonces and
 * messages; -1 when all verify.
 */
export function firstBadQuorumSignature(
  txs: DlcTransactions,
  signatures: string[],
  checks: QuorumSignatureCheck[],
  counterpartyPubkey: Uint8Array,
): number {
  if (signatures.length !== checks.length) return Math.min(signatures.length, checks.length)
  const lib = ddk()
  for (const [index, hex] of signatures.entries()) {
    const check = checks[index]!
    let valid = false
    try {
      valid = lib.verifyCetAdaptorSigFromOracleInfo(
        { signature: Buffer.from(fromHex(hex)), proof: Buffer.alloc(0) },
        txs.native.cets[check.cet]!,
        check.oracles.map(oracleInfo),
        Buffer.from(counterpartyPubkey),
        Buffer.from(txs.fundingScript),
        txs.fundValue,
        check.messages.map((message) => [Buffer.from(message)]),
      )
    } catch {
      valid = false
    }
    if (!valid) return index
  }
  return -1
}

/** One CET's messages: one for an enumerated outcome, one per prefix digit for a numeric one. */
function messagesOf(messages: Uint8Array | Uint8Array[]): Uint8Array[] {
  return messages instanceof Uint8Array ? [messages] : messages
}

/**
 * Decrypts an adaptor signature with the oracle's BIP340 signature of the outcome (its `s` is the
 * adaptor secret), or with the signatures of a numeric CET's prefix digits (their `s` sum to
 * it): the counterparty's plain ECDSA signature (DER, no sighash byte). With any other outcome's
 * signatures the result is not a valid signature.
 */
export function decryptAdaptorSignature(
  adaptorSignature: string,
  oracleSignatures: string | readonly string[],
): Uint8Array {
  const signatures = typeof oracleSignatures === 'string' ? [oracleSignatures] : oracleSignatures
  return new Uint8Array(
    ddk().extractEcdsaSignatureFromOracleSignatures(
      signatures.map((signature) => Buffer.from(fromHex(signature, 64))),
      Buffer.from(fromHex(adaptorSignature)),
    ),
  )
}
