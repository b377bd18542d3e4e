/**
 * A typed client of an oracle endpoint, for traders and tools: it fetches capabilities,
 * commitments, facts and manifests, and verifies everything before returning it, so a caller
 * never holds an unchecked signature. Runs on fetch only (Node and browsers).
 *
 * @example
 * const oracle = new OracleEndpointClient({ url: capability.endpoint })
 * const commitment = await oracle.commitment(request, capability)   // signature + request checked
 * const fact = await oracle.fact(commitment, capability)            // signature + R / hash lock checked
 */

import {
  CodedError,
  type Commitment,
  canonicalize,
  checkAnswer,
  checkDigitCount,
  checkMessageRules,
  checkRequest,
  classifyManifest,
  type Fact,
  type FactRequest,
  type ManifestVerdict,
  manifestUrlOf,
  type OracleCapability,
  type OracleId,
  UNKNOWN_CODE,
  validateMessage,
  verifyAttestation,
  verifyMessagePow,
  verifySignatures,
} from '../protocol/index.ts'

/** Codes of {@link EndpointError}. */
export const EndpointErrorCode = {
  /** The endpoint could not be reached, timed out, or answered something that is not JSON. */
  UNREACHABLE: 'UNREACHABLE',
  /** The endpoint refused the request: `status` and `problem` say why. */
  REFUSED: 'REFUSED',
  /** The endpoint answered, but what it signed does not verify: do not use it. */
  BAD_ANSWER: 'BAD_ANSWER',
} as const
export type EndpointErrorCode = (typeof EndpointErrorCode)[keyof typeof EndpointErrorCode]

/** Thrown by {@link OracleEndpointClient}; `details.status` and `details.problemCode` when refused. */
export class EndpointError extends CodedError<EndpointErrorCode> {
  static override name = 'EndpointError'
  override readonly name = 'EndpointError'
}

/**
 * The endpoint's refusal for a question its source cannot answer yet: part of the endpoint's
 * wire protocol (docs/oracles.md), so declared here, below both the oracle that sends it and
 * the trader that waits on it.
 */
export const FACT_NOT_READY = 'FACT_NOT_READY'

/** Whether the endpoint refused because its source does not know the answer yet (`FACT_NOT_READY`). */
export function isFactNotReady(error: unknown): error is EndpointError {
  return (
    error instanceof EndpointError &&
    error.code === EndpointErrorCode.REFUSED &&
    error.details.problemCode === FACT_NOT_READY
  )
}

export interface OracleEndpointClientInit {
  /** The capability's `endpoint` URL (base of the routes). */
  url: string
  /** @default 10_000 */
  timeoutMs?: number
  fetch?: typeof globalThis.fetch
  /** Seconds clock for deadline checks. @default now */
  now?: () => number
}

/** What `GET /capabilities` returns, verified. */
export interface EndpointCapabilities {
  oracle?: OracleId
  items: OracleCapability[]
}

export class OracleEndpointClient {
  readonly url: string
  readonly #timeoutMs: number
  readonly #fetch: typeof globalThis.fetch
  readonly #now: () => number

  constructor(init: OracleEndpointClientInit) {
    this.url = init.url.replace(/\/+$/, '')
    this.#timeoutMs = init.timeoutMs ?? 10_000
    this.#fetch = init.fetch ?? globalThis.fetch
    this.#now = init.now ?? (() => Math.floor(Date.now() / 1000))
  }

