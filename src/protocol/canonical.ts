/**
 * RFC 8785 JSON Canonicalization Scheme (JCS): the one place that defines which bytes are
 * hashed and signed. Never hash or sign `JSON.stringify` of an object whose key order you do
 * not control.
 */
import { ErrorCode, fail, ok, ProtocolError, type Result } from './errors.ts'
import { utf8 } from './hex.ts'

/** Deeper documents are refused: real messages nest a handful of levels, hostile ones thousands. */
export const MAX_CANONICAL_DEPTH = 32

/**
 * Serializes `value` as RFC 8785 canonical JSON.
 *
 * Object keys are sorted by UTF-16 code units, numbers use ECMAScript's shortest round-trip
 * form (which RFC 8785 adopts), strings use JSON escaping. Properties whose value is
 * `undefined` are omitted, as JSON would. Throws `NOT_CANONICALIZABLE` for values JSON cannot
 * carry (non-finite numbers, bigint, functions, lone surrogates) or nesting deeper than
 * {@link MAX_CANONICAL_DEPTH}.
 */
export function canonicalize(value: unknown): string {
  try {
    return fast(value, 0)
  } catch (error) {
    if (error !== NOT_CANONICAL) throw error
    // Only a refused value pays for the JSON path in the error.
    return serialize(value, '', 0)
  }
}

/** UTF-8 bytes of {@link canonicalize}. */
export function canonicalBytes(value: unknown): Uint8Array {
  return utf8(canonicalize(value))
}

const NOT_CANONICAL = Symbol('not canonical')

/**
 * The canonical members of an object, `"key":value` in key order without the `omit`ted keys
 * and those whose value is `undefined`: an object's texts that differ by a few members (a
 * message with and without some of them) are joined from one serialization by
 * {@link joinMembers}. Throws like {@link canonicalize}.
 */
export function canonicalMembers(record: Record<string, unknown>, omit: readonly string[] = []): Member[] {
  try {
    const members: Member[] = []
    for (const key of sortedKeys(record)) {
      const item = record[key]
      if (item === undefined || omit.includes(key)) continue
      members.push([key, memberStart(key) + fast(item, 1)])
    }
    return members
  } catch (error) {
    if (error !== NOT_CANONICAL) throw error
    serialize(record, '', 0) // throws the refusal, with its path
    throw error
  }
}

/** A member of a canonical object: its key, and `"key":value`. */
export type Member = readonly [key: string, text: string]

/** The canonical object of `members` (in key order). */
export function joinMembers(members: readonly Member[]): string {
  let out = '{'
  for (const [, text] of members) {
    if (out.length > 1) out += ','
    out += text
  }
  return `${out}}`
}

/**
 * The canonical object of the `members` `keep` accepts, cut out of `text`, their
 * {@link joinMembers} (the same text as joining them): runs of kept members are slices of it.
 * The texts of one message that differ by a few members (its PoW bound, an offer's signed
 * terms) are then copies of one flat text, which a hash reads at once, instead of trees of
 * every piece of the serialization that each hash would flatten again.
 */
export function memberSlices(
  text: string,
  members: readonly Member[],
  keep: (key: string) => boolean,
): string {
  let out = ''
  let runStart = -1
  let at = 1 // where the member starts in `text`, after `{` or its comma
  for (let i = 0; i <= members.length; i++) {
    const kept = i < members.length && keep(members[i]![0])
    if (kept && runStart < 0) runStart = at
    if (!kept && runStart >= 0) {
      out += (out.length > 0 ? ',' : '') + text.slice(runStart, at - 1)
      runStart = -1
    }
    if (i < members.length) at += members[i]![1].length + 1
  }
  return `{${out}}`
}

// The same rules as `serialize` without building paths: the path of every property costs
// more than the serialization itself, and is only needed to explain a refusal.
function fast(value: unknown, depth: number): string {
  if (value === null) return 'null'
  switch (typeof value) {
    case 'boolean':
      return value ? 'true' : 'false'
    case 'number':
      if (!Number.isFinite(value)) throw NOT_CANONICAL
      return JSON.stringify(value)
    case 'string':
      return quoted(value)
    case 'object': {
      if (depth >= MAX_CANONICAL_DEPTH) throw NOT_CANONICAL
      if (Array.isArray(value)) {
        let out = '['
        for (let i = 0; i < value.length; i++) {
          if (i > 0) out += ','
          const item = value[i]
          out += item === undefined ? 'null' : fast(item, depth + 1)
        }
        return `${out}]`
      }
      const record = value as Record<string, unknown>
      const keys = sortedKeys(record)
      let out = '{'
      for (const key of keys) {
        const item = record[key]
        if (item === undefined) continue
        if (out.length > 1) out += ','
        out += memberStart(key) + fast(item, depth + 1)
      }
      return `${out}}`
    }
    default:
      throw NOT_CANONICAL
  }
}

/**
 * `JSON.stringify(text)`; throws NOT_CANONICAL for a lone surrogate. Most strings of a message
 * (hex, names, URLs) need no escape: they are quoted as they are, found in one pass.
 */
