/**
 * Small integers that order like the bigints and texts of ranks and sort keys, computed once
 * when a key is filed: a B+ tree over 100k entries compares a few dozen keys per insert or
 * delete, and a comparison of two small integers reads no bigint or string behind them. The
 * order they give is never strict where the exact one is: equal orders fall back to comparing
 * the exact values, so what the trees hold and evict is exactly what the exact keys decide.
 *
 * Both fit V8's small integers (|x| < 2^30), which an object keeps in place of a pointer.
 */

// Below it, a bigint's order is the bigint itself.
const EXACT_BELOW = 2 ** 28
const bits = new DataView(new ArrayBuffer(8))
// High 32 bits of the double 2^28, shifted like every larger one below: exponent 1023 + 28.
const HIGH_OF_EXACT_BELOW = (1023 + 28) << 16

/**
 * An integer with `a < b ⇒ orderOfBigint(a) <= orderOfBigint(b)`: the value below 2^28, else
 * 2^28 plus the exponent and the 16 leading mantissa bits of the nearest double (conversion
 * to a double never reverses an order, and positive doubles order like their bit patterns).
 * Negative values mirror below −1.
 */
export function orderOfBigint(value: bigint): number {
  return value < 0n ? -orderOfMagnitude(-value) - 1 : orderOfMagnitude(value)
}

/** Whether equal orders of bigints mean equal bigints: below 2^28 in magnitude, where the order is the value. */
export function isExactOrder(order: number): boolean {
  return order < EXACT_BELOW && order >= -EXACT_BELOW
}

function orderOfMagnitude(value: bigint): number {
  const number = Number(value)
  if (number < EXACT_BELOW) return number
  bits.setFloat64(0, number)
  return EXACT_BELOW + ((bits.getUint32(0) >>> 4) - HIGH_OF_EXACT_BELOW)
}

// A text's leading characters as digits of base 19: 0 for the end of the text and anything
// below "0", 1–10 the digits, 11 what lies between "9" and "a", 12–17 "a" to "f", 18 above
// "f". The first character outside the hex digits ends the number (later digits count 0): two
// texts that share it are equal to this order and compared exactly.
const BASE = 19
const LENGTH = 7 // 19^7 < 2^30

function classOf(code: number): number {
  if (code < 48) return 0
  if (code <= 57) return code - 47
  if (code < 97) return 11
  if (code <= 102) return code - 85
  return 18
}

/**
 * An integer with `a < b ⇒ orderOfText(a) <= orderOfText(b)` (JavaScript's `<` on texts, by
 * UTF-16 code units) from its first seven characters; distinct for hex keys that differ there.
 */
export function orderOfText(text: string): number {
  let order = 0
  let position = 0
  for (; position < LENGTH; position++) {
    const digit = position < text.length ? classOf(text.charCodeAt(position)) : 0
    order = order * BASE + digit
    if (digit === 0 || digit === 11 || digit === 18) {
      position++
      break
    }
  }
  for (; position < LENGTH; position++) order *= BASE
  return order
}
