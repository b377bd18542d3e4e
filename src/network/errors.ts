/**
 * Coded errors of the network layer. Callers and tests match on `code`, never on the text.
 */
import { CodedError } from '../protocol/index.ts'

/** Stable error codes of the network layer. */
export const NetworkErrorCode = {
  /** The node key file exists but does not hold a libp2p private key. */
  NODE_KEY_CORRUPT: 'NODE_KEY_CORRUPT',
  /** The node key file could not be read or created. */
  NODE_KEY_UNREADABLE: 'NODE_KEY_UNREADABLE',
  /** A configured multiaddr does not parse, or a bootstrap address lacks its `/p2p/<peer id>`. */
  BAD_MULTIADDR: 'BAD_MULTIADDR',
  /** A listening socket (the REST API's or a peer-to-peer one) cannot be opened. */
  LISTEN_FAILED: 'LISTEN_FAILED',
} as const

/** One of the {@link NetworkErrorCode} values. */
export type NetworkErrorCode = (typeof NetworkErrorCode)[keyof typeof NetworkErrorCode]

/**
 * The one error class of the network layer.
 *
 * Thrown at start when the node key or an address is unusable; `details` names the file or
 * address, `cause` carries the underlying error.
 */
export class NetworkError extends CodedError<NetworkErrorCode> {
  static override name = 'NetworkError'
  override readonly name = 'NetworkError'
}

/** Returns true when `error` is a {@link NetworkError}, optionally of the given code. */
export function isNetworkError(error: unknown, code?: NetworkErrorCode): error is NetworkError {
  return error instanceof NetworkError && (code === undefined || error.code === code)
}
