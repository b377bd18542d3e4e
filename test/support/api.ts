/**
 * Test helpers of the API: an app over a fresh mempool with low minimum bits (the fixtures
 * mine 8), a clock that tests move, and JSON request shorthands. No ports: `app.inject`.
 */
import type { FastifyInstance, LightMyRequestResponse } from 'fastify'
import { type ApiComponents, type ApiInit, buildApi, type NetworkView } from '../../src/api/index.ts'
import { Mempool } from '../../src/mempool/mempool.ts'
import type { MempoolOptions } from '../../src/mempool/options.ts'
import { LOW, NOW } from './pool-settings.ts'

export { LOW, NOW }

export interface TestApi {
  app: FastifyInstance
  mempool: Mempool
  post(url: string, body: unknown): Promise<LightMyRequestResponse>
  get(url: string): Promise<LightMyRequestResponse>
}

/** A network view with one peer, for the schemas of `/peers` and `/stats`. */
export const STUB_NETWORK: NetworkView = {
  peers: () => ({
    self: { id: 'self', addresses: ['/ip4/127.0.0.1/tcp/9090/p2p/self'] },
    items: [
      {
        id: 'peer',
        addresses: ['/ip4/127.0.0.1/tcp/40000/p2p/peer'],
        direction: 'outbound',
        latencyMs: 1.5,
        score: 0.5,
        connectedSeconds: 12,
      },
    ],
  }),
  stats: () => ({
    peerId: 'self',
    connections: 1,
    peers: 1,
    gossip: {
      accepted: 3,
      ignored: 2,
      rejected: 1,
      orphaned: 1,
      published: 4,
      fromMesh: 2,
      fromOutsideMesh: 1,
    },
    mesh: { oracle: 1, capability: 1, report: 1, dispute: 1, offer: 1 },
    wire: {
      received: 5,
      duplicates: 2,
      sent: 6,
      idontwantSent: 3,
      idontwantSkipped: 1,
      iwantAsked: 1,
      iwantServed: 1,
      bytesSent: 4000,
      bytesReceived: 3500,
    },
    orphans: { count: 0, bytes: 0, max: 1000, added: 1, resolved: 1, expired: 0, evicted: 0 },
    peerExchange: { candidates: 2, accepted: 7, ignored: 1, rejected: 0 },
    bans: { active: 0, total: 0, strikes: 1 },
  }),
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
