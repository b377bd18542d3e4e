/**
 * Hostile input: whatever a client sends (random JSON, wrong types, huge strings and arrays,
 * deep nesting, truncated bodies, invalid UTF-8, wrong media types, random query strings),
 * the API answers 4xx with a problem document, never 5xx, and keeps serving.
 */
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import fc from 'fast-check'
import type { LightMyRequestResponse } from 'fastify'
import { admitValue } from '../../../src/mempool/pipeline.ts'
import { type TestApi, testApi } from '../../support/api.ts'
import * as fx from '../../support/messages.ts'

const ROUTES = ['/oracle', '/capability', '/report', '/dispute', '/offer']
const RUNS = { numRuns: 150 }

describe('hostile input', () => {
  let api: TestApi
  const valid = [
    fx.oracleAd(),
    fx.capabilityAd(),
    fx.report({ type: 'free-form', comment: 'x', links: [] }),
    fx.offer(),
  ]

  before(async () => {
    api = await testApi({ rateLimit: { max: 1_000_000, timeWindow: 60_000 }, bodyLimit: 64 * 1024 })
    // Something to be refused against, so rules past the schema run too.
    admitValue(api.mempool, fx.oracleAd())
    admitValue(api.mempool, fx.capabilityAd())
  })
  after(() => api.app.close())

  function send(url: string, payload: string | Buffer, contentType = 'application/json') {
    return api.app.inject({ method: 'POST', url, headers: { 'content-type': contentType }, payload })
  }

  async function refused(response: LightMyRequestResponse, what: string): Promise<void> {
    assert.ok(
      response.statusCode >= 400 && response.statusCode < 500,
      `${what}: ${response.statusCode} ${response.body.slice(0, 200)}`,
    )
    assert.match(String(response.headers['content-type']), /^application\/problem\+json/, what)
    const problem = JSON.parse(response.body)
    assert.equal(problem.status, response.statusCode)
    assert.equal(typeof problem.code, 'string')
  }

  async function stillServing(): Promise<void> {
    const health = await api.get('/health')
    assert.equal(health.statusCode, 200)
  }

  it('random JSON values', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...ROUTES), fc.jsonValue({ maxDepth: 6 }), async (url, value) => {
        await refused(await send(url, JSON.stringify(value)), `${url} ${JSON.stringify(value).slice(0, 80)}`)
      }),
      RUNS,
    )
    await stillServing()
  })

  it('valid messages with one value swapped for another type', async () => {
    const typeOf = (value: unknown) =>
      Array.isArray(value) ? 'array' : value === null ? 'null' : typeof value
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...valid),
        fc.nat(),
        fc.jsonValue({ maxDepth: 3 }),
        async (message, pick, replacement) => {
          const paths: string[][] = []
          const walk = (node: unknown, path: string[]) => {
            paths.push(path)
            if (node && typeof node === 'object')
              for (const [key, child] of Object.entries(node)) walk(child, [...path, key])
          }
          walk(message, [])
          const path = paths[1 + (pick % (paths.length - 1))]!
          const copy = structuredClone(message) as Record<string, unknown>
          let parent: Record<string, unknown> = copy
          for (const key of path.slice(0, -1)) parent = parent[key] as Record<string, unknown>
          const last = path[path.length - 1]!
          fc.pre(typeOf(parent[last]) !== typeOf(replacement))
          parent[last] = replacement
          const url = `/${message.kind}`
          await refused(await send(url, JSON.stringify(copy)), `${url} /${path.join('/')}`)
        },
      ),
      RUNS,
    )
    await stillServing()
  })

  it('huge strings and arrays, within and over the body limit', async () => {
    const ad = fx.oracleAd()
    const cases: [string, unknown][] = [
      ['/oracle', { ...ad, tags: Array(20_000).fill('a') }],
      ['/oracle', { ...ad, signature: 'f'.repeat(60_000) }],
      ['/oracle', { ...ad, [`k${'x'.repeat(50_000)}`]: 1 }],
      ['/report', { kind: 'report', content: { type: 'free-form', comment: '€'.repeat(20_000), links: [] } }],
      ['/offer', Array(30_000).fill(0)],
      ['/capability', { pad: 'x'.repeat(1_000_000) }],
      ['/oracle', Array(200_000).fill(null)],
    ]
    for (const [url, value] of cases) await refused(await send(url, JSON.stringify(value)), url)
    await stillServing()
  })

  it('deep nesting', async () => {
    const depth = 30_000
    const arrays = `${'['.repeat(depth)}${']'.repeat(depth)}`
    const objects = `${'{"a":'.repeat(depth / 3)}1${'}'.repeat(depth / 3)}`
    for (const payload of [
      arrays,
      objects,
      `{"kind":"oracle","tags":${arrays}}`,
      `{"kind":"report","content":${objects}}`,
      '['.repeat(depth),
    ])
      await refused(await send('/report', payload), payload.slice(0, 30))
    await stillServing()
  })

  it('truncated bodies', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...valid),
        fc.double({ min: 0, max: 0.999, noNaN: true }),
        async (message, cut) => {
          const text = JSON.stringify(message)
          const response = await send(`/${message.kind}`, text.slice(0, Math.floor(text.length * cut)))
          await refused(response, `cut at ${cut}`)
          assert.equal(response.statusCode, 400)
        },
      ),
      RUNS,
    )
    await stillServing()
  })

  it('invalid UTF-8 bytes anywhere in the body', async () => {
    const invalid = fc.constantFrom(
      [0xff],
      [0xc3],
      [0xe2, 0x82],
      [0xed, 0xa0, 0x80],
      [0xf8, 0x88, 0x80, 0x80, 0x80],
      [0xc0, 0xaf],
    )
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...valid), fc.nat(), invalid, async (message, at, bytes) => {
        const text = Buffer.from(JSON.stringify(message))
        const cut = at % (text.length + 1)
        const payload = Buffer.concat([text.subarray(0, cut), Buffer.from(bytes), text.subarray(cut)])
        const response = await send(`/${message.kind}`, payload)
        await refused(response, `bytes ${bytes} at ${cut}`)
        assert.equal(JSON.parse(response.body).code, 'BAD_JSON')
      }),
      RUNS,
    )
    await stillServing()
  })

  it('wrong media types', async () => {
    const types = fc.constantFrom(
      'text/plain',
      'application/x-www-form-urlencoded',
      'multipart/form-data; boundary=x',
      'application/xml',
      'application/octet-stream',
      'application/jsonx',
    )
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...valid), types, async (message, type) => {
        const response = await send(`/${message.kind}`, JSON.stringify(message), type)
        await refused(response, type)
        assert.equal(response.statusCode, 415)
      }),
      { numRuns: 30 },
    )
    await stillServing()
  })

  it('random query strings and paths on the GET routes', async () => {
    const routes = fc.constantFrom('/oracles', '/capabilities', '/reports', '/offers', '/oracles/x', '/stats')
    const params = fc.dictionary(
      fc.constantFrom(
        'limit',
        'cursor',
        'tag',
        'minScore',
        'text',
        'oracle',
        'type',
        'capability',
        'stage',
        'x',
      ),
      fc.oneof(fc.string({ maxLength: 100 }), fc.integer().map(String), fc.double().map(String)),
    )
    await fc.assert(
      fc.asyncProperty(routes, params, async (route, query) => {
        const url = `${route}?${new URLSearchParams(query)}`
        const response = await api.get(url)
        assert.ok(response.statusCode < 500, `${url}: ${response.statusCode} ${response.body.slice(0, 200)}`)
        if (response.statusCode >= 400) await refused(response, url)
      }),
      RUNS,
    )
    for (const url of [
      '/oracles/%ff',
      '/oracles/%',
      '/%c0%af',
      '/oracles?tag=%ff',
      `/oracles/${'%e2%82'.repeat(500)}`,
    ])
      await refused(await api.get(url), url)
    await stillServing()
  })
})
