/**
 * Coded errors of set reconciliation and its wire formats.
 *
 * Every malformed or hostile input from a peer ends in one {@link SyncError} with a stable
 * `code`: callers (the libp2p service, tests) match on the code, never on the message text.
 */
import { CodedError } from '../protocol/index.ts'

/** Stable error codes of the sync layer. */
export const SyncErrorCode = {
  /** A message or frame ended in the middle of a field. */
  TRUNCATED: 'TRUNCATED',
  /** Bytes were left after the last field of a message that must be consumed whole. */
  TRAILING_BYTES: 'TRAILING_BYTES',
  /** A varint is longer than 5 bytes, above 2^32 − 1, or not minimally encoded. */
  BAD_VARINT: 'BAD_VARINT',
  /** The message's protocol version is not ours. */
  BAD_VERSION: 'BAD_VERSION',
  /** A range mode other than skip, fingerprint and id list. */
  BAD_MODE: 'BAD_MODE',
  /** A bound's id prefix is longer than 32 bytes, or bounds do not strictly increase. */
  BAD_BOUND: 'BAD_BOUND',
  /** Ids of an id list are not strictly increasing or fall outside their range. */
  BAD_ID_LIST: 'BAD_ID_LIST',
  /** A frame, message, list or count is above its limit. */
  TOO_LARGE: 'TOO_LARGE',
  /** A frame type we do not know, or one that is not expected at this point of a session. */
  BAD_FRAME: 'BAD_FRAME',
  /** The peer ran more rounds, requests or ids than a session allows. */
  SESSION_LIMIT: 'SESSION_LIMIT',
  /** The peer answered with an error frame. */
  REMOTE_ERROR: 'REMOTE_ERROR',
  /** The peer was too slow, or the session ran out of time. */
  TIMEOUT: 'TIMEOUT',
  /** The peer asked more often than its rate limit allows. */
  RATE_LIMITED: 'RATE_LIMITED',
  /** The stream closed before the session was over. */
  CLOSED: 'CLOSED',
  /** Sent in an error frame by a side that failed on its own, not for the peer's input. */
  INTERNAL: 'INTERNAL',
} as const

/** One of the {@link SyncErrorCode} values. */
export type SyncErrorCode = (typeof SyncErrorCode)[keyof typeof SyncErrorCode]

/**
 * The one error class of the sync layer.
 *
 * Thrown when a peer's message breaks the wire format or a limit, when a session exceeds its
 * budgets, and when the peer reports an error. `code` says which.
 */
export class SyncError extends CodedError<SyncErrorCode> {
  static override name = 'SyncError'
  override readonly name = 'SyncError'

  constructor(code: SyncErrorCode, message: string, options?: ErrorOptions) {
    super(code, message, {}, options)
  }
}

/** Returns true when `error` is a {@link SyncError}, optionally of the given code. */
export function isSyncError(error: unknown, code?: SyncErrorCode): error is SyncError {
  return error instanceof SyncError && (code === undefined || error.code === code)
}
