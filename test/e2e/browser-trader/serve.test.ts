/**
 * How a node serves the trader page (no browser): `/trader` and its three files, built once,
 * cached by hash, compressed, under a Content-Security-Policy that allows the page's own
 * scripts and the WebAssembly mining kernel, and fetches to any node or oracle endpoint.
 */
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import type { LightMyRequestResponse } from 'fastify'
import { TRADER_CSP } from '../../../src/web-trader/assets.ts'
import { type TestApi, testApi } from '../../support/api.ts'

describe('trader page serving', () => {
  let api: TestApi
  before(async () => {
    api = await testApi()
  })
  after(() => api.app.close())

  it('serves /trader with its page script, worker and style by content hash', async () => {
    const page = await api.get('/trader')
    assert.equal(page.statusCode, 200)
    assert.match(String(page.headers['content-type']), /^text\/html/)
    assert.equal(page.headers['content-security-policy'], TRADER_CSP)
    assert.match(TRADER_CSP, /script-src 'self' 'wasm-unsafe-eval'/)
    assert.match(TRADER_CSP, /connect-src \*/)
    const hash = /trader\/app\.js\?v=([0-9a-f]{16})/.exec(page.body)?.[1]
    assert.ok(hash, 'the page loads its script by hash, relative to /trader')
    assert.equal(page.headers.etag, `"${hash}"`)
    const again = await api.app.inject({
      method: 'GET',
      url: '/trader',
      headers: { 'if-none-match': `"${hash}"` },
    })
    assert.equal(again.statusCode, 304)
    for (const [file, type] of [
      ['app.js', /^text\/javascript/],
      ['miner.js', /^text\/javascript/],
      ['style.css', /^text\/css/],
    ] as const) {
      const served: LightMyRequestResponse = await api.app.inject({
        method: 'GET',
        url: `/trader/${file}?v=${hash}`,
        headers: { 'accept-encoding': 'br' },
      })
      assert.equal(served.statusCode, 200, file)
      assert.match(String(served.headers['content-type']), type)
      assert.match(String(served.headers['cache-control']), /immutable/)
      assert.equal(served.headers['content-encoding'], 'br')
      assert.equal(
        served.headers['content-security-policy'],
        TRADER_CSP,
        'the worker runs under the same policy',
      )
    }
    const dashboard = await api.get('/')
    assert.equal(dashboard.statusCode, 200, 'the dashboard is still at /')
  })
})
