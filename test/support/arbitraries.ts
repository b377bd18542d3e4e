/**
 * fast-check arbitraries shared by the property tests.
 */
import fc from 'fast-check'

/**
 * Strings of any code points, lone surrogates included (each written by TextEncoder as U+FFFD).
 * Built from code point integers rather than `fc.string({ unit: 'binary' })`, whose first use maps
 * all 1.1 million code points back to their indices (about a second of CPU per test process),
 * and which leaves out surrogates.
 */
export function anyText(maxLength: number): fc.Arbitrary<string> {
  const codePoint = fc.integer({ min: 0, max: 0x10ffff }).map((code) => String.fromCodePoint(code))
  return fc.string({ unit: codePoint, maxLength })
}
