/**
 * CORS of the oracle endpoint and of the node's API: any origin by default on the endpoint's GET
 * and POST routes and on refusals, preflights answered, and a configured list that leaves other
 * origins without them; on a node, `*` opens the reads only, POST answers named origins only.
 */
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import type { FastifyInstance } from 'fastify'
import { allowedOrigin, allowedWriteOrigin } from '../../../src/http/cors.ts'
import { buildEndpoint } from '../../../src/oracle/endpoint.ts'
import { deriveCapabilitySecret } from '../../../src/protocol/oracle-attestation.ts'
import { publicKeyOf } from '../../../src/protocol/signature.ts'
import { testApi } from '../../support/api.ts'
import * as fx from '../../support/messages.ts'

const secretKey = deriveCapabilitySecret(fx.ORACLE.secretKey, 'winner', 'bip340')
const KEY = { scheme: 'bip340' as const, secretKey, publicKey: publicKeyOf('bip340', secretKey) }
const ad = fx.capabilityAd({ attestation: 'schnorr' }, fx.ORACLE, KEY)
const PAGE = 'https://trader.example'

function endpoint(corsOrigins?: string[]) {
  return buildEndpoint(
    { oracle: fx.oracleAd(), capabilities: [{ ad, secretKey, source: async () => 'home' }] },
    corsOrigins ? { corsOrigins } : {},
  )
}

describe('oracle endpoint CORS', () => {
  let open: FastifyInstance
  let listed: FastifyInstance
  before(async () => {
    ;[open, listed] = await Promise.all([endpoint(), endpoint([PAGE])])
  })
  after(async () => {
    await Promise.all([open.close(), listed.close()])
  })

  it('allows any origin by default on GET, POST and refusals', async () => {
    const get = await open.inject({ method: 'GET', url: '/capabilities', headers: { origin: PAGE } })
    assert.equal(get.statusCode, 200)
    assert.equal(get.headers['access-control-allow-origin'], '*')
    const request = { capability: KEY.publicKey, args: fx.factRequest(KEY).args }
    const post = await open.inject({
      method: 'POST',
      url: '/commitment',
      payload: request,
      headers: { origin: PAGE },
    })
    assert.equal(post.statusCode, 200, post.body)
    assert.equal(post.headers['access-control-allow-origin'], '*')
    const refused = await open.inject({
      method: 'POST',
      url: '/fact',
      payload: {},
      headers: { origin: PAGE },
    })
    assert.ok(refused.statusCode >= 400)
    assert.equal(refused.headers['access-control-allow-origin'], '*', 'a refusal is readable too')
  })

  it('answers a preflight of POST with content-type', async () => {
    const preflight = await open.inject({
      method: 'OPTIONS',
      url: '/commitment',
      headers: {
        origin: PAGE,
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'content-type',
      },
    })
    assert.equal(preflight.statusCode, 204)
    assert.equal(preflight.headers['access-control-allow-origin'], '*')
    assert.match(String(preflight.headers['access-control-allow-methods']), /POST/)
    assert.equal(preflight.headers['access-control-allow-headers'], 'content-type')
  })

  it('with a list, echoes a listed origin and gives others nothing', async () => {
    const mine = await listed.inject({ method: 'GET', url: '/capabilities', headers: { origin: PAGE } })
    assert.equal(mine.headers['access-control-allow-origin'], PAGE)
    assert.equal(mine.headers.vary, 'origin')
    const other = await listed.inject({
      method: 'OPTIONS',
      url: '/commitment',
      headers: { origin: 'https://elsewhere.example', 'access-control-request-method': 'POST' },
    })
    assert.equal(other.headers['access-control-allow-origin'], undefined)
    assert.notEqual(other.statusCode, 204)
  })

  it('allowedOrigin', () => {
    assert.equal(allowedOrigin(undefined, ['*']), '*')
    assert.equal(allowedOrigin('https://a', ['https://a']), 'https://a')
    assert.equal(allowedOrigin('https://b', ['https://a']), undefined)
    assert.equal(allowedOrigin(undefined, ['https://a']), undefined)
  })
})

