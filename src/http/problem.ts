/**
 * The API's one error path: every error (ours, the protocol's, the mempool's, Fastify's and
 * its plugins') becomes an `application/problem+json` document (RFC 9457) with a stable
 * `code`, whose HTTP status comes from the catalogue of reasons, {@link STATUS_BY_CODE}. Also the
 * strict JSON body parser (UTF-8 checked, prototype poisoning refused), so a malformed body is a
 * coded 400 and a body declared in another charset a coded 415.
 */
import { STATUS_CODES } from 'node:http'
import type { FastifyBaseLogger, FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { ErrorCode, NODE_AREAS, reasonsOf } from '../protocol/index.ts'
import { ApiError, ApiErrorCode, type ProblemDetails } from './errors.ts'

/**
 * HTTP status of each code a node answers with (protocol, mempool and API codes), from the
 * one catalogue of reasons (src/protocol/reasons.ts). Any other code of an admission outcome
 * is 422; any other error is 500.
 */
export const STATUS_BY_CODE: Readonly<Record<string, number>> = Object.fromEntries(
  reasonsOf(...NODE_AREAS).flatMap(({ code, http }) => (http === null ? [] : [[code, http]])),
)

/** Our code for each Fastify error a client can cause. */
const FASTIFY_CODES: Readonly<Record<string, string>> = {
  FST_ERR_CTP_BODY_TOO_LARGE: ErrorCode.TOO_LARGE,
  FST_ERR_CTP_EMPTY_JSON_BODY: ErrorCode.BAD_JSON,
  FST_ERR_CTP_INVALID_JSON_BODY: ErrorCode.BAD_JSON,
  FST_ERR_CTP_INVALID_MEDIA_TYPE: ApiErrorCode.UNSUPPORTED_MEDIA_TYPE,
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: ApiErrorCode.BAD_REQUEST,
  FST_ERR_VALIDATION: ApiErrorCode.BAD_REQUEST,
  FST_ERR_BAD_URL: ApiErrorCode.BAD_REQUEST,
  FST_ERR_INVALID_URL: ApiErrorCode.BAD_REQUEST,
  FST_ERR_MAX_PARAM_LENGTH: ApiErrorCode.URI_TOO_LONG,
  FST_ERR_NOT_FOUND: ApiErrorCode.NOT_FOUND,
}

/**
 * The code of an error that carries only an HTTP status (a plugin's, a stream's): the code of
 * that status, so the problem's `code` and `status` always agree; other 4xx become 400.
 */
const CODE_BY_STATUS: Readonly<Record<number, string>> = {
  400: ApiErrorCode.BAD_REQUEST,
  404: ApiErrorCode.NOT_FOUND,
  408: ApiErrorCode.REQUEST_TIMEOUT,
  413: ErrorCode.TOO_LARGE,
  414: ApiErrorCode.URI_TOO_LONG,
  415: ApiErrorCode.UNSUPPORTED_MEDIA_TYPE,
  429: ApiErrorCode.RATE_LIMITED,
  431: ApiErrorCode.HEADERS_TOO_LARGE,
}

/** The media type of every error response. */
export const PROBLEM_TYPE = 'application/problem+json'

/** A problem document as sent. */
export interface Problem extends ProblemDetails {
  type: string
  title: string
  status: number
  detail: string
  instance: string
  code: string
}

/** The problem document for `error` raised while serving `url`. */
export function toProblem(error: unknown, url: string): Problem {
  const { code, status, message, details } = classify(error)
  return problemOf(code, status, message, url, details)
}

/** The problem document of a known `code` and `status`, for a refusal that is not an error of ours. */
export function problemOf(
  code: string,
  status: number,
  detail: string,
  url: string,
  details: ProblemDetails = {},
): Problem {
  return {
    type: `urn:mega:problem:${code}`,
    title: STATUS_CODES[status] ?? 'Error',
    status,
    detail,
    instance: url.split('?')[0]!,
    code,
    ...details,
  }
}

function classify(error: unknown): {
  code: string
  status: number
  message: string
  details: ProblemDetails
} {
  const e = (error ?? {}) as Partial<FastifyError> & { details?: unknown }
  const raw = typeof e.code === 'string' ? e.code : undefined
  const code = (raw && (FASTIFY_CODES[raw] ?? (raw in STATUS_BY_CODE ? raw : undefined))) ?? undefined
  if (code) {
    const details = error instanceof ApiError ? error.details : pathOf(e.details)
    const message = e.validation && e.validationContext ? validationMessage(e) : String(e.message)
    return { code, status: STATUS_BY_CODE[code]!, message, details }
  }
  if (error instanceof ApiError)
    return { code: error.code, status: 422, message: error.message, details: error.details }
  if (error instanceof SyntaxError)
    return { code: ErrorCode.BAD_JSON, status: 400, message: error.message, details: {} }
  if (typeof e.statusCode === 'number' && e.statusCode >= 400 && e.statusCode < 500) {
    const code = CODE_BY_STATUS[e.statusCode] ?? ApiErrorCode.BAD_REQUEST
    return { code, status: STATUS_BY_CODE[code]!, message: String(e.message), details: {} }
  }
  return { code: ApiErrorCode.INTERNAL, status: 500, message: 'internal error', details: {} }
}

// A protocol error's `details.path` (a JSON pointer) becomes the problem's `path`.
function pathOf(details: unknown): ProblemDetails {
  const path = (details as { path?: unknown } | undefined)?.path
  return typeof path === 'string' ? { path } : {}
}

function validationMessage(error: Partial<FastifyError>): string {
  const [first] = error.validation ?? []
  const where = first?.instancePath ? ` ${first.instancePath}` : ''
  return `${error.validationContext}${where} ${first?.message ?? 'is not valid'}`
}

/**
 * Sends `error` as a problem document. Logged by what it says of the node: a failure
 * (`INTERNAL`) at error with its stack; a refusal for capacity (503: full, shutting down) at
 * warn, without a stack, since nothing failed; a client's mistake at info.
 */
export function sendProblem(error: unknown, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  const problem = toProblem(error, request.url)
  logProblem(request.log, problem, error)
  return reply.code(problem.status).type(PROBLEM_TYPE).send(problem)
}

/** Logs a problem sent, at the level {@link sendProblem} describes. */
export function logProblem(log: FastifyBaseLogger, problem: Problem, error?: unknown): void {
  const fields = { code: problem.code, status: problem.status }
  if (problem.code === ApiErrorCode.INTERNAL) log.error({ err: error }, 'request failed')
  else if (problem.status >= 500) log.warn({ ...fields, detail: problem.detail }, 'request refused')
  else log.info(fields, 'request refused')
}

/**
 * Installs the error handler, the not-found handler and the strict JSON parser on `app`
 * (call on the root instance, before the routes).
 */
export function problemPlugin(app: FastifyInstance): void {
  app.setErrorHandler((error, request, reply) => sendProblem(error, request, reply))
  app.setNotFoundHandler((request, reply) =>
    sendProblem(
      new ApiError(ApiErrorCode.NOT_FOUND, `no route ${request.method} ${request.url.split('?')[0]}`),
      request,
      reply,
    ),
  )
  const parseJson = app.getDefaultJsonParser('error', 'error')
  const utf8 = new TextDecoder('utf-8', { fatal: true })
  // JSON only: a text/plain body is 415, not a string that fails the schema.
  app.removeAllContentTypeParsers()
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (request, body, done) => {
    // JSON is UTF-8 (RFC 8259): a body declared in another charset would be read as other text.
    const charset = charsetOf(request.headers['content-type'])
    if (charset !== undefined && charset !== 'utf-8') {
      const named = JSON.stringify(charset.slice(0, 40))
      done(
        new ApiError(
          ApiErrorCode.UNSUPPORTED_CHARSET,
          `charset ${named} is not accepted: JSON is sent as UTF-8`,
        ),
        undefined,
      )
      return
    }
    let text: string
    try {
      text = utf8.decode(body as Buffer)
    } catch {
      done(new ApiError(ErrorCode.BAD_JSON, 'body is not valid UTF-8'), undefined)
      return
    }
    parseJson(request, text, (error, value) => {
      if (error) done(new ApiError(ErrorCode.BAD_JSON, jsonErrorMessage(text, error)), undefined)
      else done(null, value)
    })
  })
}

/** The `charset` parameter of a media type, unquoted and lower-cased; undefined without one. */
export function charsetOf(contentType: string | undefined): string | undefined {
  const match = /;\s*charset\s*=\s*(?:"([^"]*)"|([^;\s]*))/i.exec(contentType ?? '')
  return match ? (match[1] ?? match[2] ?? '').toLowerCase() : undefined
}

// The default parser hides the reason; on this (rare) path, parse again to tell the client where.
function jsonErrorMessage(text: string, error: Error): string {
  try {
    JSON.parse(text)
  } catch (syntax) {
    return `body is not valid JSON: ${(syntax as Error).message}`
  }
  return `body is not acceptable JSON: ${error.message}`
}
