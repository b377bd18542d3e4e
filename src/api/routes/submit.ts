/**
 * `POST /oracle|/capability|/report|/dispute|/offer`: hands a message to the node's submit
 * function and answers with the admission outcome. The body is checked against the kind's
 * schema (the same validator as gossip); every mempool rule lives behind `submit`.
 */
import type { FastifyInstance } from 'fastify'
import { rateLimitPlugin } from '../../http/rate-limit.ts'
import type { Admission } from '../../mempool/admission.ts'
import { MESSAGE_SCHEMAS, type Message, POOL_KINDS, type PoolKind } from '../../protocol/messages/index.ts'
import { validateMessage } from '../../protocol/validate.ts'
import { admissionError } from '../admission-error.ts'
import type { ApiOptions } from '../options.ts'
import { idOf, ref } from '../schemas.ts'
import { json, problems } from './common.ts'

/**
 * Admits one schema-valid message of `kind`: the node's pipeline (mempool, store, gossip).
 * Resolves to the outcome; rejects only when the node itself fails (500).
 */
export type Submit = (kind: PoolKind, message: Message) => Promise<Admission> | Admission

/** HTTP status of each outcome that took or knowingly left the message. */
export const STATUS_BY_OUTCOME = { added: 201, updated: 200, duplicate: 200, skipped: 202 } as const

export interface SubmitRoutesOptions {
  submit: Submit
  rateLimit: ApiOptions['rateLimit']
}

const SUMMARIES: Record<PoolKind, string> = {
  oracle: 'Submit an oracle ad (OracleId)',
  capability: 'Submit a capability ad',
  report: 'Submit a report against an oracle',
  dispute: 'Answer a fact-missing report with the signed fact',
  offer: 'Submit an offer, or its acceptance or finalization',
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
          summary: SUMMARIES[kind],
          body: ref(idOf(MESSAGE_SCHEMAS[kind])),
          response: {
            201: json('Added', 'AdmissionResult'),
            200: json('Updated an entry, or already held (duplicate)', 'AdmissionResult'),
            202: json('Valid, but kept by other shards, not this node', 'AdmissionResult'),
            ...problems(400, 409, 413, 415, 422, 429),
          },
        },
        // The protocol's own validator: precise JSON paths, and the kind must be this route's.
        validatorCompiler: () => (value: unknown) => {
          const checked = validateMessage(value, kind)
          return checked.ok ? { value: checked.value } : { error: checked.error }
        },
      },
      async (request, reply) => {
        const admission = await submit(kind, request.body as Message)
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