function quoted(text: string): string {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    // A quote, a backslash, a control character or a surrogate: the general path.
    if (c < 0x20 || c === 0x22 || c === 0x5c || (c >= 0xd800 && c <= 0xdfff)) {
      if (!text.isWellFormed()) throw NOT_CANONICAL
      return JSON.stringify(text)
    }
  }
  return `"${text}"`
}

/**
 * An object's own keys in canonical order (UTF-16 code units, the default sort). Messages of a
 * kind share a few key lists: each list's order is sorted once and found again by comparing the
 * keys (property names are interned, so the comparison is cheap), never re-sorted. Bounded,
 * since keys of hostile input are anything.
 */
function sortedKeys(record: Record<string, unknown>): string[] {
  const keys = Object.keys(record)
  if (keys.length < 2) return keys
  const known = sortedKeyLists.get(keys[0]!)
  if (known !== undefined) {
    for (const list of known) if (sameKeys(list.keys, keys)) return list.sorted
  }
  const sorted = [...keys].sort()
  if (sortedKeyListCount < SORTED_KEY_LISTS_MAX && keys.length <= SORTED_KEY_LIST_LENGTH_MAX) {
    if (known === undefined) sortedKeyLists.set(keys[0]!, [{ keys, sorted }])
    else if (known.length < SORTED_KEY_LISTS_PER_FIRST_KEY) known.push({ keys, sorted })
    else return sorted
    sortedKeyListCount++
  }
  return sorted
}

// At most a few comparisons per object, however many key lists hostile input brings.
const SORTED_KEY_LISTS_MAX = 256
const SORTED_KEY_LISTS_PER_FIRST_KEY = 8
const SORTED_KEY_LIST_LENGTH_MAX = 64
let sortedKeyListCount = 0
/** Key lists seen (as `Object.keys` gave them) with their sorted order, by first key. */
const sortedKeyLists = new Map<string, { keys: string[]; sorted: string[] }[]>()

function sameKeys(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false
  return true
}

// Messages use a few dozen property names over and over: quoting each once saves a quarter of a
// message's canonicalization. Bounded, since keys of hostile input are anything.
const MEMBER_STARTS_MAX = 4096
const memberStarts = new Map<string, string>()

/** `JSON.stringify(key)` and its colon, remembered; throws NOT_CANONICAL for a key with a lone surrogate. */
function memberStart(key: string): string {
  let start = memberStarts.get(key)
  if (start === undefined) {
    if (!key.isWellFormed()) throw NOT_CANONICAL
    start = `${JSON.stringify(key)}:`
    if (memberStarts.size < MEMBER_STARTS_MAX) memberStarts.set(key, start)
  }
  return start
}

function serialize(value: unknown, path: string, depth: number): string {
  if (value === null) return 'null'
  switch (typeof value) {
    case 'boolean':
      return value ? 'true' : 'false'
    case 'number':
      if (!Number.isFinite(value)) refuse(path, `number ${value} has no JSON form`)
      return JSON.stringify(value)
    case 'string':
      if (!value.isWellFormed()) refuse(path, 'string contains a lone UTF-16 surrogate')
      return JSON.stringify(value)
    case 'object':
      if (depth >= MAX_CANONICAL_DEPTH) refuse(path, `nesting deeper than ${MAX_CANONICAL_DEPTH} levels`)
      return Array.isArray(value) ? serializeArray(value, path, depth) : serializeObject(value, path, depth)
    default:
      return refuse(path, `a ${typeof value} has no JSON form`)
  }
}

function serializeArray(items: unknown[], path: string, depth: number): string {
  let out = '['
  for (let i = 0; i < items.length; i++) {
    if (i > 0) out += ','
    const item = items[i]
    // JSON.stringify turns holes and undefined inside arrays into null; so do we.
    out += item === undefined ? 'null' : serialize(item, `${path}/${i}`, depth + 1)
  }
  return `${out}]`
}

function serializeObject(object: object, path: string, depth: number): string {
  const record = object as Record<string, unknown>
  // Default sort compares UTF-16 code units, exactly what RFC 8785 §3.2.3 requires.
  const keys = Object.keys(record).sort()
  let out = '{'
  let first = true
  for (const key of keys) {
    const item = record[key]
    if (item === undefined) continue
    if (!key.isWellFormed()) refuse(path, 'property name contains a lone UTF-16 surrogate')
    if (!first) out += ','
    first = false
    out += `${JSON.stringify(key)}:${serialize(item, `${path}/${escapePointer(key)}`, depth + 1)}`
  }
  return `${out}}`
}

function escapePointer(key: string): string {
  return key.replaceAll('~', '~0').replaceAll('/', '~1')
}

function refuse(path: string, reason: string): never {
  throw new ProtocolError(ErrorCode.NOT_CANONICALIZABLE, `cannot canonicalize ${path || '/'}: ${reason}`, {
    path: path || '/',
  })
}

/** Fails with `NOT_CANONICAL` unless `text` is the canonical form of `value` (its parse). */
export function checkCanonical(text: string, value: unknown): Result<void> {
  let canonical: string
  try {
    canonical = canonicalize(value)
  } catch (error) {
    if (error instanceof ProtocolError) return { ok: false, error }
    throw error
  }
  if (canonical === text) return ok(undefined)
  return fail(ErrorCode.NOT_CANONICAL, 'message is not in its canonical form (RFC 8785, no whitespace)')
}
