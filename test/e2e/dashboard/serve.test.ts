/**
 * How the node serves the dashboard (no browser): the page at `/`, the bundle and style sheet
 * built once (by esbuild, a child process) and cached by hash, compressed, under a
 * same-origin-only Content-Security-Policy; a node configured without it serves none.
 */
import assert from 'node:assert/strict'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { gunzipSync } from 'node:zlib'
import pino from 'pino'
import { DASHBOARD_CSP } from '../../../src/api/routes/dashboard.ts'
import { resolveConfig } from '../../../src/node/config.ts'
import { MegaNode } from '../../../src/node/node.ts'
import { type TestApi, testApi } from '../../support/api.ts'

describe('dashboard serving', () => {
  let api: TestApi
  before(async () => {
    api = await testApi()
  })
  after(() => api.app.close())

  it('serves the page at / with its assets by content hash, revalidated by ETag', async () => {
    const page = await api.get('/')
    assert.equal(page.statusCode, 200)
    assert.match(String(page.headers['content-type']), /^text\/html/)
    assert.equal(page.headers['content-security-policy'], DASHBOARD_CSP)
    assert.equal(page.headers['cache-control'], 'no-cache')
    const hash = /app\.js\?v=([0-9a-f]{16})/.exec(page.body)?.[1]
    assert.ok(hash, 'the page loads the bundle by hash')
    assert.match(page.body, new RegExp(`style\\.css\\?v=${hash}`))
    assert.doesNotMatch(page.body, /https?:\/\//, 'nothing from another origin')
    assert.equal(page.headers.etag, `"${hash}"`)

    const again = await api.app.inject({ method: 'GET', url: '/', headers: { 'if-none-match': `"${hash}"` } })
    assert.equal(again.statusCode, 304)
    assert.equal(again.body, '')

    const script = await api.get(`/dashboard/app.js?v=${hash}`)
    assert.equal(script.statusCode, 200)
    assert.match(String(script.headers['content-type']), /^text\/javascript/)
    assert.match(String(script.headers['cache-control']), /immutable/)
    assert.ok(script.rawPayload.length > 1000)
    assert.doesNotMatch(script.body, /https?:\/\/(?!www\.w3\.org)/, 'no CDN or remote URL in the bundle')
    const style = await api.get(`/dashboard/style.css?v=${hash}`)
    assert.equal(style.statusCode, 200)
    assert.match(style.body, /prefers-color-scheme:\s*dark/)
  })

  it('compresses with gzip or brotli when the browser accepts them', async () => {
    const plain = await api.get('/dashboard/app.js')
    const gzip = await api.app.inject({
      method: 'GET',
      url: '/dashboard/app.js',
      headers: { 'accept-encoding': 'gzip' },
    })
    assert.equal(gzip.headers['content-encoding'], 'gzip')
    assert.deepEqual(gunzipSync(gzip.rawPayload), plain.rawPayload)
    assert.ok(gzip.rawPayload.length < plain.rawPayload.length / 2)
    const brotli = await api.app.inject({
      method: 'GET',
      url: '/dashboard/app.js',
      headers: { 'accept-encoding': 'gzip, deflate, br' },
    })
    assert.equal(brotli.headers['content-encoding'], 'br')
    assert.equal(brotli.headers.vary, 'accept-encoding')
  })

  it('is switched off by the node’s configuration (api.dashboard: false)', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'mega-dashboard-off-'))
    const node = new MegaNode(
      resolveConfig({
        dataDir,
        http: { host: '127.0.0.1', port: 0 },
        api: { dashboard: false },
        network: { enabled: false },
      }),
      { logger: pino({ level: 'silent' }) },
    )
    await node.start()
    try {
      assert.equal((await fetch(`${node.url}/`)).status, 404)
      assert.equal((await fetch(`${node.url}/health`)).status, 200)
    } finally {
      await node.stop()
      await rm(dataDir, { recursive: true, force: true })
    }
  })
})
