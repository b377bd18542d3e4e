/**
 * Limits of the HTTP server below the routes, shared by the node's API and the oracle
 * endpoint. Without them a client could hold connections for free: a body that never ends, a
 * connection that never speaks, a thousand connections from one address — each an fd and
 * buffers, and each kept open through shutdown.
 *
 * - a deadline for every request's headers and body (`requestTimeoutMs`, counted from the
 *   connection for its first request): late, it is answered `REQUEST_TIMEOUT` (408) when
 *   nothing was answered yet, and the connection is closed — a connection that never speaks too;
 * - a cap on open connections per client address (`maxConnectionsPerAddress`, an IPv6 address
 *   counted by its /64): one more is answered `TOO_MANY_CONNECTIONS` (503) and closed before
 *   any of its bytes is parsed;
 * - the HTTP parser's errors (bad `Content-Length`, bad chunking, bytes no request line may
 *   hold, headers over 16 KiB) as problem documents with the status of their code;
 * - on close, connections still sending a request (or idle) are dropped at once, while
 *   requests already received finish: shutdown waits on no client.
 */
import { type IncomingMessage, maxHeaderSize, type ServerResponse } from 'node:http'
import type { Socket } from 'node:net'
import type { FastifyBaseLogger, FastifyInstance, FastifyServerOptions } from 'fastify'
import { ErrorCode } from '../protocol/index.ts'
import { ApiError, ApiErrorCode } from './errors.ts'
import { logProblem, PROBLEM_TYPE, type Problem, toProblem } from './problem.ts'

export interface ConnectionLimits {
  /** Milliseconds for a request's headers and body to arrive whole (408 beyond). */
  requestTimeoutMs: number
  /** Open connections per client address (0: no cap). */
  maxConnectionsPerAddress: number
}

/** The limits both servers start from; src/api/options.ts says why these numbers. */
export const DEFAULT_CONNECTION_LIMITS: ConnectionLimits = {
  requestTimeoutMs: 10_000,
  maxConnectionsPerAddress: 64,
}

/** Node's own bound on the request line and headers together. */
const HEADER_BYTES = maxHeaderSize

/**
 * Fastify server options that put the deadline on every request and answer the parser's
 * errors with problem documents. Spread into `Fastify({...})`.
 */
export function serverOptions(limits: ConnectionLimits): Pick<
  FastifyServerOptions,
  'requestTimeout' | 'clientErrorHandler' | 'return503OnClosing'
> & {
  http: { headersTimeout: number; requestTimeout: number; connectionsCheckingInterval: number }
} {
  const timeout = limits.requestTimeoutMs
  return {
    requestTimeout: timeout,
    http: {
      headersTimeout: timeout,
      requestTimeout: timeout,
      // Node checks the deadlines on this period (30 s by default, which would let a slow body
      // live up to 30 s past its deadline).
      connectionsCheckingInterval: Math.max(25, Math.min(1000, Math.floor(timeout / 10))),
    },
    clientErrorHandler(this: FastifyInstance, error, socket) {
      answerClientError(this.log, error as unknown as ClientError, socket as Socket, timeout)
    },
    // Requests arriving while closing get a SHUTTING_DOWN problem (see guardConnections), not
    // Fastify's plain JSON.
    return503OnClosing: false,
  }
}

/** An error the HTTP server reports on a connection before (or instead of) a request. */
type ClientError = Error & { code?: string; reason?: string; rawPacket?: Buffer }

// Answers a parser error or a missed deadline, once, unless the connection is gone or a
// response already started on it (bytes of ours would then corrupt that response).
function answerClientError(
  log: FastifyBaseLogger,
  error: ClientError,
  socket: Socket,
  timeout: number,
): void {
  if (error.code === 'ECONNRESET' || socket.destroyed) return
  const response = (socket as Socket & { _httpMessage?: ServerResponse })._httpMessage
  const url = (response as (ServerResponse & { req?: IncomingMessage }) | undefined)?.req?.url
  const problem = toProblem(clientError(error, timeout), url ?? requestPath(error.rawPacket))
  logProblem(log, problem)
  if (socket.writable && !response?.headersSent) socket.end(rawResponse(problem), () => socket.destroy())
  else socket.destroy()
}

function clientError(error: ClientError, timeout: number): ApiError {
  switch (error.code) {
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return new ApiError(
        ApiErrorCode.REQUEST_TIMEOUT,
        `the request's headers and body did not arrive within ${timeout} ms`,
      )
    case 'HPE_HEADER_OVERFLOW':
      return new ApiError(
        ApiErrorCode.HEADERS_TOO_LARGE,
        `the request line and headers exceed ${HEADER_BYTES} bytes`,
      )
    case 'HPE_CHUNK_EXTENSIONS_OVERFLOW':
      return new ApiError(ErrorCode.TOO_LARGE, 'chunk extensions too large')
    default:
      return new ApiError(
        ApiErrorCode.BAD_REQUEST,
        `malformed HTTP request: ${error.reason ?? error.message} (${error.code ?? 'parse error'})`,
      )
  }
}

