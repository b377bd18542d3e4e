/**
 * Bid verification (`mempool.bids`) in the configuration: a verifier without its command or URL
 * is refused, and the default verifies nothing.
 */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { defaultBidsConfig } from '../../../src/node/bids.ts'
import { resolveConfig } from '../../../src/node/config.ts'

describe('bid verifier', () => {
  it('is refused by the configuration without its command or URL', () => {
    assert.throws(
      () => resolveConfig({ mempool: { bids: { verifier: 'http' } } }),
      (error: Error & { code?: string }) =>
        error.code === 'CONFIG_INVALID' && /mempool\.bids\.url is required/.test(error.message),
    )
    assert.deepEqual(resolveConfig({}).bids, defaultBidsConfig)
  })
})
