/**
 * Test helpers of the API: an app over a fresh mempool with low minimum bits (the fixtures
 * mine 8), a clock that tests move, and JSON request shorthands. No ports: `app.inject`.
 */
import type { FastifyInstance, LightMyRequestResponse } from 'fastify'
import { type ApiComponents, type ApiInit, buildApi } from '../../src/api/index.ts'
import { Mempool } from '../../src/mempool/mempool.ts'
import type { MempoolOptions } from '../../src/mempool/options.ts'

export const NOW = 1_850_000_000
export const LOW = { oracle: 8, capability: 8, report: 8, offer: 8 }

export interface TestApi {
  app: FastifyInstance
  mempool: Mempool
  post(url: string, body: unknown): Promise<LightMyRequestResponse>
  get(url: string): Promise<LightMyRequestResponse>
}

/** Builds an API over a new mempool; close it with `t.after(() => api.app.close())`. */
export async function testApi(
  init: ApiInit = {},
  mempoolOptions: Partial<MempoolOptions> = {},
  components: Partial<ApiComponents> = {},
): Promise<TestApi> {
  const mempool = new Mempool({ minBits: LOW, ...mempoolOptions }, { now: () => NOW })
  const app = await buildApi({ mempool, ...components }, init)
  return {
    app,
    mempool,
    post: (url, body) =>
      app.inject({
        method: 'POST',
        url,
        headers: { 'content-type': 'application/json' },
        payload: typeof body === 'string' ? body : JSON.stringify(body),
      }),
    get: (url) => app.inject({ method: 'GET', url }),
  }
}

/** The parsed JSON body of a response. */
export function body<T = Record<string, unknown>>(response: LightMyRequestResponse): T {
  return JSON.parse(response.body) as T
}
