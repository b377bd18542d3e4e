/**
 * The three messages two traders exchange to build a contract, as files (or at a URL):
 * `mega-contract-offer` (the originator's proposal), `mega-contract-accept` (the acceptor's
 * coins and signatures) and `mega-contract-sign` (the originator's signatures and its signed
 * funding inputs). Canonical JSON (RFC 8785), versioned, with a schema each; unknown fields are
 * refused. They carry what dlcspecs' `offer_dlc`, `accept_dlc` and `sign_dlc` carry, in Mega's
 * terms: the Mega offer and the oracle's signed commitment instead of a contract descriptor and
 * an oracle announcement (docs/contracts.md §Messages).
 */
import { createHash } from 'node:crypto'
import Type from 'typebox'
import {
  type Commitment,
  CurvePoint,
  canonicalize,
  Hex32,
  LIMITS,
  MESSAGE_SCHEMAS,
  type Offer,
  SafeInteger,
  strict,
  UnixTime,
  validateSchema,
} from '../protocol/index.ts'
import { NETWORKS, type Network } from './bitcoin.ts'
import { ContractError, ContractErrorCode } from './errors.ts'
import { MAX_CETS, type PayoutCurve } from './numeric.ts'

/** Version of the message formats. */
export const CONTRACT_MESSAGE_VERSION = 1

const Hex = (description: string, maxLength = 20_000) =>
  Type.String({ pattern: '^([0-9a-f]{2})*$', maxLength, description })
const Uint64 = Type.String({
  pattern: '^(0|[1-9][0-9]{0,19})$',
  description: 'unsigned 64-bit integer, decimal',
})
const Address = Type.String({ minLength: 14, maxLength: 100, description: 'Bitcoin address of the network' })

const Coin = Type.Object(
  {
    txid: Hex32,
    vout: Type.Integer({ minimum: 0, maximum: 0xffffffff }),
    amount: SafeInteger,
    script: Hex('previous output script', 200),
    maxWitnessLength: Type.Integer({ minimum: 1, maximum: 10_000 }),
    serialId: Uint64,
  },
  strict,
)

const Party = Type.Object(
  {
    fundPubkey: Type.String({ pattern: '^0[23][0-9a-f]{64}$', description: 'compressed secp256k1 key' }),
    payoutAddress: Address,
    payoutSerialId: Uint64,
    changeAddress: Address,
    changeSerialId: Uint64,
    inputs: Type.Array(Coin, { minItems: 1, maxItems: 64 }),
    collateral: SafeInteger,
  },
  strict,
)

const Signatures = Type.Array(Hex('adaptor signature', 400), { minItems: 2, maxItems: MAX_CETS })
const EcdsaSignature = Hex('DER ECDSA signature with SIGHASH_ALL', 146)

const ContractOfferSchema = Type.Object(
  {
    type: Type.Literal('mega-contract-offer'),
    version: Type.Literal(CONTRACT_MESSAGE_VERSION),
    network: Type.Union(NETWORKS.map((network) => Type.Literal(network))),
    nonce: Hex32,
    offer: MESSAGE_SCHEMAS.offer,
    commitment: Type.Optional(MESSAGE_SCHEMAS.commitment),
    commitments: Type.Optional(Type.Array(MESSAGE_SCHEMAS.commitment, { minItems: 2, maxItems: 5 })),
    oracles: Type.Optional(
      Type.Array(Type.Object({ publicKey: Hex32, nonce: Hex32 }, strict), { minItems: 2, maxItems: 5 }),
    ),
    oracle: Type.Optional(
      Type.Union([
        Type.Object({ publicKey: Hex32, nonce: Hex32 }, strict),
        Type.Object(
          { publicKey: Hex32, nonces: Type.Array(Hex32, { minItems: 1, maxItems: LIMITS.digits }) },
          strict,
        ),
      ]),
    ),
    payouts: Type.Optional(
      Type.Array(
        Type.Object(
          { answer: Type.String({ maxLength: 256 }), originator: SafeInteger, acceptor: SafeInteger },
          strict,
        ),
        { minItems: 2, maxItems: 256 },
      ),
    ),
    curve: Type.Optional(
      Type.Object(
        {
          digits: Type.Integer({ minimum: 1, maximum: LIMITS.digits }),
          total: SafeInteger,
          points: Type.Array(CurvePoint, { minItems: 2, maxItems: 64 }),
          rounding: SafeInteger,
        },
        strict,
      ),
    ),
    feeRate: Type.Integer({ minimum: 1, maximum: 10_000, description: 'satoshis per virtual byte' }),
    refundLocktime: UnixTime,
    fundOutputSerialId: Uint64,
    originator: Party,
  },
  strict,
)

const ContractAcceptSchema = Type.Object(
  {
    type: Type.Literal('mega-contract-accept'),
    version: Type.Literal(CONTRACT_MESSAGE_VERSION),
    contractId: Hex32,
    acceptor: Party,
    cetSignatures: Signatures,
    refundSignature: EcdsaSignature,
  },
  strict,
)

const ContractSignSchema = Type.Object(
  {
    type: Type.Literal('mega-contract-sign'),
    version: Type.Literal(CONTRACT_MESSAGE_VERSION),
    contractId: Hex32,
    cetSignatures: Signatures,
    refundSignature: EcdsaSignature,
    fundingPsbt: Type.String({
      pattern: '^[A-Za-z0-9+/=]+$',
      maxLength: 200_000,
      description: 'base64 PSBT',
    }),
  },
  strict,
)