describe('node API CORS', () => {
  it('any origin may read by default; POST only from an origin named in the list', async (t) => {
    const open = await testApi()
    const listed = await testApi({ corsOrigins: ['*', PAGE] })
    t.after(() => Promise.all([open.app.close(), listed.app.close()]))
    const get = await open.app.inject({ method: 'GET', url: '/oracles', headers: { origin: PAGE } })
    assert.equal(get.statusCode, 200)
    assert.equal(get.headers['access-control-allow-origin'], '*')
    // A page of any origin is a client on its visitor's machine: `*` does not let it post.
    for (const url of ['/report', '/offer', '/relay/commitment', '/relay/fact']) {
      const preflight = await open.app.inject({
        method: 'OPTIONS',
        url,
        headers: { origin: PAGE, 'access-control-request-method': 'POST' },
      })
      assert.notEqual(preflight.statusCode, 204, url)
      assert.equal(preflight.headers['access-control-allow-origin'], undefined, url)
      const allowed = await listed.app.inject({
        method: 'OPTIONS',
        url,
        headers: { origin: PAGE, 'access-control-request-method': 'POST' },
      })
      assert.equal(allowed.statusCode, 204, url)
      assert.equal(allowed.headers['access-control-allow-origin'], PAGE, url)
      assert.equal(allowed.headers.vary, 'origin')
    }
    const post = await open.app.inject({
      method: 'POST',
      url: '/report',
      payload: {},
      headers: { origin: PAGE },
    })
    assert.equal(post.headers['access-control-allow-origin'], undefined, 'the answer is not readable')
    // A post the browser sends without a preflight (a form, `no-cors`) is refused before the routes.
    const simple = await open.app.inject({
      method: 'POST',
      url: '/relay/commitment',
      payload: 'x',
      headers: { origin: PAGE, 'sec-fetch-site': 'cross-site', 'content-type': 'text/plain' },
    })
    assert.equal(simple.statusCode, 400)
    assert.equal(simple.json().code, 'BAD_REQUEST')
    assert.match(simple.json().detail, /may not post to this node/)
    const sameOrigin = await open.app.inject({
      method: 'POST',
      url: '/report',
      payload: {},
      headers: { origin: 'http://localhost', 'sec-fetch-site': 'same-origin' },
    })
    assert.notEqual(sameOrigin.json().code, 'BAD_REQUEST', 'the node’s own page reaches the route')
    const mine = await listed.app.inject({
      method: 'POST',
      url: '/report',
      payload: {},
      headers: { origin: PAGE },
    })
    assert.ok(mine.statusCode >= 400)
    assert.equal(mine.headers['access-control-allow-origin'], PAGE, 'a listed origin reads refusals too')
    const other = await listed.app.inject({
      method: 'OPTIONS',
      url: '/report',
      headers: { origin: 'https://elsewhere.example', 'access-control-request-method': 'POST' },
    })
    assert.equal(other.headers['access-control-allow-origin'], undefined)
    const read = await listed.app.inject({
      method: 'GET',
      url: '/oracles',
      headers: { origin: 'https://elsewhere.example' },
    })
    assert.equal(read.headers['access-control-allow-origin'], '*')
  })

  it('a list without "*" leaves other origins out of the reads', async (t) => {
    const listed = await testApi({ corsOrigins: [PAGE] })
    t.after(() => listed.app.close())
    const other = await listed.app.inject({
      method: 'GET',
      url: '/oracles',
      headers: { origin: 'https://elsewhere.example' },
    })
    assert.equal(other.headers['access-control-allow-origin'], undefined)
    const mine = await listed.app.inject({ method: 'GET', url: '/oracles', headers: { origin: PAGE } })
    assert.equal(mine.headers['access-control-allow-origin'], PAGE)
  })

  it('allowedWriteOrigin', () => {
    assert.equal(allowedWriteOrigin(PAGE, ['*'], false), undefined)
    assert.equal(allowedWriteOrigin(PAGE, ['*'], true), '*')
    assert.equal(allowedWriteOrigin(PAGE, ['*', PAGE], false), PAGE)
    assert.equal(allowedWriteOrigin(undefined, ['*'], false), undefined)
  })
})
