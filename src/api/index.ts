/**
 * The node's REST API (Fastify): schema-first routes over the mempool, one error path
 * (`application/problem+json`), OpenAPI at `/openapi.json`, Swagger UI at `/docs`.
 *
 * @packageDocumentation
 * @example
 * import { buildApi } from './api/index.ts'
 * const app = await buildApi({ mempool, submit })
 * await app.listen({ host: '127.0.0.1', port: 8080 })
 */

export {
  ApiError,
  ApiErrorCode,
  PROBLEM_TYPE,
  type Problem,
  type ProblemDetails,
  STATUS_BY_CODE,
  toProblem,
} from '../http/index.ts'
export { admissionError } from './admission-error.ts'
export { type ApiComponents, buildApi, mempoolSubmit } from './app.ts'
export { type AdmittedEvent, EventHub } from './events.ts'
export { type ApiInit, type ApiOptions, apiOptions, defaultApiOptions } from './options.ts'
export type { NetworkView } from './routes/peers.ts'
export { STATUS_BY_OUTCOME, type Submit } from './routes/submit.ts'
export { sharedSchemas } from './schemas.ts'
