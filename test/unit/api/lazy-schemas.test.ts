/**
 * The API compiles a route's validators and serializers on its first request (src/http/
 * validators.ts, serializers.ts): a first request is validated and answered exactly as one
 * after every schema was compiled up front, and the OpenAPI document is complete either way.
 */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import Fastify from 'fastify'
import { buildCachedSerializer, buildLazyValidator, compilePendingSchemas } from '../../../src/http/index.ts'
import { body, type TestApi, testApi } from '../../support/api.ts'
import * as fx from '../../support/messages.ts'

/** Requests that take every path of validation and serialization. */
const requests: [method: 'GET' | 'POST', url: string, payload?: unknown][] = [
  ['GET', '/oracles?limit=2'], // coerced to a number, answer serialized
  ['GET', '/oracles?limit=abc'], // not a number
  ['GET', '/oracles?x=1'], // unknown parameter
  ['GET', `/oracles/${'a'.repeat(64)}`], // params pass, 404 problem
  ['GET', '/oracles/xyz'], // params refused
  ['POST', '/oracle', fx.oracleAd({ tags: ['weather'] }, fx.testKey('ed25519', 120))], // admitted, 201
  ['POST', '/oracle', { kind: 'oracle' }], // body refused (an invalid message: 422)
  ['POST', '/offer', '{"kind":'], // not JSON
  ['GET', '/health'],
  ['GET', '/capabilities?limit=1'],
]

async function answers(api: TestApi) {
  const out = []
  for (const [method, url, payload] of requests) {
    const response = method === 'GET' ? await api.get(url) : await api.post(url, payload)
    const { date: _date, ...headers } = response.headers
    // uptime moves with the clock between the two servers, and its digits with the length
    const health = url === '/health'
    const text = health ? response.body.replace(/"uptime":[\d.e-]+/, '') : response.body
    if (health) delete headers['content-length']
    out.push({ url, status: response.statusCode, headers, body: text })
  }
  return out
}

describe('schemas compiled on first use', () => {
  it('answers first requests as a server whose schemas were all compiled at start', async (t) => {
    const lazy = await testApi()
    t.after(() => lazy.app.close())
    const deferred = compilePendingSchemas()
    assert.ok(deferred >= 20, `built without compiling its schemas (${deferred} deferred)`)
    const first = await testApi()
    t.after(() => first.app.close())
    // Nothing compiled for `first` yet: each request below is its route's first.
    const firstAnswers = await answers(first)
    const eager = await testApi()
    t.after(() => eager.app.close())
    assert.ok(compilePendingSchemas() > 0)
    assert.equal(compilePendingSchemas(), 0, 'each compilation runs once')
    assert.deepEqual(firstAnswers, await answers(eager))
    assert.deepEqual(
      firstAnswers.map(({ status }) => status),
      [200, 400, 400, 404, 400, 201, 422, 400, 200, 200],
    )
  })

  it('serves the complete OpenAPI document before any route was called', async (t) => {
    const api = await testApi()
    t.after(() => api.app.close())
    const doc = body<{ paths: Record<string, unknown>; components: { schemas: Record<string, unknown> } }>(
      await api.get('/openapi.json'),
    )
    const eager = await testApi()
    t.after(() => eager.app.close())
    compilePendingSchemas()
    assert.deepEqual(doc, body(await eager.get('/openapi.json')))
    for (const path of ['/oracle', '/oracles', '/oracles/{key}', '/health', '/stats', '/peers'])
      assert.ok(path in doc.paths, path)
    assert.ok(Object.keys(doc.components.schemas).length >= 10)
  })

  it('throws a bad schema at compilePendingSchemas, and answers 500 to its request', async (t) => {
    const app = Fastify({
      schemaController: {
        compilersFactory: { buildValidator: buildLazyValidator, buildSerializer: buildCachedSerializer },
      },
    })
    t.after(() => app.close())
    app.get('/bad', { schema: { querystring: { type: 'nonsense' } } }, () => 'x')
    await app.ready()
    assert.equal((await app.inject({ method: 'GET', url: '/bad' })).statusCode, 500)
    assert.throws(() => compilePendingSchemas(), /nonsense/)
  })
})