// The path of the request line in the bytes that failed, when it reads as one; else none.
function requestPath(raw: Buffer | undefined): string {
  const match = /^[A-Z]{1,16} (\/[\x21-\x7e]{0,2047}) HTTP\/1\.[01]\r\n/.exec(
    raw?.subarray(0, 2100).toString('latin1') ?? '',
  )
  return match?.[1] ?? ''
}

/** A whole HTTP/1.1 response carrying `problem`, for a connection no request was parsed on. */
function rawResponse(problem: Problem): string {
  const body = JSON.stringify(problem)
  return (
    `HTTP/1.1 ${problem.status} ${problem.title}\r\n` +
    `Content-Type: ${PROBLEM_TYPE}; charset=utf-8\r\n` +
    `Content-Length: ${Buffer.byteLength(body)}\r\n` +
    'Connection: close\r\n\r\n' +
    body
  )
}

/**
 * The key an address is counted under: an IPv4 address itself (also when IPv4-mapped); an
 * IPv6 address by its first 64 bits, since one host commonly holds a whole /64.
 */
export function addressKey(address: string | undefined): string | undefined {
  if (!address) return undefined
  const bare = address.split('%', 1)[0]!.toLowerCase()
  if (!bare.includes(':')) return bare
  const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/.exec(bare)
  if (mapped) return mapped[1]
  const [head = '', tail] = bare.split('::', 2)
  const left = head ? head.split(':') : []
  const right = tail ? tail.split(':') : []
  const groups =
    tail === undefined
      ? left
      : [...left, ...Array(Math.max(0, 8 - left.length - right.length)).fill('0'), ...right]
  return `${groups
    .slice(0, 4)
    .map((group) => group.replace(/^0+(?=.)/, ''))
    .join(':')}::/64`
}

/**
 * Puts the per-address cap and the prompt close on `app`'s server. Call before `listen` (and before `ready`: it adds hooks).
 */
export function guardConnections(app: FastifyInstance, limits: ConnectionLimits): void {
  const server = app.server
  const log = app.log
  const perAddress = new Map<string, number>()
  const admitted = new Set<Socket>()
  const refused = new Set<Socket>()
  const warned = new Set<string>()
  /** The request each connection is on, until its response finishes. */
  const current = new WeakMap<Socket, IncomingMessage>()
  let closing = false

  // The cap must act before Node's HTTP parser takes the socket: the server's own connection
  // listener runs only for connections under the cap.
  const accept = server.listeners('connection') as ((socket: Socket) => void)[]
  server.removeAllListeners('connection')
  server.on('connection', (socket: Socket) => {
    const key = addressKey(socket.remoteAddress)
    const open = key === undefined ? 0 : (perAddress.get(key) ?? 0)
    if (key !== undefined && limits.maxConnectionsPerAddress > 0 && open >= limits.maxConnectionsPerAddress) {
      refuse(socket, key)
      return
    }
    if (key !== undefined) perAddress.set(key, open + 1)
    admitted.add(socket)
    socket.once('close', () => {
      admitted.delete(socket)
      if (key === undefined) return
      const left = (perAddress.get(key) ?? 1) - 1
      if (left > 0) perAddress.set(key, left)
      else {
        perAddress.delete(key)
        warned.delete(key)
      }
    })
    for (const listener of accept) listener.call(server, socket)
  })

  function refuse(socket: Socket, key: string): void {
    const problem = toProblem(
      new ApiError(
        ApiErrorCode.TOO_MANY_CONNECTIONS,
        `at most ${limits.maxConnectionsPerAddress} open connections per client address`,
      ),
      '',
    )
    // Once per address until all its connections are gone: a flood is one log line.
    if (!warned.has(key)) log.warn({ code: problem.code, address: key }, 'connections refused')
    warned.add(key)
    refused.add(socket)
    // Read and drop what the client sends, so closing does not reset the answer away; a client
    // that does not close its side within a second is closed on.
    const linger = setTimeout(() => socket.destroy(), 1000)
    linger.unref()
    socket.on('error', () => {})
    socket.once('close', () => {
      clearTimeout(linger)
      refused.delete(socket)
    })
    socket.resume()
    socket.once('end', () => socket.destroy())
    socket.end(rawResponse(problem))
  }

  server.on('request', (request: IncomingMessage, response: ServerResponse) => {
    current.set(request.socket, request)
    response.once('finish', () => {
      if (current.get(request.socket) !== request) return
      current.delete(request.socket)
      // Closing, a connection is done once its last request is answered: kept alive, it would
      // hold the close for the keep-alive timeout.
      if (closing) request.socket.destroySoon()
    })
  })

  app.addHook('onRequest', async (_request, reply) => {
    if (!closing) return
    reply.header('connection', 'close')
    throw new ApiError(ApiErrorCode.SHUTTING_DOWN, 'the server is shutting down')
  })

  app.addHook('preClose', async () => {
    closing = true
    for (const socket of refused) socket.destroy()
    // A request received whole finishes; a connection idle or still sending one is dropped.
    for (const socket of admitted) if (!current.get(socket)?.complete) socket.destroy()
  })
}
