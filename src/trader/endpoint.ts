/**
 * The trader's side of an oracle endpoint (design §7): `POST <endpoint>/commitment` with a
 * FactRequest returns a Commitment, `POST <endpoint>/fact` with the Commitment returns the
 * Fact once the oracle knows it. Every response is size-limited, parsed and checked as a
 * protocol message before the caller sees it; what is wrong is named precisely.
 */
import type { Commitment, Fact, FactRequest } from '../protocol/messages/index.ts'
import { LIMITS } from '../protocol/messages/index.ts'
import { checkMessage } from './check.ts'
import { TraderError, TraderErrorCode } from './errors.ts'

export interface EndpointInit {
  /** Per request. @default 10_000 */
  timeoutMs?: number
  fetch?: typeof globalThis.fetch
}

/** A fact the oracle does not have yet: the endpoint's status and its explanation. */
export interface NotYet {
  status: number
  detail: string
}

/** Asks `endpoint` to commit to answering `request`. */
export async function requestCommitment(
  endpoint: string,
  request: FactRequest,
  init: EndpointInit = {},
): Promise<Commitment> {
  const { status, body, url } = await post(endpoint, 'commitment', request, init)
  if (status !== 200 && status !== 201) throw refused(url, status, body)
  return checkMessage(body, 'commitment', url, TraderErrorCode.ENDPOINT_INVALID)
}

/** Asks `endpoint` for the fact keeping `commitment`; a `NotYet` when the oracle has none yet. */
export async function requestFact(
  endpoint: string,
  commitment: Commitment,
  init: EndpointInit = {},
): Promise<Fact | NotYet> {
  const { status, body, url } = await post(endpoint, 'fact', commitment, init)
  if (status === 200 || status === 201)
    return checkMessage(body, 'fact', url, TraderErrorCode.ENDPOINT_INVALID)
  if (status >= 500 || status === 400 || status === 415 || status === 413) throw refused(url, status, body)
  return { status, detail: problemDetail(body) }
}

/** Returns true for a {@link NotYet}. */
export function isNotYet(value: Fact | NotYet): value is NotYet {
  return !('kind' in value)
}

async function post(endpoint: string, route: string, payload: unknown, init: EndpointInit) {
  const url = `${endpoint.replace(/\/+$/, '')}/${route}`
  const fetch = init.fetch ?? globalThis.fetch
  let response: Response
  try {
    response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify(payload),
      signal: AbortSignal.timeout(init.timeoutMs ?? 10_000),
    })
  } catch (error) {
    const cause = (error as Error & { cause?: { code?: string } }).cause?.code ?? (error as Error).message
    throw new TraderError(
      TraderErrorCode.ENDPOINT_UNREACHABLE,
      `cannot reach the oracle endpoint ${url}: ${cause}`,
      { url },
    )
  }
  const bytes = await readLimited(response, LIMITS.messageBytes, url)
  let body: unknown
  try {
    body = bytes.length === 0 ? null : JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes))
  } catch {
    throw new TraderError(
      TraderErrorCode.ENDPOINT_INVALID,
      `${url} answered ${response.status} with something that is not JSON`,
      { url },
    )
  }
  return { status: response.status, body, url }
}

async function readLimited(response: Response, limit: number, url: string): Promise<Uint8Array> {
  const chunks: Uint8Array[] = []
  let size = 0
  if (response.body) {
    for await (const chunk of response.body) {
      size += chunk.length
      if (size > limit) {
        await response.body.cancel().catch(() => {})
        throw new TraderError(TraderErrorCode.ENDPOINT_INVALID, `${url} answered more than ${limit} bytes`, {
          url,
        })
      }
      chunks.push(chunk)
    }
  }
  return Buffer.concat(chunks)
}

function problemDetail(body: unknown): string {
  const problem = body as { detail?: unknown; title?: unknown; code?: unknown } | null
  const text =
    typeof problem?.detail === 'string'
      ? problem.detail
      : typeof problem?.title === 'string'
        ? problem.title
        : ''
  const code = typeof problem?.code === 'string' ? ` [${problem.code}]` : ''
  return `${text.slice(0, 300)}${code}` || 'no explanation'
}

function refused(url: string, status: number, body: unknown): TraderError {
  return new TraderError(
    TraderErrorCode.ENDPOINT_UNREACHABLE,
    `${url} refused the request (${status}): ${problemDetail(body)}`,
    {
      url,
      status,
    },
  )
}
