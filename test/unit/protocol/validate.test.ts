import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import fc from 'fast-check'
import { Compile } from 'typebox/compile'
import { KIND_SPECS } from '../../../src/protocol/kinds.ts'
import { LIMITS } from '../../../src/protocol/messages/index.ts'
import { parseMessage, validateMessage } from '../../../src/protocol/validate.ts'
import * as fx from '../../support/messages.ts'

const ad = fx.oracleAd()
const capability = fx.capabilityAd()

function failure(value: unknown) {
  const result = validateMessage(value)
  assert.equal(result.ok, false, 'expected a failure')
  return (result as { ok: false; error: { code: string; details: { path?: string }; message: string } }).error
}

describe('validateMessage', () => {
  it('accepts real messages of every kind', () => {
    const messages = [
      ad,
      capability,
      fx.fact('home'),
      fx.commitment(10),
      fx.offer(),
      fx.acceptedOffer(),
      fx.manifest(),
    ]
    for (const message of messages) assert.ok(validateMessage(message).ok, message.kind)
  })

  it('names the JSON path of the first mistake', () => {
    const cases: [unknown, string, string][] = [
      [{ ...ad, pow: { ...ad.pow, bits: 300 } }, '/pow/bits', 'SCHEMA_VIOLATION'],
      [{ ...ad, pubkey: 'AB' }, '/pubkey', 'SCHEMA_VIOLATION'],
      [{ ...ad, tags: ['ok', 'Not Ok'] }, '/tags/1', 'SCHEMA_VIOLATION'],
      [{ ...ad, extra: 1 }, '/', 'SCHEMA_VIOLATION'],
      [{ ...capability, params: [{ name: '1bad', values: ['x'] }] }, '/params/0/name', 'SCHEMA_VIOLATION'],
      [{ ...ad, kind: 'nope' }, '/kind', 'UNKNOWN_KIND'],
      [[ad], '/', 'SCHEMA_VIOLATION'],
    ]
    for (const [value, path, code] of cases) {
      const error = failure(value)
      assert.equal(error.code, code, `${path}: ${error.message}`)
      assert.equal(error.details.path, path, error.message)
    }
  })

  it('explains a mistake inside a union by the branch the value claims to be', () => {
    const report = fx.report({ type: 'free-form', comment: 'x', links: [] })
    const noComment = { ...report, content: { type: 'free-form', links: [] } }
    const error = failure(noComment)
    assert.equal(error.details.path, '/content')
    assert.match(error.message, /comment/)
    const unknownType = failure({ ...report, content: { type: 'gossip' } })
    assert.match(unknownType.message, /must be one of: fact-conflict, fact-missing/)
    const badAd = { ...report, content: { type: 'ad-collision', ads: [ad, { ...ad, seqNo: -1 }] } }
    assert.equal(failure(badAd).details.path, '/content/ads/1/seqNo')
  })

  it('enforces the size limits in the schema', () => {
    assert.equal(
      failure({ ...capability, question: 'q'.repeat(LIMITS.questionLength + 1) }).details.path,
      '/question',
    )
    assert.equal(
      failure({ ...capability, answers: Array.from({ length: LIMITS.answers + 1 }, (_, i) => `a${i}`) })
        .details.path,
      '/answers',
    )
  })

  it('refuses repeated items where they must be unique, at the array', () => {
    const offer = fx.offer()
    const cases: [unknown, string][] = [
      [{ ...ad, tags: ['a', 'b', 'a'] }, '/tags'],
      [{ ...capability, answers: ['home', 'home'] }, '/answers'],
      [{ ...capability, params: [{ name: 'home', values: ['x', 'y', 'x'] }] }, '/params/0/values'],
      [{ ...offer, terms: { ...offer.terms, acceptorBets: ['away', 'away'] } }, '/terms/acceptorBets'],
    ]
    for (const [value, path] of cases) {
      const error = failure(value)
      assert.equal(error.code, 'SCHEMA_VIOLATION', `${path}: ${error.message}`)
      assert.equal(error.details.path, path, error.message)
    }
  })

  it('passes exactly what the whole schema passes, whatever its arrays repeat (property)', () => {
    const offer = fx.offer()
    // Few distinct items, so repeats are common; now and then an item that is no string.
    const items = fc.array(fc.oneof(fc.constantFrom('a', 'b', 'home', 'away', 'A', 'é'), fc.constant(1)), {
      maxLength: 6,
    })
    const schemaCheck = Object.fromEntries(
      (['oracle', 'capability', 'offer'] as const).map((kind) => [kind, Compile(KIND_SPECS[kind].schema)]),
    )
    // Hex of about the right length, now and then with a digit out of range.
    const hex = fc.oneof(
      fc.stringMatching(/^[0-9a-f]{62,66}$/),
      fc.stringMatching(/^[0-9a-fA-G]{64}$/),
      // Characters past ASCII whose low byte is a digit (U+0130 and U+0161: "0" and "a").
      fc.constantFrom(
        capability.oracle,
        `${capability.oracle}\n`,
        '',
        '\u0130'.repeat(64),
        `${capability.oracle.slice(1)}\u0161`,
      ),
    )
    // Optional properties present or not, and names that are no property.
    const extras = fc.dictionary(
      fc.constantFrom('digits', 'unit', 'extra', '__proto__', 'oracle '),
      fc.constantFrom(4, 'kg'),
      {
        maxKeys: 2,
      },
    )
    fc.assert(
      fc.property(items, items, items, items, hex, extras, (tags, answers, values, bets, key, more) => {
        const messages = [
          { ...ad, tags, pubkey: key },
          { ...capability, answers, params: [{ name: 'home', values }], oracle: key, ...more },
          { ...offer, terms: { ...offer.terms, originatorBets: bets, acceptorBets: answers } },
          { ...offer, signature: `${key}${key}`, ...more },
        ]
        for (const message of messages) {
          const expected = schemaCheck[message.kind]!.Check(message)
          assert.equal(validateMessage(message).ok, expected, JSON.stringify(message))
        }
      }),
      { numRuns: 300, ...(process.env.CI === 'true' && { seed: 20261205 }) },
    )
  })

  it('passes exactly what the whole schema passes on long arrays, distinct or with one repeat (property)', () => {
    const schemaCheck = Compile(KIND_SPECS.capability.schema)
    // Around the length where distinct items are counted by a Set instead of compared in pairs.
    const distinct = fc.uniqueArray(fc.string({ minLength: 1, maxLength: 3 }), {
      minLength: 12,
      maxLength: 22,
    })
    const answers = fc.oneof(
      distinct,
      fc.tuple(distinct, fc.nat(), fc.nat()).map(([items, from, to]) => {
        const copy = [...items]
        copy.splice(to % (copy.length + 1), 0, items[from % items.length]!)
        return copy
      }),
    )
    fc.assert(
      fc.property(answers, (items) => {
        const message = { ...capability, answers: items }
        assert.equal(validateMessage(message).ok, schemaCheck.Check(message), JSON.stringify(items))
      }),
      { numRuns: 300, ...(process.env.CI === 'true' && { seed: 20261205 }) },
    )
  })

  it('rejects an unexpected kind where one is required', () => {
    const result = validateMessage(ad, 'report')
    assert.equal(result.ok, false)
  })
})

