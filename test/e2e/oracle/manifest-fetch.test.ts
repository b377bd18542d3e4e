/**
 * Fetching a manifest over HTTP: from a loopback server it is classified like any other;
 * an address nobody answers makes it invalid, saying so.
 */
import assert from 'node:assert/strict'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { describe, it } from 'node:test'
import { fetchManifest } from '../../../src/client/endpoint-client.ts'
import * as fx from '../../support/messages.ts'

const DOMAIN = 'oracle.example'
const good = fx.manifest()

describe('manifest fetching', () => {
  it('fetchManifest fetches over HTTP and classifies; network failures are invalid', async () => {
    const server = createServer((_req, res) => {
      res.setHeader('content-type', 'application/json')
      res.end(JSON.stringify(good))
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/.well-known/mega-oracle.json`
    try {
      assert.equal((await fetchManifest({ domain: DOMAIN, url })).status, 'domain-verified')
      assert.equal((await fetchManifest({ domain: 'mirror.example', url })).status, 'invalid')
    } finally {
      server.close()
    }
    const down = await fetchManifest({
      domain: DOMAIN,
      url: 'http://127.0.0.1:1/.well-known/mega-oracle.json',
    })
    assert.equal(down.status, 'invalid')
    assert.match(down.reason ?? '', /cannot reach/)
  })
})
