import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { OracleEndpointClient } from '../../../src/client/endpoint-client.ts'
import { buildEndpoint } from '../../../src/oracle/endpoint.ts'
import { factSource } from '../../../src/oracle/sources.ts'
import { ad, key, secretKey } from '../../support/endpoint-capability.ts'
import * as fx from '../../support/messages.ts'
import { assertProblem, dropAll, exchange, hold, portOf, within } from '../api/raw-http.ts'

const offAd = fx.capabilityAd({ attestation: 'schnorr', off: true }, fx.ORACLE, fx.CAPABILITY)

describe('endpoint limits', () => {
  it('bounds lookups in flight (503 BUSY), refuses commitments for an off capability, and rate-limits', async () => {
    const slow = factSource({ type: 'command', command: ['sh', '-c', 'sleep 0.5; echo home'] })
    const app = await buildEndpoint(
      {
        capabilities: [
          { ad, secretKey, source: slow },
          { ad: offAd, secretKey: fx.CAPABILITY.secretKey },
        ],
      },
      { maxLookups: 1, rateLimitPerMinute: 8 },
    )
    try {
      const url = await app.listen({ host: '127.0.0.1', port: 0 })
      const client = new OracleEndpointClient({ url })
      const commitment = await client.commitment(fx.factRequest(key), ad)
      const results = await Promise.allSettled([client.fact(commitment, ad), client.fact(commitment, ad)])
      assert.equal(results.filter((result) => result.status === 'fulfilled').length, 1)
      const refused = results.find((result) => result.status === 'rejected') as PromiseRejectedResult
      assert.equal(refused.reason.details.problemCode, 'BUSY')
      assert.equal(refused.reason.details.status, 503)

      const off = await fetch(`${url}/commitment`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(fx.factRequest(fx.CAPABILITY)),
      })
      assert.equal(off.status, 410)
      assert.equal(((await off.json()) as { code: string }).code, 'CAPABILITY_OFF')
      assert.equal((await client.capabilities()).items.length, 1, 'off capabilities are not listed')

      let limited = 0
      for (let i = 0; i < 8; i++) if ((await fetch(`${url}/capabilities`)).status === 429) limited++
      assert.ok(limited > 0, 'the rate limit answers 429')
      assert.equal((await fetch(`${url}/manifest`)).status, 429)
    } finally {
      await app.close()
    }
  })

  it('has the API’s HTTP limits: a request deadline, a cap per address, parser errors as problems, a prompt close', async () => {
    const app = await buildEndpoint(
      { capabilities: [{ ad, secretKey }] },
      { requestTimeoutMs: 400, maxConnectionsPerAddress: 3 },
    )
    try {
      await app.listen({ host: '127.0.0.1', port: 0 })
      const port = portOf(app)
      const partial = `POST /commitment HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"capa`
      const slow = await hold(port, partial)
      await within(slow.closed, 3000, 'the deadline to close a partial body')
      assertProblem(slow.text(), 408, 'REQUEST_TIMEOUT')

      const bad = await exchange(port, 'POST /commitment HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n')
      assertProblem(bad, 400, 'BAD_REQUEST')
      const latin1 = await app.inject({
        method: 'POST',
        url: '/commitment',
        headers: { 'content-type': 'application/json; charset=latin1' },
        payload: JSON.stringify(fx.factRequest(key)),
      })
      assert.equal(latin1.statusCode, 415)
      assert.equal(JSON.parse(latin1.body).code, 'UNSUPPORTED_CHARSET')

      const held = await Promise.all([hold(port, partial), hold(port), hold(port)])
      assertProblem(
        await exchange(port, 'GET /capabilities HTTP/1.1\r\nHost: x\r\n\r\n'),
        503,
        'TOO_MANY_CONNECTIONS',
      )
      const started = performance.now()
      await within(app.close(), 3000, 'the endpoint to close')
      assert.ok(performance.now() - started < 2000)
      for (const connection of held) await within(connection.closed, 1000, 'every connection to close')
    } finally {
      dropAll()
      await app.close()
    }
  })
})
