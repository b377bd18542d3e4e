/**
 * The oracle endpoint serializes its responses from the protocol schemas: a secret that a bug put
 * on a capability ad never leaves it.
 */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { buildEndpoint } from '../../../src/oracle/endpoint.ts'
import { ad, secretKey } from '../../support/endpoint-capability.ts'

describe('endpoint limits', () => {
  it('serializes responses from the protocol schemas: nothing else leaves the endpoint', async () => {
    const leaky = { ...ad, secretKey } as typeof ad // a bug elsewhere that put a secret on the ad
    const app = await buildEndpoint({ capabilities: [{ ad: leaky, secretKey }] })
    try {
      const response = await app.inject({ method: 'GET', url: '/capabilities' })
      assert.equal(response.statusCode, 200)
      assert.doesNotMatch(response.body, new RegExp(secretKey))
      assert.deepEqual(JSON.parse(response.body).items, [ad])
    } finally {
      await app.close()
    }
  })
})
