/**
 * Per-IP rate limit of the routes registered in the same context (the POST routes): one
 * counter per address shared by all of them, exceeding it is a `RATE_LIMITED` problem (429)
 * with `Retry-After`, formatted by the one error handler.
 */
import rateLimit from '@fastify/rate-limit'
import type { FastifyInstance } from 'fastify'
import type { ApiOptions } from '../api/options.ts'
import { ApiError, ApiErrorCode } from './errors.ts'

/**
 * Registers the limiter in `context`: every route added to `context` afterwards counts
 * against one budget per client address. Call inside the encapsulated context of the routes.
 */
export async function rateLimitPlugin(
  context: FastifyInstance,
  limit: ApiOptions['rateLimit'],
): Promise<void> {
  await context.register(rateLimit, {
    global: true,
    max: limit.max,
    timeWindow: limit.timeWindow,
    errorResponseBuilder: (_request, { after }) =>
      new ApiError(ApiErrorCode.RATE_LIMITED, `rate limit exceeded, retry in ${after}`),
  })
}
