/**
 * The relay: a node asks an oracle's endpoint on a trader's behalf, so the oracle sees the
 * node's address, not the trader's. Transport-free: the HTTP routes (src/api/routes/relay.ts)
 * hand it parsed bodies and the client's address.
 *
 * A request is forwarded only when it validates against the capability ad the node holds
 * (schema, `checkRequest`; for a fact, a commitment signed by the capability key in its
 * scheme and attestation type), so nothing the oracle would refuse, and nothing for an
 * endpoint the node does not hold an ad for, leaves the node. What comes back is verified by
 * the endpoint client exactly as a trader verifies it, then returned unchanged: a relay cannot
 * forge a fact, and the trader checks again.
 *
 * Pooling: identical requests without an invoice in flight at once go to the oracle once;
 * a commitment or fact already in the fact pool is served from it. Requests with an invoice
 * are paid for one trader: never shared, never recorded.
 *
 * Caps: requests in flight per client address and per oracle, upstream calls per oracle per
 * minute, the upstream time and response size.
 */
import { isIP } from 'node:net'
import { EndpointError, EndpointErrorCode, OracleEndpointClient } from '../client/index.ts'
import {
  type Commitment,
  canonicalize,
  checkRequest,
  ErrorCode,
  type Fact,
  type FactRequest,
  FactRequest as FactRequestSchema,
  LIMITS,
  messageId,
  type OracleCapability,
  ProtocolError,
  validateMessage,
  validateSchema,
  verifySignatures,
} from '../protocol/index.ts'
import { FactError, FactErrorCode } from './errors.ts'
import type { FactMessage, FactPool } from './fact-pool.ts'
import { upstreamFetch } from './upstream-fetch.ts'

export interface RelayOptions {
  /** Whose requests are relayed: loopback clients only, any client, or none. @default 'loopback' */
  clients: 'loopback' | 'any' | 'none'
  /** Relayed requests in flight per client address. @default 4 */
  maxInFlightPerClient: number
  /** Upstream calls in flight per oracle. @default 8 */
  maxInFlightPerOracle: number
  /** Upstream calls per oracle per minute. @default 120 */
  maxPerOraclePerMinute: number
  /** Milliseconds an upstream call may take. @default 10_000 */
  timeoutMs: number
  /** Local address upstream connections bind to. @default the system's choice */
  localAddress?: string
  /** Seconds a pooled commitment's deadline must still be away to be handed out. @default 600 */
  minCommitmentSeconds: number
}

export const defaultRelayOptions: RelayOptions = {
  clients: 'loopback',
  maxInFlightPerClient: 4,
  maxInFlightPerOracle: 8,
  maxPerOraclePerMinute: 120,
  timeoutMs: 10_000,
  minCommitmentSeconds: 600,
}

/** Where an answer came from: the oracle, a call another client started, or the fact pool. */
export type RelaySource = 'oracle' | 'shared' | 'pool'

export interface RelayComponents {
  /** The capability ad of a key, as the node holds it. */
  capabilityOf: (key: string) => OracleCapability | undefined
  /** The fact pool: what it holds is served, what the relay got is recorded through `record`. */
  pool?: FactPool
  /** Adds verified commitments and facts to the pool (and persists them). @default none */
  record?: (message: FactMessage) => void
  /** The fetch for upstream calls. @default {@link upstreamFetch} */
  fetch?: typeof globalThis.fetch
  /** Milliseconds clock. @default Date.now */
  now?: () => number
}

export class Relay {
  readonly options: RelayOptions
  readonly #components: RelayComponents
  readonly #fetch: typeof globalThis.fetch
  readonly #now: () => number
  readonly #clients = new Map<string, number>()
  readonly #oracles = new Map<string, number>()
  readonly #minutes = new Map<string, { start: number; count: number }>()
  readonly #inFlight = new Map<string, Promise<FactMessage>>()
  /** Answers by where they came from, and requests refused before any upstream call, for `/stats`. */
  readonly counters = { oracle: 0, shared: 0, pool: 0, refused: 0 }

