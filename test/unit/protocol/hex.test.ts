import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import fc from 'fast-check'
import { ErrorCode, isProtocolError } from '../../../src/protocol/errors.ts'
import { fromHex, hexInto, toHex, utf8Length } from '../../../src/protocol/hex.ts'
import { anyText } from '../../support/arbitraries.ts'

describe('hex', () => {
  it('round-trips bytes, also when decoded in place', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), fc.nat({ max: 8 }), (bytes, offset) => {
        const hex = toHex(bytes)
        assert.equal(hex, Buffer.from(bytes).toString('hex'))
        assert.deepEqual(fromHex(hex), bytes)
        const out = new Uint8Array(offset + bytes.length)
        hexInto(hex, out, offset)
        assert.deepEqual(out.subarray(offset), bytes)
      }),
    )
  })

  it('refuses uppercase, odd lengths and wrong sizes with a coded error', () => {
    for (const [hex, size, code] of [
      ['AB', undefined, ErrorCode.BAD_HEX],
      ['abc', undefined, ErrorCode.BAD_HEX],
      ['zz', undefined, ErrorCode.BAD_HEX],
      ['abcd', 1, ErrorCode.BAD_LENGTH],
    ] as const) {
      assert.throws(
        () => fromHex(hex, size),
        (error) => isProtocolError(error, code),
        hex,
      )
    }
  })
})

describe('utf8Length', () => {
  it('counts the bytes TextEncoder writes, beyond its scratch space too', () => {
    fc.assert(
      fc.property(anyText(200), (text) => {
        assert.equal(utf8Length(text), new TextEncoder().encode(text).length)
      }),
      { numRuns: 500 },
    )
    const long = 'é'.repeat(40_000) // 80,000 bytes: more than the 64 KiB scratch
    assert.equal(utf8Length(long), 80_000)
    assert.equal(utf8Length('\ud800'), 3) // a lone surrogate is written as U+FFFD
  })
})
