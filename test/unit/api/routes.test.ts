import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { defaultApiOptions } from '../../../src/api/index.ts'
import { body, testApi } from '../../support/api.ts'
import * as fx from '../../support/messages.ts'

describe('GET routes', () => {
  it('pages through the ranking over HTTP by cursor, filters by tag and minimum score', async (t) => {
    const api = await testApi()
    t.after(() => api.app.close())
    for (let i = 0; i < 9; i++) {
      const tags = i % 3 === 0 ? ['weather'] : ['sports']
      assert.equal(
        (await api.post('/oracle', fx.oracleAd({ tags }, fx.testKey('ed25519', 100 + i), 8 + (i % 3))))
          .statusCode,
        201,
      )
    }
    const keys: string[] = []
    let url = '/oracles?limit=4'
    for (let pages = 0; ; pages++) {
      assert.ok(pages < 5)
      const page = body<{ items: { key: string }[]; next?: string }>(await api.get(url))
      keys.push(...page.items.map((o) => o.key))
      if (!page.next) break
      url = `/oracles?limit=4&cursor=${encodeURIComponent(page.next)}`
    }
    assert.equal(keys.length, 9)
    assert.equal(new Set(keys).size, 9)
    const weather = body<{ items: unknown[] }>(await api.get('/oracles?tag=weather'))
    assert.equal(weather.items.length, 3)
    const strong = body<{ items: { score: { bits: number } }[] }>(await api.get('/oracles?minScore=10'))
    assert.equal(strong.items.length, 3)
  })

  it('answers errors as problem documents (RFC 9457) with a stable code', async (t) => {
    const api = await testApi()
    t.after(() => api.app.close())
    const response = await api.get('/oracles?x=1')
    assert.equal(response.statusCode, 400, 'unknown query parameters are refused')
    const missing = await api.get(`/oracles/${'a'.repeat(64)}`)
    assert.equal(missing.statusCode, 404)
    assert.match(String(missing.headers['content-type']), /^application\/problem\+json/)
    const problem = body(missing)
    assert.deepEqual(Object.keys(problem).sort(), ['code', 'detail', 'instance', 'status', 'title', 'type'])
    assert.deepEqual(
      [problem.type, problem.title, problem.status, problem.code],
      ['urn:mega:problem:NOT_FOUND', 'Not Found', 404, 'NOT_FOUND'],
    )
    assert.equal(problem.instance, `/oracles/${'a'.repeat(64)}`)
  })

  it('reports health and uptime', async (t) => {
    const api = await testApi()
    t.after(() => api.app.close())
    const health = body(await api.get('/health'))
    assert.equal(health.status, 'ok')
    assert.equal(typeof health.uptime, 'number')
  })

  it('serves Swagger UI from node_modules, referring to nothing off the node', async (t) => {
    const api = await testApi()
    t.after(() => api.app.close())
    const page = await api.get('/docs/')
    assert.equal(page.statusCode, 200)
    assert.doesNotMatch(page.body, /(src|href)="https?:/)
    for (const asset of ['/docs/static/swagger-ui-bundle.js', '/docs/static/swagger-ui.css']) {
      const response = await api.get(asset)
      assert.equal(response.statusCode, 200, asset)
    }
    // It shows the document under the address the docs name, not its own /docs/json.
    const initializer = await api.get('/docs/static/swagger-initializer.js')
    assert.match(initializer.body, /"urls":\[\{"url":"\/openapi\.json"/)
    const off = await testApi({ docs: false })
    t.after(() => off.app.close())
    assert.equal((await off.get('/openapi.json')).statusCode, 404)
  })

  it('exports its defaults', () => {
    assert.equal(defaultApiOptions.bodyLimit, 128 * 1024)
    assert.deepEqual(defaultApiOptions.rateLimit, { max: 120, timeWindow: 60_000 })
    assert.equal(defaultApiOptions.events.maxClients, 64)
  })
})
