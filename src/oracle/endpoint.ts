import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify'
import Type from 'typebox'
import {
  ApiError,
  ApiErrorCode,
  buildCachedSerializer,
  corsPlugin,
  DEFAULT_CONNECTION_LIMITS,
  DEFAULT_CORS_ORIGINS,
  guardConnections,
  problemOf,
  problemPlugin,
  rateLimitPlugin,
  ref,
  sendProblem,
  serverOptions,
  shareSchemas,
} from '../http/index.ts'
import {
  type CapabilitySigner,
  Commitment,
  capabilitySigner,
  checkAnswer,
  checkRequest,
  Fact,
  type FactRequest,
  FactRequest as FactRequestSchema,
  LIMITS,
  OracleCapability,
  OracleId,
  OracleManifest,
  type ProtocolError,
  reasonsOf,
  validateMessage,
  validateSchema,
  verifyAttestation,
  verifySignatures,
} from '../protocol/index.ts'
import type { AnswerJournal } from './answer-journal.ts'
import { OracleError, OracleErrorCode } from './errors.ts'
import type { FactSource } from './sources.ts'

/** One capability served: its signed ad, its secret key and where its facts come from. */
export interface ServedCapability {
  ad: OracleCapability
  secretKey: string
  source?: FactSource
}

/** Decides whether a request is paid for (its `invoice`) before the endpoint commits. */
export type PaymentCheck = (
  request: FactRequest,
  capability: OracleCapability,
) => Promise<{ paid: true } | { paid: false; reason: string }>

export interface EndpointComponents {
  /**
   * The capabilities served, or a function returning the current ones (re-read on every
   * request, so `serve` can swap them on SIGHUP without a restart).
   */
  capabilities: readonly ServedCapability[] | (() => readonly ServedCapability[])
  /** The oracle ad (or a function returning the current one), returned with the capabilities so a trader can check who signed them. */
  oracle?: OracleId | (() => OracleId | undefined)
  /** The signed manifest, or a function returning the current one. */
  manifest?: OracleManifest | (() => OracleManifest | undefined)
  paymentCheck?: PaymentCheck
  /** Refuses to sign a second, different answer to a question (see answer-journal.ts). */
  journal?: AnswerJournal
  /** Milliseconds clock. @default Date.now */
  clock?: () => number
  logger?: FastifyBaseLogger
}

export interface EndpointOptions {
  /** Seconds from commitment to deadline: when a missing fact becomes reportable. @default 86_400 */
  deadlineSeconds: number
  /** Free-text terms put in every commitment. @default none */
  terms?: string
  /** Largest body: a commitment is at most a message (64 KiB). @default 65_536 */
  bodyLimit: number
  /** Fact lookups (commands, HTTP calls) in flight at once; more get 503 `BUSY`. @default 16 */
  maxLookups: number
  /** Requests per client address per minute. @default 600 */
  rateLimitPerMinute: number
  /** Milliseconds for a request's headers and body to arrive whole (408 beyond). @default 10_000, as the node's API */
  requestTimeoutMs: number
  /** Open connections per client address; more get 503 (0: no cap). @default 64, as the node's API */
  maxConnectionsPerAddress: number
  /** Origins whose pages may read the answers (CORS, see src/http/cors.ts); `*` for any. @default ['*'] */
  corsOrigins: readonly string[]
}

const defaultEndpointOptions: EndpointOptions = {
  deadlineSeconds: 86_400,
  bodyLimit: LIMITS.messageBytes,
  maxLookups: 16,
  rateLimitPerMinute: 600,
  ...DEFAULT_CONNECTION_LIMITS,
  corsOrigins: DEFAULT_CORS_ORIGINS,
}

const RESPONSE_SCHEMAS = [Commitment, Fact, OracleManifest, OracleCapability, OracleId]

/** `GET /capabilities`: the oracle ad (when known) and the capabilities served. */
const CapabilityList = Type.Object(
  { oracle: Type.Optional(ref('OracleId')), items: Type.Array(ref('OracleCapability')) },
  { additionalProperties: false },
)

