/** `GET /capabilities`, `GET /reports`, `GET /offers`: filtered, paged listings. */
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import type { FastifyInstance } from 'fastify'
import Type from 'typebox'
import { listCapabilities, listOffers, listReports, OfferStage } from '../../mempool/index.ts'
import { Hex32, REPORT_KINDS, strict, Tag } from '../../protocol/index.ts'
import { json, oracleQuery, pagingQuery, problems } from './common.ts'
import type { QueryRoutesOptions } from './oracles.ts'

export async function listingRoutes(
  app: FastifyInstance,
  { mempool, limits }: QueryRoutesOptions,
): Promise<void> {
  const api = app.withTypeProvider<TypeBoxTypeProvider>()
  api.get(
    '/capabilities',
    {
      schema: {
        tags: ['query'],
        summary: 'Capabilities, those of the best-ranked oracles first',
        querystring: Type.Object(
          {
            ...pagingQuery,
            oracle: oracleQuery,
            tag: Type.Optional(Tag),
            text: Type.Optional(
              Type.String({ minLength: 1, maxLength: 64, description: 'in the question or a tag' }),
            ),
          },
          strict,
        ),
        response: { 200: json('A page of capabilities', 'CapabilityPage'), ...problems(400) },
      },
    },
    (request) => listCapabilities(mempool, request.query, limits),
  )
  api.get(
    '/reports',
    {
      schema: {
        tags: ['query'],
        summary: 'Reports, against the best-ranked oracles first',
        querystring: Type.Object(
          {
            ...pagingQuery,
            oracle: oracleQuery,
            type: Type.Optional(
              Type.Unsafe<string>({ type: 'string', enum: REPORT_KINDS.map((kind) => kind.type) }),
            ),
          },
          strict,
        ),
        response: { 200: json('A page of reports', 'ReportPage'), ...problems(400) },
      },
    },
    (request) => listReports(mempool, request.query, limits),
  )
  api.get(
    '/offers',
    {
      schema: {
        tags: ['query'],
        summary: 'Offers, strongest first, with their stage',
        querystring: Type.Object(
          {
            ...pagingQuery,
            capability: Type.Optional(
              Type.String({ ...Hex32, description: 'only offers on this capability key' }),
            ),
            stage: Type.Optional(OfferStage),
          },
          strict,
        ),
        response: { 200: json('A page of offers', 'OfferPage'), ...problems(400) },
      },
    },
    (request) => listOffers(mempool, request.query, limits),
  )
}
