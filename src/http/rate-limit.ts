/**
 * Per-IP rate limit of the routes registered in the same context (the POST routes): one
 * counter per address shared by all of them, exceeding it is a `RATE_LIMITED` problem (429)
 * with `Retry-After`, formatted by the one error handler.
 */
import rateLimit from '@fastify/rate-limit'
import type { FastifyInstance } from 'fastify'
import { ApiError, ApiErrorCode } from './errors.ts'

/** At most `max` requests per `timeWindow` milliseconds from one client address. */
export interface RateLimit {
  max: number
  timeWindow: number
}

/**
 * Registers the limiter in `context`: every route added to `context` afterwards counts
 * against one budget per client address. Call inside the encapsulated context of the routes.
 */
export async function rateLimitPlugin(context: FastifyInstance, limit: RateLimit): Promise<void> {
  await context.register(rateLimit, {
    global: true,
    max: limit.max,
    timeWindow: limit.timeWindow,
    errorResponseBuilder: (_request, { after }) =>
      new ApiError(ApiErrorCode.RATE_LIMITED, `rate limit exceeded, retry in ${after}`),
  })
}