/** A funding coin in a message. */
export interface CoinMessage {
  txid: string
  vout: number
  amount: number
  script: string
  maxWitnessLength: number
  serialId: string
}

/** One side's funding in a message. */
export interface PartyMessage {
  fundPubkey: string
  payoutAddress: string
  payoutSerialId: string
  changeAddress: string
  changeSerialId: string
  inputs: CoinMessage[]
  collateral: number
}

/** One payout per answer of the capability, in the capability's order: the CETs' order. */
export interface PayoutMessage {
  answer: string
  originator: number
  acceptor: number
}

/** The originator's proposal. */
export interface ContractOffer {
  type: 'mega-contract-offer'
  version: 1
  network: Network
  /** 32 random bytes: tells apart two proposals on one offer and seeds the funding keys. */
  nonce: string
  /** The finalized Mega offer (seqNo 2). */
  offer: Offer
  /** One oracle: its signed Schnorr commitment to answer the offer's question (absent with a quorum). */
  commitment?: Commitment
  /** One oracle: its key P and nonce point R (numeric: one R_i per digit) of the adaptor points (the commitment's). */
  oracle?: { publicKey: string; nonce: string } | { publicKey: string; nonces: string[] }
  /** A quorum of oracles: each request's signed Schnorr commitment, in request order (question, then quorum). */
  commitments?: Commitment[]
  /** A quorum of oracles: each request's key P_j and nonce R_j (its commitment's), in request order. */
  oracles?: Array<{ publicKey: string; nonce: string }>
  /** Enumerated outcomes: one payout per answer (a quorum: per outcome), in CET order. */
  payouts?: PayoutMessage[]
  /** Numeric outcomes: the offer's curve with both stakes as its total; the CETs follow from it. */
  curve?: PayoutCurve
  feeRate: number
  /** Unix time from which the refund is valid: after the commitment's deadline. */
  refundLocktime: number
  fundOutputSerialId: string
  originator: PartyMessage
}

/** The acceptor's answer: its funding, adaptor signatures of every CET and its refund signature. */
export interface ContractAccept {
  type: 'mega-contract-accept'
  version: 1
  contractId: string
  acceptor: PartyMessage
  cetSignatures: string[]
  refundSignature: string
}

/** The originator's signatures and its wallet-signed funding inputs. */
export interface ContractSign {
  type: 'mega-contract-sign'
  version: 1
  contractId: string
  cetSignatures: string[]
  refundSignature: string
  fundingPsbt: string
}

export type ContractMessage = ContractOffer | ContractAccept | ContractSign

const SCHEMAS = {
  'mega-contract-offer': ContractOfferSchema,
  'mega-contract-accept': ContractAcceptSchema,
  'mega-contract-sign': ContractSignSchema,
} as const

type MessageOfType = {
  'mega-contract-offer': ContractOffer
  'mega-contract-accept': ContractAccept
  'mega-contract-sign': ContractSign
}

/**
 * Parses a contract message of `type` from JSON text; throws `CONTRACT_MESSAGE_INVALID` naming
 * the path at fault (a message of another type or version, a field out of its schema).
 */
export function parseContractMessage<T extends keyof MessageOfType>(text: string, type: T): MessageOfType[T] {
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch (error) {
    throw new ContractError(ContractErrorCode.MESSAGE_INVALID, `not JSON: ${(error as Error).message}`)
  }
  const found = (value as { type?: unknown; version?: unknown } | null)?.type
  if (found !== type) {
    throw new ContractError(
      ContractErrorCode.MESSAGE_INVALID,
      `/type must be "${type}", got ${JSON.stringify(found)}`,
      {
        path: '/type',
      },
    )
  }
  const version = (value as { version?: unknown }).version
  if (version !== CONTRACT_MESSAGE_VERSION) {
    throw new ContractError(
      ContractErrorCode.MESSAGE_INVALID,
      `/version ${JSON.stringify(version)} is not supported (this toolkit reads version ${CONTRACT_MESSAGE_VERSION})`,
      { path: '/version' },
    )
  }
  const result = validateSchema<MessageOfType[T]>(SCHEMAS[type], value, type)
  if (!result.ok) {
    throw new ContractError(ContractErrorCode.MESSAGE_INVALID, `${type}: ${result.error.message}`, {
      path: result.error.details.path,
    })
  }
  return result.value
}

/** A contract message as canonical JSON text (what is written to a file and hashed). */
export function serializeContractMessage(message: ContractMessage): string {
  return canonicalize(message)
}

/** The commitments of a proposal, in request order: the one commitment, or one per request of a quorum. */
export function commitmentsOf(proposal: ContractOffer): Commitment[] {
  return proposal.commitments ?? (proposal.commitment ? [proposal.commitment] : [])
}

/** The latest deadline of the proposal's commitments: the refund comes after it. */
export function deadlineOf(proposal: ContractOffer): number {
  return Math.max(...commitmentsOf(proposal).map((commitment) => commitment.deadline))
}

/** The contract id: SHA-256 of the canonical proposal, hex. The accept and sign messages name it. */
export function contractIdOf(offer: ContractOffer): string {
  return createHash('sha256').update(canonicalize(offer)).digest('hex')
}

/** JSON Schemas of the three messages, for documentation and other implementations. */
export const CONTRACT_MESSAGE_SCHEMAS = SCHEMAS
