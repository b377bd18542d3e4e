/**
 * RFC 8785 JSON Canonicalization Scheme (JCS): the one place that defines which bytes are
 * hashed and signed. Never hash or sign `JSON.stringify` of an object whose key order you do
 * not control.
 */
import { isSurelyCanonical } from './canonical-bytes.ts'
import { ErrorCode, fail, ok, ProtocolError, type Result } from './errors.ts'

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
  const writer = writerFor()
  try {
    writer.value(value, 0)
    return writer.text(0, writer.at)
  } catch (error) {
    rethrow(value, error)
  } finally {
    writer.release()
  }
}

/** UTF-8 bytes of {@link canonicalize}. */
export function canonicalBytes(value: unknown): Uint8Array {
  const writer = writerFor()
  try {
    writer.value(value, 0)
    return writer.bytes.slice(0, writer.at)
  } catch (error) {
    rethrow(value, error)
  } finally {
    writer.release()
  }
}

/**
 * {@link canonicalize} of a string, for texts that quote a few strings themselves: JSON's
 * quoting, and the same refusal of a lone surrogate.
 */
export function canonicalString(text: string): string {
  return text.isWellFormed() ? JSON.stringify(text) : canonicalize(text)
}

const NOT_CANONICAL = Symbol('not canonical')

/**
 * Rethrows what writing `value` threw; the writer's refusal as `NOT_CANONICALIZABLE` with the
 * path of what was refused, which `serialize` finds (only a refused value pays for the paths).
 */
function rethrow(value: unknown, error: unknown): never {
  if (error === NOT_CANONICAL) serialize(value, '', 0) // throws the refusal, with its path
  throw error
}

/**
 * The canonical text of `record` without its `omit`ted members, then, for each of `parts`,
 * that of the object of the members it keeps: an object's texts that differ by a few members
 * (a message with and without some of them) from one serialization, each one flat string.
 * Throws like {@link canonicalize}.
 */
export function canonicalObjectTexts(
  record: Record<string, unknown>,
  omit: readonly string[],
  parts: readonly ((key: string) => boolean)[] = [],
): string[] {
  const writer = writerFor()
  try {
    const ends: MemberEnds = { keys: [], at: [] }
    writer.object(record, 0, omit, ends)
    const whole = writer.at
    const texts = [writer.text(0, whole)]
    for (const keep of parts) {
      // The kept members are copied after the whole text, each from where it was written.
      const from = writer.at
      writer.byte(0x7b) // {
      for (let i = 0, start = 1; i < ends.keys.length; start = ends.at[i]! + 1, i++) {
        if (!keep(ends.keys[i]!)) continue
        if (writer.at > from + 1) writer.byte(0x2c) // ,
        writer.copy(start, ends.at[i]!)
      }
      writer.byte(0x7d) // }
      texts.push(writer.text(from, writer.at))
    }
    return texts
  } catch (error) {
    rethrow(record, error)
  } finally {
    writer.release()
  }
}

/**
 * Writes canonical JSON as UTF-8 into one growing buffer: the same rules as `serialize`
 * without building paths (the path of every property costs more than the serialization itself,
 * and is only needed to explain a refusal). A text built by `+=` is a tree of every piece,
 * which the hash that reads it first copies into one flat string, for a message more than its
 * serialization itself; bytes decoded once are one flat string at once.
 */
class Writer {
  bytes: Uint8Array
  at = 0
  busy = false

  constructor(size: number) {
    this.bytes = new Uint8Array(size)
  }

  /** The text of the bytes written from `from` to `to`. */
  text(from: number, to: number): string {
    return utf8Decoder.decode(this.bytes.subarray(from, to))
  }

  release(): void {
    this.busy = false
    this.at = 0
    // A huge value is not kept alive by its buffer.
    if (this.bytes.length > WRITER_BYTES_KEPT) this.bytes = new Uint8Array(WRITER_BYTES)
  }

  /** Room for `count` more bytes. */
  room(count: number): void {
    if (this.at + count <= this.bytes.length) return
    const grown = new Uint8Array(Math.max(2 * this.bytes.length, this.at + count))
    grown.set(this.bytes.subarray(0, this.at))
    this.bytes = grown
  }

  byte(c: number): void {
    this.room(1)
    this.bytes[this.at++] = c
  }

  /** Copies the bytes written from `from` to `to` to the end. */
  copy(from: number, to: number): void {
    this.room(to - from)
    this.bytes.copyWithin(this.at, from, to)
    this.at += to - from
  }

  /** Writes `ascii`, characters below U+0080 only. */
  ascii(ascii: string): void {
    this.room(ascii.length)
    const bytes = this.bytes
    let at = this.at
    for (let i = 0; i < ascii.length; i++) bytes[at++] = ascii.charCodeAt(i)
    this.at = at
  }