/**
 * HTTP status of each toolkit code the endpoint raises, from the catalogue of reasons
 * (src/protocol/reasons.ts); protocol codes are 422 (the API's table).
 */
const STATUS: Partial<Record<string, number>> = Object.fromEntries(
  reasonsOf('oracle').flatMap(({ code, http }) => (http === null ? [] : [[code, http]])),
)

/** Builds the endpoint app (not listening). Resolves once its schemas compiled. */
export async function buildEndpoint(
  components: EndpointComponents,
  init: Partial<EndpointOptions> = {},
): Promise<FastifyInstance> {
  const options = { ...defaultEndpointOptions, ...init }
  const clock = components.clock ?? Date.now
  const fixed = typeof components.capabilities === 'function' ? [] : components.capabilities
  const current = typeof components.capabilities === 'function' ? components.capabilities : () => fixed
  // Signers check and prepare each key once, when first seen: a wrong key fails at boot (below)
  // or at the reload that brings it, not on every request.
  const signers = new WeakMap<ServedCapability, CapabilitySigner>()
  const signerOf = (served: ServedCapability) => {
    let signer = signers.get(served)
    if (!signer) {
      signer = capabilitySigner(served.ad, served.secretKey)
      signers.set(served, signer)
    }
    return signer
  }
  for (const served of current()) signerOf(served)
  let lookups = 0

  const app = Fastify({
    bodyLimit: options.bodyLimit,
    ...serverOptions(options),
    // Each distinct response schema compiled once per process (src/http/serializers.ts).
    schemaController: { compilersFactory: { buildSerializer: buildCachedSerializer } },
    ...(components.logger ? { loggerInstance: components.logger } : { logger: false }),
    frameworkErrors: (error, request, reply) => {
      sendProblem(error, request, reply)
    },
  }) as unknown as FastifyInstance
  problemPlugin(app)
  guardConnections(app, options)
  // Asking for commitments and facts is the endpoint's public service: `*` opens its POSTs too.
  corsPlugin(app, options.corsOrigins, { anyOriginMayPost: true })
  // Responses are serialized from the protocol's schemas: only the fields a message may carry
  // leave the endpoint, whatever an object in memory holds.
  for (const schema of shareSchemas(RESPONSE_SCHEMAS)) app.addSchema(schema)
  // The routes live in a child context with their own error handler, which knows the toolkit's
  // codes and hands everything else to the API's handler.
  await app.register(routes)
  await app.ready()
  return app

  async function routes(api: FastifyInstance) {
    api.setErrorHandler((error, request, reply) => {
      const status = error instanceof OracleError ? STATUS[error.code] : undefined
      if (!(error instanceof OracleError) || status === undefined) return sendProblem(error, request, reply)
      request.log.info({ code: error.code, status }, 'request refused')
      return reply
        .code(status)
        .type('application/problem+json')
        .send(
          problemOf(error.code, status, error.message, request.url, {
            ...(typeof error.details.path === 'string' && { path: error.details.path }),
          }),
        )
    })
    await rateLimitPlugin(api, { max: options.rateLimitPerMinute, timeWindow: 60_000 })

    function served(key: string) {
      const found = current().find((served) => served.ad.capabilityKey === key)
      if (!found) {
        throw new OracleError(OracleErrorCode.UNKNOWN_CAPABILITY, `/capability: ${key} is not served here`, {
          path: '/capability',
        })
      }
      return { ...found, signer: signerOf(found) }
    }

    api.get('/capabilities', { schema: { response: { 200: CapabilityList } } }, async () => {
      const oracle = typeof components.oracle === 'function' ? components.oracle() : components.oracle
      return {
        ...(oracle && { oracle }),
        items: current()
          .filter((entry) => !entry.ad.off)
          .map((entry) => entry.ad),
      }
    })

    for (const url of ['/.well-known/mega-oracle.json', '/manifest']) {
      api.get(url, { schema: { response: { 200: ref('OracleManifest') } } }, async () => {
        const manifest =
          typeof components.manifest === 'function' ? components.manifest() : components.manifest
        if (manifest) return manifest
        throw new ApiError(ApiErrorCode.NOT_FOUND, 'this endpoint publishes no manifest')
      })
    }

    api.post(
      '/commitment',
      {
        // The route's schema is the protocol's; its own validator gives the precise JSON path.
        schema: { body: FactRequestSchema, response: { 200: ref('Commitment') } },
        validatorCompiler: () =>
          protocolValidator((value) => validateSchema(FactRequestSchema, value, 'FactRequest')),
      },
      async (httpRequest) => {
        const request = httpRequest.body as FactRequest
        const { ad, signer } = served(request.capability)
        if (ad.off) throw new OracleError(OracleErrorCode.CAPABILITY_OFF, 'the capability is switched off')
        rethrow(checkRequest(ad, request))
        if (components.paymentCheck) {
          const verdict = await components.paymentCheck(request, ad)
          if (!verdict.paid)
            throw new OracleError(OracleErrorCode.PAYMENT_REQUIRED, verdict.reason, { path: '/invoice' })
        }
        const deadline = Math.floor(clock() / 1000) + options.deadlineSeconds
        return signer.commit(request, deadline, options.terms)
      },
    )

    api.post(
      '/fact',
      {
        schema: {
          body: { type: 'object', description: 'a Commitment this endpoint signed' },
          response: { 200: ref('Fact') },
        },
        validatorCompiler: () => protocolValidator((value) => validateMessage(value, 'commitment')),
      },
      async (httpRequest) => {
        const commitment = httpRequest.body as Commitment
        const { ad, signer, source } = served(commitment.request.capability)
        checkOwnCommitment(ad, commitment)
        rethrow(checkRequest(ad, commitment.request))
        if (!source) throw new OracleError(OracleErrorCode.SOURCE_FAILED, 'the capability has no fact source')
        if (lookups >= options.maxLookups)
          throw new OracleError(OracleErrorCode.BUSY, 'too many lookups in flight')
        lookups++
        let answer: string | undefined
        try {
          answer = await source(commitment.request, ad)
        } finally {
          lookups--
        }
        if (answer === undefined) {
          throw new OracleError(
            OracleErrorCode.FACT_NOT_READY,
            'the answer is not known yet; ask again later',
          )
        }
        if (!checkAnswer(ad, answer).ok) {
          // Never sign what the capability does not allow: that would be a provable lie.
          throw new OracleError(
            OracleErrorCode.SOURCE_ANSWER_INVALID,
            'the fact source answered outside the capability’s answers',
          )
        }
        await components.journal?.record(commitment.request, answer)
        const fact = signer.attest(commitment.request, answer)
        rethrow(verifyAttestation(commitment, fact))
        return fact
      },
    )
  }
}

/** A commitment deserves a fact only when this endpoint signed it, in the capability's terms. */
function checkOwnCommitment(ad: OracleCapability, commitment: Commitment): void {
  const forged = (reason: string, path: string) =>
    new OracleError(OracleErrorCode.COMMITMENT_INVALID, `${path}: ${reason}`, { path })
  if (commitment.scheme !== ad.capabilityScheme) throw forged('not this capability’s scheme', '/scheme')
  if (commitment.attestation.type !== ad.attestation)
    throw forged('not this capability’s attestation type', '/attestation/type')
  const signed = verifySignatures(commitment)
  if (!signed.ok) throw forged('not signed by this capability’s key', '/signature')
}

function protocolValidator(check: (value: unknown) => { ok: boolean; error?: ProtocolError }) {
  return (value: unknown) => {
    const result = check(value)
    return result.ok ? { value } : { error: result.error as ProtocolError }
  }
}

function rethrow(result: { ok: true } | { ok: false; error: ProtocolError }): void {
  if (!result.ok) throw result.error
}
