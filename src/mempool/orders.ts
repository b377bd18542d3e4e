/**
 * Small integers that order like the bigints and texts of ranks and sort keys, computed once
 * when a key is filed: an index over 100k entries compares a few dozen keys per insert or
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

// Keys of the ordered sets (ordered-set.ts) as one number each: their orders above, side by
// side in the 53 bits a double holds exactly. A part stands for its key's part only where its
// order is exact; past it the lower parts are 0, so that the number never orders two keys
// against their comparator (it may tie them, and the comparator decides).
const TIER_SPAN = 2 ** 31 // the work part: 0 below zero, 1 + its order up to 2^30
const ID_SPAN = 2 ** 18 // the id part: the order's 18 leading bits, reversed
const ID_SHIFT = 2 ** 12 // orderOfText < 19^7 < 2^30
const KEY_SPAN = 2 ** 22 // a text key's 22 leading bits
const KEY_SHIFT = 2 ** 8

/**
 * A number with `compareHeld(a, b) < 0 ⇒ orderOfRank(a) <= orderOfRank(b)`, from a rank's
 * orders: tier (4 bits, exact from −7 to 6), work (31 bits), then id (18 bits, backwards, the
 * larger id being the weaker).
 */
export function orderOfRank(tierOrder: number, workOrder: number, idOrder: number): number {
  if (tierOrder < -7) return 0
  if (tierOrder > 6) return 15 * TIER_SPAN * ID_SPAN
  const tier = (tierOrder + 8) * TIER_SPAN
  if (workOrder < 0) return tier * ID_SPAN
  if (!isExactOrder(workOrder)) return (tier + 1 + workOrder) * ID_SPAN
  return (tier + 1 + workOrder) * ID_SPAN + (ID_SPAN - 1 - Math.floor(idOrder / ID_SHIFT))
}

/**
 * A number ordering like a bigint's order then a text's (ranks.ts' score keys): the bigint's
 * order (31 bits), then the text's 22 leading bits where the bigint's order is exact.
 */
export function orderOfBigintAndText(bigintOrder: number, textOrder: number): number {
  const high = (bigintOrder + 2 ** 30) * KEY_SPAN
  return isExactOrder(bigintOrder) ? high + Math.floor(textOrder / KEY_SHIFT) : high
}

/**
 * A number ordering like a time in seconds then a text (offers by expiry): the time, then the
 * text's 22 leading bits, for whole seconds from 0 to 2^31; below that 0, above it 2^53, and a
 * fraction of a second above every key of its whole second.
 */
export function orderOfTimeAndText(seconds: number, textOrder: number): number {
  if (!(seconds >= 0)) return -1
  if (seconds >= 2 ** 31) return 2 ** 53
  const whole = Math.floor(seconds)
  return whole * KEY_SPAN + (whole === seconds ? Math.floor(textOrder / KEY_SHIFT) : KEY_SPAN - 1)
}
