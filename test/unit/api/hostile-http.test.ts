/**
 * Hostile HTTP without a socket: an error that carries only a status gets the code of that
 * status, a body in a charset other than UTF-8 is 415, and connections are counted per IPv4
 * address and per IPv6 /64.
 */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { STATUS_BY_CODE, toProblem } from '../../../src/api/index.ts'
import { addressKey } from '../../../src/http/connections.ts'
import { testApi } from '../../support/api.ts'
import * as fx from '../../support/messages.ts'

describe('hostile HTTP', () => {
  it('gives an error that carries only a status the code of that status', () => {
    for (const [status, code] of [
      [400, 'BAD_REQUEST'],
      [404, 'NOT_FOUND'],
      [408, 'REQUEST_TIMEOUT'],
      [413, 'TOO_LARGE'],
      [414, 'URI_TOO_LONG'],
      [415, 'UNSUPPORTED_MEDIA_TYPE'],
      [429, 'RATE_LIMITED'],
      [431, 'HEADERS_TOO_LARGE'],
      [405, 'BAD_REQUEST'],
      [416, 'BAD_REQUEST'],
    ] as const) {
      const problem = toProblem(Object.assign(new Error('refused'), { statusCode: status }), '/x')
      assert.equal(problem.code, code, `status ${status}`)
      assert.equal(problem.status, STATUS_BY_CODE[code], `status ${status} → ${code}`)
    }
    const failed = toProblem(Object.assign(new Error('broken'), { statusCode: 502 }), '/x')
    assert.deepEqual([failed.code, failed.status, failed.detail], ['INTERNAL', 500, 'internal error'])
  })

  it('refuses a body in a charset other than UTF-8 with 415', async (t) => {
    const api = await testApi({ docs: false, dashboard: false })
    t.after(() => api.app.close())
    const send = (contentType: string) =>
      api.app.inject({
        method: 'POST',
        url: '/oracle',
        headers: { 'content-type': contentType },
        payload: JSON.stringify(fx.oracleAd()),
      })
    for (const contentType of [
      'application/json; charset=latin1',
      'application/json; charset=ISO-8859-1',
      'application/json; charset="utf-16"',
      'application/json;charset=us-ascii',
    ]) {
      const response = await send(contentType)
      assert.equal(response.statusCode, 415, contentType)
      assert.match(String(response.headers['content-type']), /^application\/problem\+json/)
      assert.equal(JSON.parse(response.body).code, 'UNSUPPORTED_CHARSET', contentType)
    }
    assert.equal((await send('application/json; charset=UTF-8')).statusCode, 201)
    assert.equal((await send('application/json; charset="utf-8"')).statusCode, 200, 'a duplicate')
    assert.equal((await send('application/json')).statusCode, 200)
  })

  it('counts IPv4 addresses as they are and IPv6 addresses by their /64', () => {
    assert.equal(addressKey('203.0.113.7'), '203.0.113.7')
    assert.equal(addressKey('::ffff:203.0.113.7'), '203.0.113.7')
    assert.equal(addressKey('2001:db8:1:2:aaaa::1'), '2001:db8:1:2::/64')
    assert.equal(addressKey('2001:0DB8:0001:0002:ffff:1:2:3'), '2001:db8:1:2::/64')
    assert.equal(addressKey('2001:db8::1'), '2001:db8:0:0::/64')
    assert.equal(addressKey('fe80::1%eth0'), 'fe80:0:0:0::/64')
    assert.equal(addressKey('::1'), '0:0:0:0::/64')
    assert.equal(addressKey(undefined), undefined)
  })
})
