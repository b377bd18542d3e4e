/**
 * Bounds: the points that delimit ranges of the item order.
 *
 * Items are ordered by `(key, id)`, ids compared as bytes. A bound `(key, prefix)` stands for
 * the point `(key, prefix ‖ 0…0)`; a range `[lower, upper)` holds the items at or after its
 * lower bound and before its upper one. Bounds are sent with the shortest id prefix that still
 * separates two neighbouring items, so most cost 2–4 bytes.
 */
import { type Reader, Writer } from './bytes.ts'
import { SyncError, SyncErrorCode } from './errors.ts'

/** Bytes of an item id. */
export const ID_BYTES = 32

/** Largest ordering key (the wire reserves varint 0 for the infinite bound). */
export const MAX_KEY = 0xffff_fffe

export interface Bound {
  /** Ordering key, or `Infinity` for the bound after every item. */
  key: number
  /** 0–32 bytes of id. */
  prefix: Uint8Array
}

const EMPTY = new Uint8Array(0)

/** The bound before every item. */
export const MIN_BOUND: Bound = { key: 0, prefix: EMPTY }

/** The bound after every item. */
export const MAX_BOUND: Bound = { key: Number.POSITIVE_INFINITY, prefix: EMPTY }

/** Compares item `(key, id)` with a bound: negative when the item lies before it. */
export function compareItemToBound(key: number, ids: Uint8Array, offset: number, bound: Bound): number {
  if (key !== bound.key) return key < bound.key ? -1 : 1
  const prefix = bound.prefix
  for (let i = 0; i < prefix.length; i++) {
    const a = ids[offset + i]!
    const b = prefix[i]!
    if (a !== b) return a - b
  }
  return 0
}

/** Compares two bounds as points. */
export function compareBounds(a: Bound, b: Bound): number {
  if (a.key !== b.key) return a.key < b.key ? -1 : 1
  const length = Math.max(a.prefix.length, b.prefix.length)
  for (let i = 0; i < length; i++) {
    const x = a.prefix[i] ?? 0
    const y = b.prefix[i] ?? 0
    if (x !== y) return x - y
  }
  return 0
}

/** Compares two items `(key, id)`. */
export function compareItems(aKey: number, aId: Uint8Array, bKey: number, bId: Uint8Array): number {
  if (aKey !== bKey) return aKey < bKey ? -1 : 1
  for (let i = 0; i < ID_BYTES; i++) {
    const x = aId[i]!
    const y = bId[i]!
    if (x !== y) return x - y
  }
  return 0
}

/**
 * The shortest bound above item `a` and at or below item `b` (with `a` < `b`): a different
 * key alone separates them; otherwise the id prefix of `b` one byte past what they share.
 */
export function minimalBound(aKey: number, aId: Uint8Array, bKey: number, bId: Uint8Array): Bound {
  if (aKey !== bKey) return { key: bKey, prefix: EMPTY }
  let shared = 0
  while (shared < ID_BYTES && aId[shared] === bId[shared]) shared++
  return { key: bKey, prefix: bId.slice(0, Math.min(ID_BYTES, shared + 1)) }
}

/** Writes a bound: varint(key + 1, 0 for infinity) ‖ varint(prefix length) ‖ prefix. */
export function writeBound(out: Writer, bound: Bound): void {
  out.varint(bound.key === Number.POSITIVE_INFINITY ? 0 : bound.key + 1)
  out.varint(bound.prefix.length)
  out.bytes(bound.prefix)
}

/** Bytes a bound takes on the wire. */
export function boundLength(bound: Bound): number {
  return (
    new Writer(48).varint(bound.key === Number.POSITIVE_INFINITY ? 0 : bound.key + 1).length +
    1 +
    bound.prefix.length
  )
}

/** Reads a bound. Throws `BAD_BOUND` for a prefix over 32 bytes or one on the infinite bound. */
export function readBound(reader: Reader): Bound {
  const encoded = reader.varint()
  const length = reader.varint()
  if (length > ID_BYTES) throw new SyncError(SyncErrorCode.BAD_BOUND, `bound prefix of ${length} bytes`)
  const prefix = reader.bytes(length)
  if (encoded === 0) {
    if (length !== 0) throw new SyncError(SyncErrorCode.BAD_BOUND, 'the infinite bound has no id prefix')
    return MAX_BOUND
  }
  return { key: encoded - 1, prefix }
}
