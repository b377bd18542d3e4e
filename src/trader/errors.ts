/**
 * Coded errors of the trader toolkit. Callers and tests match on `code`, never on the text.
 */
import { CodedError } from '../protocol/index.ts'

/** Stable error codes of the trader toolkit. */
export const TraderErrorCode = {
  /** A reputation policy file is not JSON or breaks the policy schema. */
  POLICY_INVALID: 'POLICY_INVALID',
  /** An import file is not a trader export, or one of its messages is invalid. */
  IMPORT_INVALID: 'IMPORT_INVALID',
  /** A message from a node, an endpoint or a file breaks the protocol (schema, signature, work). */
  MESSAGE_INVALID: 'MESSAGE_INVALID',
  /** A node answered something that is not what its API promises. */
  NODE_RESPONSE_INVALID: 'NODE_RESPONSE_INVALID',
  /** An oracle endpoint answered something unusable: bad JSON, bad signature, broken promise. */
  ENDPOINT_INVALID: 'ENDPOINT_INVALID',
  /** The oracle endpoint cannot be reached or refused the request. */
  ENDPOINT_UNREACHABLE: 'ENDPOINT_UNREACHABLE',
  /** A report would be refused by the protocol verifier, so it is not posted. */
  REPORT_REFUSED: 'REPORT_REFUSED',
  /** What the command needs is not in the trader store (an oracle, a capability, an offer). */
  NOT_FOUND: 'NOT_FOUND',
  /** No trader key in the data directory: run `mega trader init`. */
  KEY_MISSING: 'KEY_MISSING',
  /** The trader key is encrypted and no (or a wrong) passphrase was given. */
  KEY_LOCKED: 'KEY_LOCKED',
  /** A trader key already exists in the data directory. */
  KEY_EXISTS: 'KEY_EXISTS',
  /** An offer cannot be accepted or finalized in its current state. */
  OFFER_STATE: 'OFFER_STATE',
  /** Sealed details could not be opened (wrong key or altered). */
  SEAL_INVALID: 'SEAL_INVALID',
  /** The trader store cannot be opened or was written by a newer version. */
  STORE_FAILED: 'STORE_FAILED',
} as const

/** One of the {@link TraderErrorCode} values. */
export type TraderErrorCode = (typeof TraderErrorCode)[keyof typeof TraderErrorCode]

/** The one error class of the trader toolkit; `details` carries the facts (path, index, url). */
export class TraderError extends CodedError<TraderErrorCode> {
  static override name = 'TraderError'
  override readonly name = 'TraderError'
}

/**
 * An oracle endpoint refused a request with a coded problem (`502 SOURCE_ANSWER_CHANGED`,
 * `410 CAPABILITY_OFF`, …): reported under the oracle's own code, which docs/oracles.md explains.
 */
export class EndpointRefusal extends CodedError {
  static override name = 'EndpointRefusal'
  override readonly name = 'EndpointRefusal'
}

/** Returns true when `error` is a {@link TraderError}, optionally of the given code. */
export function isTraderError(error: unknown, code?: TraderErrorCode): error is TraderError {
  return error instanceof TraderError && (code === undefined || error.code === code)
}
