/**
 * Coded errors of the protocol core.
 *
 * Every condition has a stable string `code` (tests and callers match on it, never on the
 * message text), a message a person understands, and typed `details`. What each code means,
 * its HTTP status and its gossip verdict are in the catalogue of reasons (reasons.ts), which
 * a test keeps in step with {@link ErrorCode}.
 */

/** Stable error codes of the protocol core, grouped by area. */
export const ErrorCode = {
  // encoding
  BAD_HEX: 'BAD_HEX',
  BAD_LENGTH: 'BAD_LENGTH',
  NOT_CANONICALIZABLE: 'NOT_CANONICALIZABLE',
  NOT_CANONICAL: 'NOT_CANONICAL',
  BAD_JSON: 'BAD_JSON',
  TOO_LARGE: 'TOO_LARGE',
  // schema
  SCHEMA_VIOLATION: 'SCHEMA_VIOLATION',
  UNKNOWN_KIND: 'UNKNOWN_KIND',
  // keys and signatures
  UNKNOWN_SCHEME: 'UNKNOWN_SCHEME',
  BAD_KEY: 'BAD_KEY',
  SIGNATURE_MISSING: 'SIGNATURE_MISSING',
  SIGNATURE_INVALID: 'SIGNATURE_INVALID',
  // proof of work
  POW_MISSING: 'POW_MISSING',
  POW_INVALID: 'POW_INVALID',
  POW_BITS_OVERSTATED: 'POW_BITS_OVERSTATED',
  POW_TOO_WEAK: 'POW_TOO_WEAK',
  MINING_CANCELLED: 'MINING_CANCELLED',
  // report evidence
  EVIDENCE_INVALID: 'EVIDENCE_INVALID',
  // oracle requests and answers (docs/oracles.md)
  REQUEST_INVALID: 'REQUEST_INVALID',
  ANSWER_INVALID: 'ANSWER_INVALID',
} as const

/** One of the {@link ErrorCode} values. */
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode]

/**
 * Stands for a code a peer or an endpoint sent that is missing or cannot be shown (not upper
 * case, too long). A node raises it for nothing of its own; its relay passes it on for an
 * oracle's refusal without a code (the catalogue's `api` area).
 */
export const UNKNOWN_CODE = 'UNKNOWN'

/** Extra facts about an error: JSON path, expected/actual sizes, bits, … */
export type ErrorDetails = Record<string, string | number | boolean | undefined>

/**
 * An error with a stable `code` and typed `details`: the shape of every error class of the
 * project (protocol, store, network, sync, API), so they log, serialize and match alike.
 */
export class CodedError<C extends string = string> extends Error {
  readonly code: C
  readonly details: ErrorDetails

  constructor(code: C, message: string, details: ErrorDetails = {}, options?: ErrorOptions) {
    super(message, options)
    this.code = code
    this.details = details
  }

  /** A plain object for JSON responses, logs and worker messages. */
  toJSON(): { code: C; message: string; details: ErrorDetails } {
    return { code: this.code, message: this.message, details: this.details }
  }
}

/**
 * The one error class of the protocol core.
 *
 * Thrown (or returned inside a failed result) when input breaks a protocol rule.
 * `code` says which rule; `details` carries the facts (e.g. `{ path: '/pow/bits' }`).
 */
export class ProtocolError extends CodedError<ErrorCode> {
  static override name = 'ProtocolError'
  override readonly name = 'ProtocolError'
}

/** Returns true when `error` is a {@link ProtocolError}, optionally of the given code. */
export function isProtocolError(error: unknown, code?: ErrorCode): error is ProtocolError {
  return error instanceof ProtocolError && (code === undefined || error.code === code)
}

/** The result of a check that can fail for a stated reason: no booleans without a why. */
export type Result<T> = { ok: true; value: T } | { ok: false; error: ProtocolError }

/** Builds a successful {@link Result}. */
export function ok<T>(value: T): Result<T> {
  return { ok: true, value }
}

/**
 * Builds a failed {@link Result}. Its error carries no stack trace: a failed result is data
 * about the input, not a bug in the code, and capturing stacks would make rejecting junk cost
 * more than checking it.
 */
export function fail<T = never>(code: ErrorCode, message: string, details?: ErrorDetails): Result<T> {
  const limit = Error.stackTraceLimit
  Error.stackTraceLimit = 0
  try {
    return { ok: false, error: new ProtocolError(code, message, details) }
  } finally {
    Error.stackTraceLimit = limit
  }
}

/**
 * A failure inside an embedded message, located in the outer one: `details.path` becomes `at`
 * followed by the inner path (or `fallback` when the inner error names none), and the message
 * names that full path once. `code` replaces the inner code when given (e.g. `EVIDENCE_INVALID`).
 */
export function failAt<T = never>(
  at: string,
  error: ProtocolError,
  code?: ErrorCode,
  fallback = '',
): Result<T> {
  const inner = typeof error.details.path === 'string' ? error.details.path : fallback
  const reason =
    inner && error.message.startsWith(`${inner}: `) ? error.message.slice(inner.length + 2) : error.message
  const path = `${at}${inner}` || '/'
  return fail(code ?? error.code, `${path}: ${reason}`, { path })
}
