/**
 * Coded errors of Bitcoin contracts. Callers and tests match on `code`, never on the text; every
 * refusal is raised before anything is signed.
 */
import { CodedError } from '../protocol/index.ts'

/** Stable error codes of contracts. */
export const ContractErrorCode = {
  /** A contract message or file breaks its schema, or its version is unknown. */
  MESSAGE_INVALID: 'CONTRACT_MESSAGE_INVALID',
  /** The terms do not follow from the offer (amounts, payouts, answers, chain, parties). */
  TERMS_MISMATCH: 'CONTRACT_TERMS_MISMATCH',
  /** The oracle commitment is not a signed Schnorr commitment on the offer's question. */
  COMMITMENT_INVALID: 'CONTRACT_COMMITMENT_INVALID',
  /** A counterparty's adaptor, refund or funding signature does not verify. */
  SIGNATURE_INVALID: 'CONTRACT_SIGNATURE_INVALID',
  /** A funding PSBT is unusable: unknown input type, no previous output, another transaction. */
  FUNDING_INVALID: 'CONTRACT_FUNDING_INVALID',
  /** An address is malformed or belongs to another network. */
  ADDRESS_INVALID: 'CONTRACT_ADDRESS_INVALID',
  /** The step does not fit the contract's state (signing twice, settling before signing). */
  STATE: 'CONTRACT_STATE',
  /** The refund transaction is not valid yet: its locktime lies ahead. */
  REFUND_TOO_EARLY: 'CONTRACT_REFUND_TOO_EARLY',
  /** The fact does not attest this contract's commitment (answer, nonce, signature). */
  FACT_INVALID: 'CONTRACT_FACT_INVALID',
  /** The DLC library cannot be loaded on this platform. */
  DLC_UNAVAILABLE: 'CONTRACT_DLC_UNAVAILABLE',
  /** An Esplora endpoint refused or did not take the transaction. */
  BROADCAST_FAILED: 'CONTRACT_BROADCAST_FAILED',
  /** The message cannot be written in dlcspecs' form from this side (a coin without its previous transaction). */
  EXPORT_UNAVAILABLE: 'CONTRACT_EXPORT_UNAVAILABLE',
  /** A quorum contract needs more adaptor signatures than `MAX_QUORUM_COMBINATIONS` (quorum.ts). */
  TOO_LARGE: 'CONTRACT_TOO_LARGE',
  /** No k requests' facts agree on one outcome: no CET of a quorum contract can be completed. */
  NO_QUORUM: 'CONTRACT_NO_QUORUM',
} as const

/** One of the {@link ContractErrorCode} values. */
export type ContractErrorCode = (typeof ContractErrorCode)[keyof typeof ContractErrorCode]

/** The one error class of contracts; `details` carries the facts (path, index, answer). */
export class ContractError extends CodedError<ContractErrorCode> {
  static override name = 'ContractError'
  override readonly name = 'ContractError'
}

/** Returns true when `error` is a {@link ContractError}, optionally of the given code. */
export function isContractError(error: unknown, code?: ContractErrorCode): error is ContractError {
  return error instanceof ContractError && (code === undefined || error.code === code)
}
