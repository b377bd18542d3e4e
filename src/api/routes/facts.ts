/**
 * The fact pool over HTTP: `GET /facts` (verified facts and commitments of a capability, for
 * one question when `args` is given), `GET /facts/conflicts` (proof that an oracle broke its
 * word, with the report it supports) and `POST /fact-record` (give the node a signed
 * commitment or fact). Every rule is the pool's (src/facts/fact-pool.ts).
 */
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import type { FastifyInstance } from 'fastify'
import Type from 'typebox'
import type { FactAdmission, FactPool } from '../../facts/index.ts'
import { ApiError, ApiErrorCode, rateLimitPlugin } from '../../http/index.ts'
import {
  type Commitment,
  type Fact,
  Hex32,
  LIMITS,
  type ReportContent,
  strict,
} from '../../protocol/index.ts'
import { admissionError } from '../admission-error.ts'
import type { ApiOptions } from '../options.ts'
import { ref } from '../schemas.ts'
import { oracleQuery, problems } from './common.ts'

export interface FactRoutesOptions {
  pool: FactPool
  /** The node's path into the pool (persists what changed). */
  add: (value: unknown) => FactAdmission
  rateLimit: ApiOptions['rateLimit']
}

const FactList = Type.Object(
  {
    facts: Type.Array(Type.Unsafe<Fact>(ref('Fact'))),
    commitments: Type.Array(Type.Unsafe<Commitment>(ref('Commitment'))),
  },
  strict,
)

const ConflictView = Type.Object(
  {
    type: Type.Union([Type.Literal('equivocation'), Type.Literal('broken-commitment')]),
    id: Type.String(),
    oracle: Hex32,
    capability: Hex32,
    evidence: Type.Array(Hex32),
    pinned: Type.Boolean(),
    reportableFrom: Type.Integer({ description: 'Unix seconds from which nodes accept the report' }),
    report: Type.Object({ oracle: Hex32, content: Type.Unsafe<ReportContent>(ref('ReportContent')) }, strict),
  },
  strict,
)

const FactRecordResult = Type.Object(
  {
    status: Type.Union([Type.Literal('added'), Type.Literal('duplicate')]),
    kind: Type.Union([Type.Literal('commitment'), Type.Literal('fact')]),
    id: Hex32,
    conflicts: Type.Array(Type.String(), { description: 'ids of the conflicts the record revealed' }),
  },
  strict,
)

export async function factRoutes(
  app: FastifyInstance,
  { pool, add, rateLimit }: FactRoutesOptions,
): Promise<void> {
  const api = app.withTypeProvider<TypeBoxTypeProvider>()
  api.get(
    '/facts',
    {
      schema: {
        tags: ['facts'],
        summary: 'Signed facts and commitments this node holds for a capability (one question with `args`)',
        description:
          'Every item was checked when the node took it (signed by the capability key, a request the capability answers); check them again, as from the oracle. Most recently used first.',
        querystring: Type.Object(
          {
            capability: Type.String({ ...Hex32, description: 'the capability key' }),
            args: Type.Optional(
              Type.String({
                maxLength: 4096,
                description: 'the request’s arguments as a JSON object, e.g. {"pair":"BTC/USD"}',
              }),
            ),
            limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 20 })),
          },
          strict,
        ),
        response: { 200: { description: 'What the node holds', ...FactList }, ...problems(400) },
      },
    },
    (request) => {
      const args = request.query.args === undefined ? undefined : parseArgs(request.query.args)
      const found = pool.find({
        capability: request.query.capability,
        ...(args && { args }),
        limit: request.query.limit ?? 20,
      })
      return {
        facts: found.flatMap(({ message }) => (message.kind === 'fact' ? [message] : [])),
        commitments: found.flatMap(({ message }) => (message.kind === 'commitment' ? [message] : [])),
      }
    },
  )
  api.get(
    '/facts/conflicts',
    {
      schema: {
        tags: ['facts'],
        summary: 'Proof that an oracle broke its word, each with the report it supports',
        description:
          '`equivocation`: two facts of one capability key for one question with different answers (a verified `fact-conflict` report). `broken-commitment`: a fact for a committed request that does not keep the commitment (a verified `fact-missing` report from `reportableFrom`). File one with `mega trader conflicts --file`.',
        querystring: Type.Object({ oracle: oracleQuery }, strict),
        response: {
          200: {
            description: 'Conflicts held, pinned first',
            ...Type.Object({ items: Type.Array(ConflictView) }, strict),
          },
          ...problems(400),
        },
      },
    },
    (request) => ({ items: pool.conflicts(request.query) }),
  )
  await app.register(async (context) => {
    await rateLimitPlugin(context, rateLimit)
    context.post(
      '/fact-record',
      {
        bodyLimit: LIMITS.messageBytes,
        schema: {
          tags: ['facts'],
          summary: 'Give the node a signed commitment or fact for its fact pool',
          body: { type: 'object', description: 'a Commitment or a Fact' },
          response: {
            201: { description: 'Added', ...FactRecordResult },
            200: { description: 'Already held', ...FactRecordResult },
            ...problems(400, 404, 413, 415, 422, 429, 503),
          },
        },
      },
      async (request, reply) => {
        const admission = add(request.body)
        if (admission.status === 'invalid') throw admissionError(admission)
        return reply.code(admission.status === 'added' ? 201 : 200).send({
          status: admission.status,
          kind: admission.kind,
          id: admission.id,
          conflicts: admission.conflicts.map((conflict) => conflict.id),
        })
      },
    )
  })
}

function parseArgs(text: string): Record<string, string> {
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch {
    throw new ApiError(ApiErrorCode.BAD_REQUEST, 'args must be a JSON object of strings')
  }
  if (
    typeof value !== 'object' ||
    value === null ||
    Array.isArray(value) ||
    !Object.values(value).every((v) => typeof v === 'string')
  )
    throw new ApiError(ApiErrorCode.BAD_REQUEST, 'args must be a JSON object of strings')
  return value as Record<string, string>
}
