import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { canonicalize } from '../../../src/protocol/canonical.ts'
import { parseCanonicalMessage, parseMessage } from '../../../src/protocol/validate.ts'
import * as fx from '../../support/messages.ts'

const ad = fx.oracleAd()
const codeOf = (text: string) => {
  const result = parseCanonicalMessage(text, 'oracle')
  return result.ok ? 'ok' : result.error.code
}

describe('parseCanonicalMessage', () => {
  it('takes the canonical bytes and refuses every other form of the same message', () => {
    assert.equal(codeOf(canonicalize(ad)), 'ok')
    for (const other of [
      JSON.stringify(ad, null, 2),
      `${canonicalize(ad)} `,
      `\n${canonicalize(ad)}`,
      JSON.stringify(Object.fromEntries(Object.entries(ad).reverse())),
      canonicalize(ad).replace(`"seqNo":${ad.seqNo}`, `"seqNo":${ad.seqNo}.0`),
    ]) {
      assert.equal(parseMessage(other, 'oracle').ok, true, 'the same message')
      assert.equal(codeOf(other), 'NOT_CANONICAL', other)
    }
  })

  it('checks size, JSON and schema first', () => {
    assert.equal(codeOf('{"kind":'), 'BAD_JSON')
    assert.equal(codeOf('{"kind":"oracle"}'), 'SCHEMA_VIOLATION')
    assert.equal(codeOf(' '.repeat(70_000)), 'TOO_LARGE')
  })

  it('refuses a byte order mark before the canonical bytes as BAD_JSON, saying so', () => {
    const bytes = new TextEncoder().encode(`\ufeff${canonicalize(ad)}`)
    assert.deepEqual([...bytes.subarray(0, 3)], [0xef, 0xbb, 0xbf])
    const result = parseCanonicalMessage(bytes, 'oracle')
    assert.equal(result.ok ? 'ok' : result.error.code, 'BAD_JSON')
    assert.match(result.ok ? '' : result.error.message, /byte order mark/)
    assert.equal(parseCanonicalMessage(bytes.subarray(3), 'oracle').ok, true)
  })
})
