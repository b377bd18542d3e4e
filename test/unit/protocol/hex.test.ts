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
  it('decides as the pattern of lowercase hex pairs does, then the length, on any text', () => {
    // Characters whose code's low bits are a hex digit's ('0' + 256, 'a' + 128) must not pass.
    const character = fc.constantFrom(
      '0',
      '9',
      'a',
      'f',
      'g',
      'A',
      'F',
      ' ',
      '\u0130',
      '\u0161',
      '\u00e1',
      '\u0100',
    )
    const text = fc.oneof(fc.string({ unit: character, maxLength: 12 }), anyText(12))
    fc.assert(
      fc.property(text, fc.option(fc.nat({ max: 6 }), { nil: undefined }), (hex, size) => {
        const expected = !/^(?:[0-9a-f]{2})*$/.test(hex)
          ? ErrorCode.BAD_HEX
          : size !== undefined && hex.length !== size * 2
            ? ErrorCode.BAD_LENGTH
            : undefined
        let code: string | undefined
        try {
          assert.deepEqual(fromHex(hex, size), Uint8Array.from(Buffer.from(hex, 'hex')))
        } catch (error) {
          code = (error as { code?: string }).code
        }
        assert.equal(code, expected, JSON.stringify(hex))
      }),
      { numRuns: 2000 },
    )
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