describe('parseMessage', () => {
  it('checks size before parsing, then JSON, then schema', () => {
    const huge = JSON.stringify({ ...ad, tags: ['x'.repeat(LIMITS.messageBytes)] })
    const tooLarge = parseMessage(huge)
    assert.equal(tooLarge.ok ? '' : tooLarge.error.code, 'TOO_LARGE')
    const badJson = parseMessage('{"kind":')
    assert.equal(badJson.ok ? '' : badJson.error.code, 'BAD_JSON')
    const badUtf8 = parseMessage(new Uint8Array([0x7b, 0xff, 0x7d]))
    assert.equal(badUtf8.ok ? '' : badUtf8.error.code, 'BAD_JSON')
    assert.ok(parseMessage(JSON.stringify(ad), 'oracle').ok)
    assert.ok(parseMessage(new TextEncoder().encode(JSON.stringify(ad))).ok)
  })

  it('never throws on arbitrary input (property)', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string(),
          fc.json(),
          fc.jsonValue().map((v) => JSON.stringify({ ...ad, pow: v })),
        ),
        (text) => {
          const result = parseMessage(text)
          if (!result.ok)
            assert.match(result.error.code, /^(TOO_LARGE|BAD_JSON|UNKNOWN_KIND|SCHEMA_VIOLATION)$/)
        },
      ),
      { numRuns: 500 },
    )
  })
})
