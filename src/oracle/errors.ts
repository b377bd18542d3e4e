/**
 * Coded errors of the oracle toolkit (state, fact sources, endpoint, advertising).
 * Callers and tests match on `code`; the endpoint maps each code to an HTTP status in one table.
 */
import { FACT_NOT_READY } from '../client/index.ts'
import { KeyErrorCode } from '../keys/index.ts'
import { CodedError } from '../protocol/index.ts'

export const OracleErrorCode = {
  /** The keystore's and the passphrase input's (src/keys/errors.ts, raised as `KeyError`). */
  ...KeyErrorCode,
  /** The oracle's state file is unreadable or inconsistent. */
  STATE_INVALID: 'STATE_INVALID',
  /** The oracle ad has not been mined yet (`mega oracle mine`). */
  NOT_MINED: 'NOT_MINED',
  /** No capability with this label or key. */
  UNKNOWN_CAPABILITY: 'UNKNOWN_CAPABILITY',
  /** A capability with this label exists already. */
  CAPABILITY_EXISTS: 'CAPABILITY_EXISTS',
  /** The capability is switched off: no new commitments. */
  CAPABILITY_OFF: 'CAPABILITY_OFF',
  /** A fact source configuration is invalid. */
  SOURCE_CONFIG: 'SOURCE_CONFIG',
  /** The fact source failed (exit code, timeout, HTTP error, unreadable file). */
  SOURCE_FAILED: 'SOURCE_FAILED',
  /** The fact source answered something outside the capability's answers. */
  SOURCE_ANSWER_INVALID: 'SOURCE_ANSWER_INVALID',
  /** The fact source answers differently from a fact already signed (answer journal). */
  SOURCE_ANSWER_CHANGED: 'SOURCE_ANSWER_CHANGED',
  /** The fact source does not know the answer yet. */
  FACT_NOT_READY,
  /** The commitment was not signed by this endpoint's capability key. */
  COMMITMENT_INVALID: 'COMMITMENT_INVALID',
  /** The payment check refused the request's invoice. */
  PAYMENT_REQUIRED: 'PAYMENT_REQUIRED',
  /** Too many fact lookups in flight. */
  BUSY: 'BUSY',
} as const
export type OracleErrorCode = (typeof OracleErrorCode)[keyof typeof OracleErrorCode]

/** The one error class of the oracle toolkit. */
export class OracleError extends CodedError<OracleErrorCode> {
  static override name = 'OracleError'
  override readonly name = 'OracleError'
}
