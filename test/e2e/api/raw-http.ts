/**
 * Raw HTTP over TCP (127.0.0.1), for what well-behaved clients never send: malformed requests,
 * bodies that stop half-way, connections that say nothing. Every wait is bounded.
 */
import assert from 'node:assert/strict'
import { connect, type Socket } from 'node:net'
import { STATUS_BY_CODE } from '../../../src/api/index.ts'

/** A connection held open by a test; what the server sent, and when it closed. */
export interface Held {
  socket: Socket
  /** What the server sent so far (latin1). */
  text(): string
  /** Resolves with the milliseconds from the connect to the server's close. */
  closed: Promise<number>
}

/** Every connection {@link hold} opened and that is not closed yet. */
const opened = new Set<Socket>()

/** Closes every connection a test left open (before closing the server, which may wait on them). */
export function dropAll(): void {
  for (const socket of opened) socket.destroy()
}

/** Connects to `port` and writes `bytes` (if any); resolves once they are written. */
export function hold(port: number, bytes: string | Buffer = ''): Promise<Held> {
  return new Promise((resolve, reject) => {
    const started = performance.now()
    const socket = connect(port, '127.0.0.1')
    opened.add(socket)
    socket.once('close', () => opened.delete(socket))
    let text = ''
    socket.setEncoding('latin1')
    socket.on('data', (chunk: string) => {
      text += chunk
    })
    const closed = new Promise<number>((done) =>
      socket.once('close', () => done(performance.now() - started)),
    )
    socket.once('error', (error) => {
      if (!socket.connecting) return
      reject(error)
    })
    socket.once('connect', () => {
      socket.on('error', () => {}) // a reset after the answer is the server closing, not a failure
      const held = { socket, text: () => text, closed }
      if (bytes.length === 0) resolve(held)
      else socket.write(bytes, () => resolve(held))
    })
  })
}

/** Sends `bytes` and waits for the server to close, at most `ms`; what came back. */
export async function exchange(port: number, bytes: string | Buffer, ms = 5000): Promise<string> {
  const held = await hold(port, bytes)
  await within(held.closed, ms, 'the server to close the connection')
  return held.text()
}

/** `promise`, or a failure naming `what` after `ms`. */
export async function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`waited ${ms} ms for ${what}`)), ms)
  })
  try {
    return await Promise.race([promise, late])
  } finally {
    clearTimeout(timer)
  }
}

/** A response as parsed from the wire: status, lower-cased headers, body. */
export interface RawResponse {
  status: number
  headers: Record<string, string>
  body: string
}

/** Parses the first response in `text` (a body of `content-length` bytes, or none). */
export function parseResponse(text: string): RawResponse {
  const end = text.indexOf('\r\n\r\n')
  assert.ok(end > 0, `an HTTP response, got ${JSON.stringify(text.slice(0, 200))}`)
  const [statusLine, ...lines] = text.slice(0, end).split('\r\n')
  const status = Number(/^HTTP\/1\.1 (\d{3}) /.exec(statusLine!)?.[1])
  const headers: Record<string, string> = {}
  for (const line of lines) {
    const colon = line.indexOf(':')
    headers[line.slice(0, colon).toLowerCase()] = line.slice(colon + 1).trim()
  }
  const length = Number(headers['content-length'] ?? 0)
  return { status, headers, body: text.slice(end + 4, end + 4 + length) }
}

/**
 * Asserts that `text` is one problem document with `status` and `code`, whose code maps to that
 * status in the one table. Returns the problem.
 */
export function assertProblem(text: string, status: number, code: string): Record<string, unknown> {
  const response = parseResponse(text)
  assert.equal(response.status, status, text.slice(0, 300))
  assert.match(response.headers['content-type'] ?? '', /^application\/problem\+json/)
  const problem = JSON.parse(response.body) as Record<string, unknown>
  assert.equal(problem.code, code, response.body)
  assert.equal(problem.status, status)
  assert.equal(STATUS_BY_CODE[code], status, `${code} maps to ${status} in STATUS_BY_CODE`)
  assert.equal(typeof problem.detail, 'string')
  return problem
}

/** A POST of `/oracle` announcing `length` bytes of JSON body, and the first `sent` of them. */
export function partialPost(length = 100, sent = 10): string {
  return `POST /oracle HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: ${length}\r\n\r\n${'{"kind":"oracle"'.padEnd(sent, ' ').slice(0, sent)}`
}

/** The port `app`'s server listens on. */
export function portOf(app: { server: { address(): unknown } }): number {
  const address = app.server.address()
  assert.ok(address && typeof address === 'object' && 'port' in address)
  return (address as { port: number }).port
}