  /** The capabilities served, each schema-valid, signed by its oracle and mined; throws `BAD_ANSWER` otherwise. */
  async capabilities(): Promise<EndpointCapabilities> {
    const body = (await this.#call('GET', '/capabilities')) as { oracle?: unknown; items?: unknown }
    if (!Array.isArray(body?.items)) throw bad('GET /capabilities did not return { items: [...] }')
    const items = body.items.map((item, i) => {
      const parsed = validateMessage(item, 'capability')
      if (!parsed.ok) throw bad(`capability ${i}: ${parsed.error.message}`)
      const signed = verifySignatures(parsed.value)
      if (!signed.ok) throw bad(`capability ${i}: ${signed.error.message}`)
      const mined = verifyMessagePow(parsed.value)
      if (!mined.ok) throw bad(`capability ${i}: ${mined.error.message}`)
      return parsed.value
    })
    if (body.oracle === undefined) return { items }
    const oracle = validateMessage(body.oracle, 'oracle')
    if (!oracle.ok || !verifySignatures(oracle.value).ok) throw bad('the oracle ad does not verify')
    if (items.some((item) => item.oracle !== oracle.value.pubkey)) throw bad('a capability of another oracle')
    return { oracle: oracle.value, items }
  }

  /**
   * Asks for a commitment to answer `request`. Verifies the commitment is signed by the
   * requested capability key, commits to exactly this request, has a future deadline and, when
   * the capability ad is given, uses its attestation type.
   */
  async commitment(request: FactRequest, capability?: OracleCapability): Promise<Commitment> {
    if (capability) {
      const valid = checkRequest(capability, request)
      if (!valid.ok) throw valid.error
    }
    const parsed = validateMessage(await this.#call('POST', '/commitment', request), 'commitment')
    if (!parsed.ok) throw bad(`commitment: ${parsed.error.message}`)
    const commitment = parsed.value
    const shaped = checkMessageRules(commitment)
    if (!shaped.ok) throw bad(`commitment: ${shaped.error.message}`)
    if (canonicalize(commitment.request) !== canonicalize(request))
      throw bad('the commitment is for another request')
    const signed = verifySignatures(commitment)
    if (!signed.ok) throw bad(`commitment: ${signed.error.message}`)
    if (commitment.deadline <= this.#now()) throw bad('the commitment’s deadline has passed')
    if (capability) {
      if (commitment.scheme !== capability.capabilityScheme) throw bad('the commitment uses another scheme')
      if (commitment.attestation.type !== capability.attestation)
        throw bad('the commitment uses another attestation type')
      if (commitment.attestation.type === 'hashlock') {
        const locked = commitment.attestation.locks.map((lock) => lock.answer).sort()
        if (canonicalize(locked) !== canonicalize([...capability.answers].sort())) {
          throw bad('the hash locks do not cover exactly the capability’s answers')
        }
      }
      const counted = checkDigitCount(capability, commitment)
      if (!counted.ok) throw bad(`commitment: ${counted.error.message}`)
    }
    return commitment
  }

  /**
   * Asks for the fact of a commitment. Verifies its signature, that it answers the committed
   * request, keeps the attestation promise (Schnorr nonce R, hash-lock preimage) and, when the
   * capability ad is given, that the answer is one of its answers.
   */
  async fact(commitment: Commitment, capability?: OracleCapability): Promise<Fact> {
    const parsed = validateMessage(await this.#call('POST', '/fact', commitment), 'fact')
    if (!parsed.ok) throw bad(`fact: ${parsed.error.message}`)
    const fact = parsed.value
    const signed = verifySignatures(fact)
    if (!signed.ok) throw bad(`fact: ${signed.error.message}`)
    const kept = verifyAttestation(commitment, fact)
    if (!kept.ok) throw bad(`fact: ${kept.error.message}`)
    if (capability && !checkAnswer(capability, fact.answer).ok)
      throw bad('the answer is not one of the capability’s')
    return fact
  }

  /** Fetches the endpoint's own manifest and classifies it for `domain` (default: the URL's host). */
  async manifest(context: { domain?: string; oracle?: string } = {}): Promise<ManifestVerdict> {
    const value = await this.#call('GET', '/manifest')
    return classifyManifest(value, { domain: context.domain ?? new URL(this.url).hostname, ...context })
  }

  async #call(method: 'GET' | 'POST', path: string, body?: unknown): Promise<unknown> {
    return requestJson(this.#fetch, `${this.url}${path}`, method, body, this.#timeoutMs)
  }
}

/**
 * Fetches `https://<domain>/.well-known/mega-oracle.json` (or `url` when given, e.g. a test
 * server) and classifies it: domain-verified, foreign advertiser or invalid. Network failures
 * and non-JSON answers are `invalid` too, with the reason.
 */
export async function fetchManifest(
  context: { domain: string; oracle?: string; url?: string },
  fetchImpl: typeof globalThis.fetch = globalThis.fetch,
): Promise<ManifestVerdict> {
  const url = context.url ?? manifestUrlOf(context.domain)
  try {
    const value = await requestJson(fetchImpl, url, 'GET', undefined, 10_000)
    return classifyManifest(value, context)
  } catch (error) {
    return { status: 'invalid', reason: (error as Error).message }
  }
}

async function requestJson(
  fetchImpl: typeof globalThis.fetch,
  url: string,
  method: 'GET' | 'POST',
  body: unknown,
  timeoutMs: number,
): Promise<unknown> {
  let response: Response
  try {
    response = await fetchImpl(url, {
      method,
      signal: AbortSignal.timeout(timeoutMs),
      redirect: 'error',
      ...(body !== undefined && {
        body: JSON.stringify(body),
        headers: { 'content-type': 'application/json' },
      }),
    })
  } catch (error) {
    const cause = (error as Error & { cause?: { code?: string } }).cause?.code ?? (error as Error).message
    throw new EndpointError(EndpointErrorCode.UNREACHABLE, `cannot reach ${url}: ${cause}`)
  }
  const text = await response.text()
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch {
    throw new EndpointError(
      EndpointErrorCode.UNREACHABLE,
      `${url} answered ${response.status} with non-JSON content`,
    )
  }
  if (!response.ok) {
    const problem = value as { code?: unknown; detail?: unknown }
    const code = typeof problem?.code === 'string' ? problem.code : UNKNOWN_CODE
    const detail = typeof problem?.detail === 'string' ? problem.detail : ''
    throw new EndpointError(
      EndpointErrorCode.REFUSED,
      `${method} ${url}: ${response.status} ${code} ${detail}`.trim(),
      {
        status: response.status,
        problemCode: code,
      },
    )
  }
  return value
}

function bad(message: string): EndpointError {
  return new EndpointError(EndpointErrorCode.BAD_ANSWER, message)
}
