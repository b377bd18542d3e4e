/**
 * `POST /oracle|/capability|/report|/dispute|/offer`: hands a message to the node's submit
 * function and answers with the admission outcome. The body is validated once, here, by the
 * protocol's validator (the same as gossip and sync: schema and intrinsic rules); every
 * mempool rule lives behind `submit`.
 */
import type { FastifyInstance } from 'fastify'
import { rateLimitPlugin } from '../../http/index.ts'
import type { PoolMessage, Submit } from '../../mempool/index.ts'
import { KIND_SPECS, POOL_KINDS, type Validated, validate } from '../../protocol/index.ts'
import { admissionError } from '../admission-error.ts'
import type { ApiOptions } from '../options.ts'
import { idOf, ref } from '../schemas.ts'
import { json, problems } from './common.ts'

/**
 * Admits one validated message: the node's pipeline (mempool, store, events, gossip).
 * Resolves to the outcome; rejects only when the node itself fails (500).
 */
export type { Submit } from '../../mempool/index.ts'

/** HTTP status of each outcome that took or knowingly left the message. */
export const STATUS_BY_OUTCOME = { added: 201, updated: 200, duplicate: 200, skipped: 202 } as const

export interface SubmitRoutesOptions {
  submit: Submit
  rateLimit: ApiOptions['rateLimit']
}

/** The five POST routes, rate-limited per client address as one group. */
export async function submitRoutes(
  app: FastifyInstance,
  { submit, rateLimit }: SubmitRoutesOptions,
): Promise<void> {
  await rateLimitPlugin(app, rateLimit)
  for (const kind of POOL_KINDS) {
    app.post(
      `/${kind}`,
      {
        schema: {
          tags: ['submit'],
          summary: KIND_SPECS[kind].httpSummary,
          body: ref(idOf(KIND_SPECS[kind].schema)),
          response: {
            201: json('Added', 'AdmissionResult'),
            200: json('Updated an entry, or already held (duplicate)', 'AdmissionResult'),
            202: json('Valid, but kept by other shards, not this node', 'AdmissionResult'),
            ...problems(400, 409, 413, 415, 422, 429),
          },
        },
        // The protocol's own validator: precise JSON paths, and the kind must be this route's.
        validatorCompiler: () => (value: unknown) => {
          const checked = validate(value, kind)
          return checked.ok ? { value: checked.value } : { error: checked.error }
        },
      },
      async (request, reply) => {
        const admission = await submit(request.body as Validated<PoolMessage>, 'local')
        if (admission.status === 'invalid' || admission.status === 'low-pow') throw admissionError(admission)
        return reply.code(STATUS_BY_OUTCOME[admission.status]).send({
          status: admission.status,
          kind: admission.kind ?? kind,
          ...(admission.id !== undefined && { id: admission.id }),
          ...(admission.reason && {
            reason: { code: admission.reason.code, message: admission.reason.message },
          }),
        })
      },
    )
  }
}
