/**
 * The dashboard beside the API, without building it: the API, `/openapi.json` and `/docs` stay
 * as they were, a bundle that cannot be built answers 503 with the reason, and it can be switched off.
 */
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import Fastify from 'fastify'
import { dashboardRoutes } from '../../../src/api/routes/dashboard.ts'
import { type TestApi, testApi } from '../../support/api.ts'

describe('dashboard serving', () => {
  let api: TestApi
  before(async () => {
    api = await testApi()
  })
  after(() => api.app.close())

  it('keeps the API, /openapi.json and /docs; the dashboard is not part of the API document', async () => {
    assert.equal((await api.get('/health')).statusCode, 200)
    const openapi = await api.get('/openapi.json')
    assert.equal(openapi.statusCode, 200)
    const paths = Object.keys((JSON.parse(openapi.body) as { paths: object }).paths)
    assert.ok(paths.includes('/oracles'))
    assert.ok(!paths.includes('/') && !paths.some((path) => path.startsWith('/dashboard')))
    const docs = await api.get('/docs/')
    assert.equal(docs.statusCode, 200)
    assert.match(docs.body, /swagger/i)
  })

  it('answers 503 with the reason when the bundle cannot be built, and the API goes on', async () => {
    const app = Fastify()
    app.get('/health', () => ({ status: 'ok' }))
    await app.register(dashboardRoutes, {
      assets: () => Promise.reject(new Error('esbuild is not installed')),
    })
    try {
      const page = await app.inject({ method: 'GET', url: '/' })
      assert.equal(page.statusCode, 503)
      assert.match(page.body, /could not be built on this node \(esbuild is not installed\)/)
      assert.equal((await app.inject({ method: 'GET', url: '/health' })).statusCode, 200)
    } finally {
      await app.close()
    }
  })

  it('can be switched off', async () => {
    const bare = await testApi({ dashboard: false })
    try {
      assert.equal((await bare.get('/')).statusCode, 404)
      assert.equal((await bare.get('/dashboard/app.js')).statusCode, 404)
    } finally {
      await bare.app.close()
    }
  })
})
