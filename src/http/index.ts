/**
 * The HTTP pieces the node's REST API (src/api) and the oracle endpoint (src/oracle/endpoint.ts)
 * share: coded errors answered as `application/problem+json`, the strict JSON parser, the
 * limits below the routes (request deadline, connections per address), CORS, the per-address
 * rate limit, and schemas shared by `$ref`. Depends on the protocol core only.
 *
 * @packageDocumentation
 */
export {
  addressKey,
  type ConnectionLimits,
  DEFAULT_CONNECTION_LIMITS,
  guardConnections,
  serverOptions,
} from './connections.ts'
export { allowedOrigin, corsPlugin, DEFAULT_CORS_ORIGINS } from './cors.ts'
export { ApiError, ApiErrorCode, type ProblemDetails } from './errors.ts'
export {
  charsetOf,
  logProblem,
  PROBLEM_TYPE,
  type Problem,
  problemOf,
  problemPlugin,
  STATUS_BY_CODE,
  sendProblem,
  toProblem,
} from './problem.ts'
export { type RateLimit, rateLimitPlugin } from './rate-limit.ts'
export { idOf, ProblemSchema, ref, shareSchemas } from './schemas.ts'
export { buildCachedSerializer } from './serializers.ts'
export { buildLazyValidator, compilePendingSchemas } from './validators.ts'
