/**
 * A node that serves no dashboard serves no trader page either (nothing is built).
 */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { testApi } from '../../support/api.ts'

describe('trader page serving', () => {
  it('is not served when the node serves no dashboard', async (t) => {
    const bare = await testApi({ dashboard: false })
    t.after(() => bare.app.close())
    assert.equal((await bare.get('/trader')).statusCode, 404)
  })
})