  constructor(options: Partial<RelayOptions>, components: RelayComponents) {
    this.options = { ...defaultRelayOptions, ...options }
    this.#components = components
    this.#now = components.now ?? Date.now
    this.#fetch =
      components.fetch ??
      upstreamFetch({
        maxResponseBytes: LIMITS.messageBytes,
        ...(this.options.localAddress !== undefined && { localAddress: this.options.localAddress }),
      })
  }

  /** Whether `address` may use the relay. */
  serves(address: string): boolean {
    const { clients } = this.options
    return clients === 'any' || (clients === 'loopback' && isLoopback(address))
  }

  /** `POST /commitment` on behalf of `client`: a verified commitment to `body` (a FactRequest). */
  async commitment(body: unknown, client: string): Promise<{ commitment: Commitment; source: RelaySource }> {
    return this.#forClient(client, async () => {
      const checked = validateSchema<FactRequest>(FactRequestSchema, body, 'FactRequest')
      if (!checked.ok) throw checked.error
      const request = checked.value
      const capability = this.#capability(request.capability, '/capability')
      if (capability.off)
        throw new FactError(
          FactErrorCode.CAPABILITY_OFF,
          'the capability is switched off: no new commitments',
          {
            path: '/capability',
          },
        )
      assertOk(checkRequest(capability, request))
      const shared = request.invoice === undefined
      const pooled =
        shared &&
        this.#components.pool?.commitmentFor(
          request,
          Math.floor(this.#now() / 1000),
          this.options.minCommitmentSeconds,
        )
      if (pooled) return { commitment: pooled, source: 'pool' as const }
      const { message, source } = await this.#upstream(
        shared ? `commitment:${canonicalize(request)}` : undefined,
        capability,
        (client) => client.commitment(request, capability),
      )
      return { commitment: message as Commitment, source }
    })
  }

  /** `POST /fact` on behalf of `client`: the verified fact of `body` (a commitment the capability key signed). */
  async fact(body: unknown, client: string): Promise<{ fact: Fact; source: RelaySource }> {
    return this.#forClient(client, async () => {
      const parsed = validateMessage(body, 'commitment')
      if (!parsed.ok) throw parsed.error
      const commitment = parsed.value
      const capability = this.#capability(commitment.request.capability, '/request/capability')
      const asked = checkRequest(capability, commitment.request)
      if (!asked.ok) throw prefixed(asked.error, '/request')
      if (
        commitment.scheme !== capability.capabilityScheme ||
        commitment.attestation.type !== capability.attestation
      )
        throw new ProtocolError(ErrorCode.SIGNATURE_INVALID, 'not a commitment in this capability’s terms', {
          path: '/scheme',
        })
      assertOk(verifySignatures(commitment))
      const shared = commitment.request.invoice === undefined
      const pooled = shared && this.#components.pool?.factFor(commitment)
      if (pooled) return { fact: pooled, source: 'pool' as const }
      const { message, source } = await this.#upstream(
        shared ? `fact:${messageId(commitment)}:${commitment.signature}` : undefined,
        capability,
        (client) => client.fact(commitment, capability),
      )
      if (shared && source === 'oracle') this.#components.record?.(commitment)
      return { fact: message as Fact, source }
    })
  }

  async #forClient<T extends { source: RelaySource }>(client: string, work: () => Promise<T>): Promise<T> {
    if (!this.serves(client)) {
      this.counters.refused++
      throw new FactError(FactErrorCode.RELAY_FORBIDDEN, 'this node relays for its own host only')
    }
    const held = this.#clients.get(client) ?? 0
    if (held >= this.options.maxInFlightPerClient) {
      this.counters.refused++
      throw new FactError(FactErrorCode.RELAY_BUSY, `at most ${held} relayed requests in flight per client`, {
        retryAfter: 1,
      })
    }
    this.#clients.set(client, held + 1)
    try {
      const answer = await work()
      this.counters[answer.source]++
      return answer
    } catch (error) {
      // The oracle's refusals and failures reached (or tried) the oracle: not refused here.
      const reached =
        error instanceof EndpointError ||
        (error instanceof FactError && error.code === FactErrorCode.UPSTREAM_FAILED)
      if (!reached) this.counters.refused++
      throw error
    } finally {
      const left = (this.#clients.get(client) ?? 1) - 1
      if (left > 0) this.#clients.set(client, left)
      else this.#clients.delete(client)
    }
  }

  #capability(key: string, path: string): OracleCapability {
    const capability = this.#components.capabilityOf(key)
    if (!capability) {
      throw new FactError(FactErrorCode.CAPABILITY_NOT_HELD, `this node holds no capability ad for ${key}`, {
        path,
      })
    }
    return capability
  }

  /** One upstream call, or joins the identical one in flight (`key`); records what it got. */
  async #upstream(
    key: string | undefined,
    capability: OracleCapability,
    call: (client: OracleEndpointClient) => Promise<FactMessage>,
  ): Promise<{ message: FactMessage; source: RelaySource }> {
    const running = key === undefined ? undefined : this.#inFlight.get(key)
    if (running) return { message: await running, source: 'shared' }
    this.#admitUpstream(capability.oracle)
    const oracle = capability.oracle
    this.#oracles.set(oracle, (this.#oracles.get(oracle) ?? 0) + 1)
    const client = new OracleEndpointClient({
      url: capability.endpoint,
      timeoutMs: this.options.timeoutMs,
      fetch: this.#fetch,
      now: () => Math.floor(this.#now() / 1000),
    })
    const promise = call(client).catch((error: unknown) => {
      throw upstreamError(error)
    })
    if (key !== undefined) this.#inFlight.set(key, promise)
    try {
      const message = await promise
      if (key !== undefined) this.#components.record?.(message)
      return { message, source: 'oracle' }
    } finally {
      if (key !== undefined) this.#inFlight.delete(key)
      const left = (this.#oracles.get(oracle) ?? 1) - 1
      if (left > 0) this.#oracles.set(oracle, left)
      else this.#oracles.delete(oracle)
    }
  }

  /** Throws `RELAY_BUSY` when the oracle has too many calls in flight or spent its minute. */
  #admitUpstream(oracle: string): void {
    if ((this.#oracles.get(oracle) ?? 0) >= this.options.maxInFlightPerOracle) {
      throw new FactError(FactErrorCode.RELAY_BUSY, 'too many relayed calls in flight to this oracle', {
        retryAfter: 1,
      })
    }
    const now = this.#now()
    let minute = this.#minutes.get(oracle)
    if (!minute || now - minute.start >= 60_000) {
      minute = { start: now, count: 0 }
      this.#minutes.set(oracle, minute)
      // Forget oracles whose minute is over, so the map stays as small as the active set.
      for (const [other, window] of this.#minutes)
        if (now - window.start >= 60_000) this.#minutes.delete(other)
      this.#minutes.set(oracle, minute)
    }
    if (minute.count >= this.options.maxPerOraclePerMinute) {
      throw new FactError(FactErrorCode.RELAY_BUSY, 'this oracle’s relay budget for the minute is spent', {
        retryAfter: Math.ceil((minute.start + 60_000 - now) / 1000),
      })
    }
    minute.count++
  }
}

/** The endpoint client's failures: a refusal passes through (the oracle's problem), the rest is `UPSTREAM_FAILED`. */
function upstreamError(error: unknown): unknown {
  if (!(error instanceof EndpointError) || error.code === EndpointErrorCode.REFUSED) return error
  return new FactError(FactErrorCode.UPSTREAM_FAILED, `the oracle endpoint failed: ${error.message}`, {
    cause: error.code,
  })
}

function isLoopback(address: string): boolean {
  const plain = address.startsWith('::ffff:') ? address.slice('::ffff:'.length) : address
  if (isIP(plain) === 4) return plain.startsWith('127.')
  return plain === '::1'
}

function assertOk(result: { ok: true } | { ok: false; error: ProtocolError }): void {
  if (!result.ok) throw result.error
}

function prefixed(error: ProtocolError, prefix: string): ProtocolError {
  const path = typeof error.details.path === 'string' ? `${prefix}${error.details.path}` : prefix
  return new ProtocolError(error.code, error.message, { ...error.details, path })
}
