/**
 * The signature threads' quick canonical check: it vouches only for texts the full check
 * (`checkCanonical`) accepts, and for the messages nodes exchange.
 */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import fc from 'fast-check'
import { canonicalize, checkCanonical } from '../../../src/protocol/canonical.ts'
import { isSurelyCanonical } from '../../../src/protocol/canonical-bytes.ts'
import * as fx from '../../support/messages.ts'
import { messages } from '../../support/sync-messages.ts'

const utf8 = (text: string) => new TextEncoder().encode(text)

/** The full check's verdict on a text that parses. */
function canonical(text: string): boolean {
  return checkCanonical(text, JSON.parse(text)).ok
}

/** JSON values whose objects repeat a few keys, so that texts in and out of order both occur. */
const { value } = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    fc.oneof(
      fc.integer(),
      fc.double(),
      fc.constantFrom(0, -0, 1e21, 2 ** 53 + 2, 2 ** 60, 123_456_789_012_345, 1_234_567_890_123_456),
      fc.boolean(),
      fc.constant(null),
      fc.string(),
      fc.string({ unit: fc.constantFrom('a', 'é', '"', '\\', '\n', '\u0001', '\u2028', '🙂') }),
    ),
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(fc.constantFrom('a', 'b', 'ab', 'B', '_', 'é', 'a"', 'a\\', '🙂', ''), tie('value'), {
      maxKeys: 5,
    }),
  ),
}))

describe('the signature threads’ quick canonical check', () => {
  it('vouches only for texts the full check accepts (property)', () => {
    fc.assert(
      fc.property(value, fc.integer({ min: 0, max: 2 }), (generated, indent) => {
        // As written by JSON.stringify (any member order, maybe indented), and canonically.
        const texts = [JSON.stringify(generated, null, indent)]
        try {
          texts.push(canonicalize(generated))
        } catch {
          // Not canonicalizable (a lone surrogate): only the other text.
        }
        for (const text of texts)
          if (isSurelyCanonical(utf8(text))) assert.ok(canonical(text), `vouched for ${text}`)
      }),
      { numRuns: 5_000 },
    )
  })

  it('vouches only for texts the full check accepts: any JSON text (property)', () => {
    fc.assert(
      fc.property(fc.json(), (text) => {
        if (isSurelyCanonical(utf8(text))) assert.ok(canonical(text), `vouched for ${text}`)
      }),
      { numRuns: 5_000 },
    )
  })

  it('does not vouch for what is not canonical', () => {
    for (const text of [
      '{"b":1,"a":2}',
      '{"a":1,"a":1}',
      '{"ab":1,"a":2}',
      '{"a":1.0}',
      '{"a":1.5}',
      '{"a":-0}',
      '{"a":1e2}',
      '{"a":01}',
      '{"a":9007199254740993}',
      ' {}',
      '{} ',
      '{"a": 1}',
      '[1, 2]',
      '{"a":"\\u0041"}',
      '{"a\\u0041":1}',
      '{"é":1,"a":2}',
    ])
      assert.equal(isSurelyCanonical(utf8(text)), false, text)
  })

  it('vouches for the messages nodes exchange, every kind', () => {
    const sent = [
      ...(messages(0, 8) as object[]),
      fx.oracleAd({ tags: ['sports', 'é'] }),
      fx.capabilityAd({ attestation: 'signature' }),
      fx.report({ type: 'free-form', comment: 'late', links: ['https://example.org/a'] }),
      fx.finalizedOffer(fx.acceptedOffer(fx.offer()), fx.TRADER),
    ]
    for (const message of sent) {
      const text = canonicalize(message)
      assert.ok(isSurelyCanonical(utf8(text)), text)
    }
  })
})
