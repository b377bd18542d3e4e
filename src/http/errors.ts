/**
 * Coded errors of the HTTP servers (the node's REST API, the oracle endpoint). Routes throw
 * them; the one error handler (`problem.ts`) turns every error, ours or Fastify's, into
 * `application/problem+json` with the status its code maps to.
 */
import { CodedError, UNKNOWN_CODE } from '../protocol/index.ts'

/**
 * Codes the HTTP servers add to those of the protocol and the mempool (the node's fact pool
 * and relay add theirs, src/facts/errors.ts).
 */
export const ApiErrorCode = {
  /** Request not understood: query parameters, headers, content length. */
  BAD_REQUEST: 'BAD_REQUEST',
  /** A paging cursor this node did not issue for this listing. */
  BAD_CURSOR: 'BAD_CURSOR',
  NOT_FOUND: 'NOT_FOUND',
  /** The request's headers and body did not arrive whole within the request deadline. */
  REQUEST_TIMEOUT: 'REQUEST_TIMEOUT',
  /** A path segment is longer than the router takes. */
  URI_TOO_LONG: 'URI_TOO_LONG',
  /** The body is not `application/json`. */
  UNSUPPORTED_MEDIA_TYPE: 'UNSUPPORTED_MEDIA_TYPE',
  /** The body is declared in a charset other than UTF-8. */
  UNSUPPORTED_CHARSET: 'UNSUPPORTED_CHARSET',
  /** Valid, but not enough work to enter the pool now. */
  LOW_POW: 'LOW_POW',
  /** Too many POSTs from this address in the window. */
  RATE_LIMITED: 'RATE_LIMITED',
  /** The request line and headers are larger than the HTTP parser takes. */
  HEADERS_TOO_LARGE: 'HEADERS_TOO_LARGE',
  /** Too many concurrent `/events` clients, in all or from this address. */
  TOO_MANY_CLIENTS: 'TOO_MANY_CLIENTS',
  /** Too many open connections from this address; refused before any request is read. */
  TOO_MANY_CONNECTIONS: 'TOO_MANY_CONNECTIONS',
  /** The server is shutting down. */
  SHUTTING_DOWN: 'SHUTTING_DOWN',
  /** The node failed; the details are in its log, not in the response. */
  INTERNAL: 'INTERNAL',
  /** A relayed refusal whose oracle sent no readable code (the oracle's status is kept). */
  UNKNOWN: UNKNOWN_CODE,
} as const
export type ApiErrorCode = (typeof ApiErrorCode)[keyof typeof ApiErrorCode]

/** Facts a problem carries besides its code and message (RFC 9457 extension members). */
export type ProblemDetails = {
  /** JSON pointer into the request body at fault. */
  path?: string
  kind?: string
  /** Id of the message, when admission got that far. */
  id?: string
  /** For `LOW_POW`: the pool's rolling floor, in bits. */
  floorBits?: number
  /** For `LOW_POW`: the PoW bits that would enter now. */
  requiredBits?: number
}

/**
 * The one error class of the API. Thrown when a request cannot be served; `code` decides the
 * HTTP status (one table in `problem.ts`), `details` go into the problem document.
 */
export class ApiError extends CodedError {
  static override name = 'ApiError'
  override readonly name = 'ApiError'
  declare readonly details: ProblemDetails

  constructor(code: string, message: string, details: ProblemDetails = {}, options?: ErrorOptions) {
    super(code, message, details, options)
  }
}
