/** `GET /oracles` (ranked by score, filtered, paged) and `GET /oracles/:key`. */
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import type { FastifyInstance } from 'fastify'
import Type from 'typebox'
import { ApiError, ApiErrorCode } from '../../http/index.ts'
import { getOracle, listOracles, type Mempool, type QueryLimits } from '../../mempool/index.ts'
import { Hex32, strict, Tag } from '../../protocol/index.ts'
import { json, pagingQuery, problems } from './common.ts'

/** What the query routes read. */
export interface QueryRoutesOptions {
  mempool: Mempool
  limits: QueryLimits
}

const OraclesQuery = Type.Object(
  {
    ...pagingQuery,
    tag: Type.Optional(Type.String({ ...Tag, description: 'a tag of the ad or of an active capability' })),
    minScore: Type.Optional(
      Type.Number({ minimum: -1024, maximum: 1024, description: 'lowest score, in bits' }),
    ),
    text: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 64,
        description: 'found (case-insensitive) in a question or tag of an active capability',
      }),
    ),
  },
  strict,
)

export async function oracleRoutes(
  app: FastifyInstance,
  { mempool, limits }: QueryRoutesOptions,
): Promise<void> {
  const api = app.withTypeProvider<TypeBoxTypeProvider>()
  api.get(
    '/oracles',
    {
      schema: {
        tags: ['query'],
        summary: 'Oracles ranked by score, highest first',
        description:
          'Pages follow `next` (a cursor). A selective filter may return fewer than `limit` items with a `next`: keep going while `next` is present.',
        querystring: OraclesQuery,
        response: { 200: json('A page of oracles', 'OraclePage'), ...problems(400) },
      },
    },
    (request) => listOracles(mempool, request.query, limits),
  )
  api.get(
    '/oracles/:key',
    {
      schema: {
        tags: ['query'],
        summary: 'One oracle with its capabilities and a summary of the reports against it',
        params: Type.Object({ key: Hex32 }, strict),
        response: { 200: json('The oracle', 'OracleDetail'), ...problems(400, 404) },
      },
    },
    (request) => {
      const oracle = getOracle(mempool, request.params.key)
      if (!oracle)
        throw new ApiError(ApiErrorCode.NOT_FOUND, `oracle ${request.params.key} is not held by this node`)
      return oracle
    },
  )
}