  value(value: unknown, depth: number): void {
    if (value === null) this.ascii('null')
    else if (typeof value === 'boolean') this.ascii(value ? 'true' : 'false')
    else if (typeof value === 'number') {
      if (!Number.isFinite(value)) throw NOT_CANONICAL
      this.ascii(JSON.stringify(value))
    } else if (typeof value === 'string') this.string(value)
    else if (typeof value !== 'object') throw NOT_CANONICAL
    else if (depth >= MAX_CANONICAL_DEPTH) throw NOT_CANONICAL
    else if (!Array.isArray(value)) this.object(value as Record<string, unknown>, depth, NO_KEYS, undefined)
    else {
      this.byte(0x5b) // [
      for (let i = 0; i < value.length; i++) {
        if (i > 0) this.byte(0x2c)
        const item = value[i]
        // JSON.stringify turns holes and undefined inside arrays into null; so do we.
        if (item === undefined) this.ascii('null')
        else this.value(item, depth + 1)
      }
      this.byte(0x5d) // ]
    }
  }

  /**
   * Writes an object without its `omit`ted members, and into `ends` its members' keys and where
   * each member's bytes end (each starts after the `{` or the comma before it).
   */
  object(
    record: Record<string, unknown>,
    depth: number,
    omit: readonly string[],
    ends: MemberEnds | undefined,
  ): void {
    this.byte(0x7b) // {
    let first = true
    for (const key of sortedKeys(record)) {
      const item = record[key]
      if (item === undefined || (omit.length > 0 && omit.includes(key))) continue
      const start = memberStart(key)
      this.room(start.length + 1)
      const bytes = this.bytes
      let at = this.at
      if (!first) bytes[at++] = 0x2c // ,
      first = false
      for (let k = 0; k < start.length; k++) bytes[at++] = start[k]!
      this.at = at
      this.value(item, depth + 1)
      if (ends !== undefined) {
        ends.keys.push(key)
        ends.at.push(this.at)
      }
    }
    this.byte(0x7d) // }
  }

  /**
   * `JSON.stringify(text)` as UTF-8; throws NOT_CANONICAL for a lone surrogate. JSON escapes a
   * quote, a backslash and the control characters, nothing else.
   */
  string(text: string): void {
    // At most six bytes per character (`\u001f`), and the quotes.
    this.room(6 * text.length + 2)
    const bytes = this.bytes
    let at = this.at
    bytes[at++] = 0x22
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i)
      if (c < 0x80) {
        if (c >= 0x20 && c !== 0x22 && c !== 0x5c) {
          bytes[at++] = c
          continue
        }
        const escaped = ESCAPES[c]!
        for (let k = 0; k < escaped.length; k++) bytes[at++] = escaped.charCodeAt(k)
      } else if (c < 0x800) {
        bytes[at++] = 0xc0 | (c >> 6)
        bytes[at++] = 0x80 | (c & 0x3f)
      } else if (c < 0xd800 || c > 0xdfff) {
        bytes[at++] = 0xe0 | (c >> 12)
        bytes[at++] = 0x80 | ((c >> 6) & 0x3f)
        bytes[at++] = 0x80 | (c & 0x3f)
      } else {
        const low = text.charCodeAt(i + 1)
        if (c > 0xdbff || !(low >= 0xdc00 && low <= 0xdfff)) throw NOT_CANONICAL
        const point = 0x10000 + ((c - 0xd800) << 10) + (low - 0xdc00)
        bytes[at++] = 0xf0 | (point >> 18)
        bytes[at++] = 0x80 | ((point >> 12) & 0x3f)
        bytes[at++] = 0x80 | ((point >> 6) & 0x3f)
        bytes[at++] = 0x80 | (point & 0x3f)
        i++
      }
    }
    bytes[at++] = 0x22
    this.at = at
  }
}

/** Top-level members of an object as {@link Writer.object} wrote them. */
interface MemberEnds {
  keys: string[]
  at: number[]
}

const NO_KEYS: readonly string[] = []
const WRITER_BYTES = 1 << 16
const WRITER_BYTES_KEPT = 1 << 20
const utf8Decoder = new TextDecoder()
const utf8Encoder = new TextEncoder()
/** JSON's escape of each character below U+0080 that it escapes (a quote, a backslash, controls). */
const ESCAPES: string[] = Array.from({ length: 0x80 }, (_, c) =>
  JSON.stringify(String.fromCharCode(c)).slice(1, -1),
)

/**
 * The shared writer, or a new one when it is busy: a value whose serialization calls back into
 * this module (a getter, say) gets a buffer of its own.
 */
const shared = new Writer(WRITER_BYTES)
function writerFor(): Writer {
  const writer = shared.busy ? new Writer(256) : shared
  writer.busy = true
  return writer
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
const memberStarts = new Map<string, Uint8Array>()

/**
 * `JSON.stringify(key)` and its colon as UTF-8, remembered; throws NOT_CANONICAL for a key with
 * a lone surrogate.
 */
function memberStart(key: string): Uint8Array {
  let start = memberStarts.get(key)
  if (start === undefined) {
    if (!key.isWellFormed()) throw NOT_CANONICAL
    start = utf8Encoder.encode(`${JSON.stringify(key)}:`)
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

/**
 * {@link checkCanonical} of a message's bytes as received, `text` their UTF-8 and `value` its
 * parse: the quick pass over the bytes ({@link isSurelyCanonical}) vouches for most messages,
 * the others are serialized and compared.
 */
export function checkCanonicalBytes(bytes: Uint8Array, text: string, value: unknown): Result<void> {
  return isSurelyCanonical(bytes) ? ok(undefined) : checkCanonical(text, value)
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
