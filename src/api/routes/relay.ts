/**
 * `POST /relay/commitment` and `POST /relay/fact`: the oracle endpoint's two routes, asked by
 * this node on the client's behalf (src/facts/relay.ts). A trader points its endpoint client at
 * `<node>/relay` and verifies what comes back as it would from the oracle. An oracle's refusal
 * comes back with the oracle's status and code; the node's own refusals have the node's codes.
 */
import type { FastifyInstance } from 'fastify'
import { EndpointError, EndpointErrorCode } from '../../client/index.ts'
import { FactError, FactErrorCode, type Relay } from '../../facts/index.ts'
import { PROBLEM_TYPE, problemOf, rateLimitPlugin, sendProblem } from '../../http/index.ts'
import { LIMITS, UNKNOWN_CODE } from '../../protocol/index.ts'
import type { ApiOptions } from '../options.ts'
import { json, problems } from './common.ts'

export interface RelayRoutesOptions {
  relay: Relay
  rateLimit: ApiOptions['rateLimit']
}

export async function relayRoutes(
  app: FastifyInstance,
  { relay, rateLimit }: RelayRoutesOptions,
): Promise<void> {
  app.setErrorHandler((error, request, reply) => {
    if (error instanceof EndpointError && error.code === EndpointErrorCode.REFUSED) {
      // The oracle refused: its status and code, so the trader's client reads them as if direct.
      const raw = Number(error.details.status)
      const status = raw >= 400 && raw <= 599 ? raw : 502
      const code = String(error.details.problemCode ?? UNKNOWN_CODE)
      request.log.info({ code, status }, 'oracle refused a relayed request')
      return reply
        .code(status)
        .type(PROBLEM_TYPE)
        .send(problemOf(code, status, `the oracle refused: ${error.message}`, request.url))
    }
    if (error instanceof FactError && error.code === FactErrorCode.RELAY_BUSY)
      reply.header('retry-after', String(error.details.retryAfter ?? 1))
    return sendProblem(error, request, reply)
  })
  await rateLimitPlugin(app, rateLimit)
  const body = { type: 'object', description: 'checked by the relay against the capability ad held' }
  app.post(
    '/relay/commitment',
    {
      bodyLimit: LIMITS.messageBytes,
      schema: {
        tags: ['relay'],
        summary: 'Ask the oracle for a commitment to a FactRequest, through this node',
        description:
          'The body is a FactRequest for a capability this node holds. The oracle sees this node’s address. Identical requests without an invoice in flight at once reach the oracle once; a commitment the node holds for exactly this request, with its deadline far enough ahead, is served without asking. `x-mega-source` says which: `oracle`, `shared` or `pool`.',
        body,
        response: {
          200: json('The oracle’s commitment, verified by this node', 'Commitment'),
          ...problems(400, 403, 404, 413, 415, 422, 429, 502, 503),
        },
      },
    },
    async (request, reply) => {
      const { commitment, source } = await relay.commitment(request.body, request.ip)
      return reply.header('x-mega-source', source).send(commitment)
    },
  )
  app.post(
    '/relay/fact',
    {
      bodyLimit: LIMITS.messageBytes,
      schema: {
        tags: ['relay'],
        summary: 'Ask the oracle for the fact of a commitment it signed, through this node',
        description:
          'The body is a commitment signed by the key of a capability this node holds. A fact the node holds that keeps this commitment is served without asking the oracle.',
        body,
        response: {
          200: json('The oracle’s fact, verified by this node', 'Fact'),
          ...problems(400, 403, 404, 409, 413, 415, 422, 429, 502, 503),
        },
      },
    },
    async (request, reply) => {
      const { fact, source } = await relay.fact(request.body, request.ip)
      return reply.header('x-mega-source', source).send(fact)
    },
  )
}
