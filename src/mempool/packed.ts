/**
 * A held message as one compact string, rebuilt into the message on demand: a pool of a
 * million oracles cannot afford a parsed object per ad, whose keys, signature and PoW are
 * hex text (two bytes of heap per byte of data) in strings of their own (design §5).
 *
 * The packed form is the message's JSON text with every hex string of 8 to 255 bytes as its
 * bytes, the top-level signature in front, and the strings the entry keeps anyway (its key,
 * its parent's key) as a one-character reference. Each character holds one byte (a one-byte
 * string), unless the text itself has characters beyond Latin-1. In ASCII texts the property
 * names and scheme names that every message repeats are one character each. JSON.parse of the text gives
 * back the message as it was held, so its canonical bytes, id and signatures are the same.
 */
import { Buffer } from 'node:buffer'
import { canonicalize, compareQuotedKeys } from '../protocol/index.ts'

// JSON.stringify escapes every control character, so these never occur in the text itself.
/** Starts a hex string kept as bytes: the marker, the byte count, the bytes. */
const HEX = '\u0001'
/** Starts a reference to one of the entry's strings: the marker, the index. */
const REF = '\u0002'

// A quoted string of lowercase hex, 8 to 255 bytes (an even number of digits).
const QUOTED_HEX = /"((?:[0-9a-f]{2}){8,255})"/g

/**
 * The words messages repeat, each one character from U+0003 on (JSON escapes these too): a
 * property name with its quotes and colon, or a quoted string value. Packed forms live in
 * memory only, so the list may change from one release to the next.
 */
export const NAMES = [
  'kind',
  'scheme',
  'pubkey',
  'seqNo',
  'tags',
  'pow',
  'bits',
  'nonce',
  'hash',
  'oracle',
  'oracleScheme',
  'capabilityKey',
  'capabilityScheme',
  'attestation',
  'question',
  'params',
  'answers',
  'endpoint',
  'off',
  'keyProof',
  'content',
  'type',
  'reporter',
  'terms',
  'originator',
  'expires',
  'capability',
]
export const VALUES = ['ed25519', 'bip340']
export const FIRST_WORD = 3
const WORDS = [...NAMES.map((name) => `"${name}":`), ...VALUES.map((value) => `"${value}"`)]
const NAME_CODES = new Map(NAMES.map((name, i) => [name, FIRST_WORD + i]))
const VALUE_CODES = new Map(VALUES.map((value, i) => [value, FIRST_WORD + NAMES.length + i]))
const LONGEST_WORD = Math.max(...NAMES.map((name) => name.length), ...VALUES.map((value) => value.length))
const WORD_CODE = new RegExp(`[\\u${hex4(FIRST_WORD)}-\\u${hex4(FIRST_WORD + WORDS.length - 1)}]`, 'g')
if (FIRST_WORD + WORDS.length > 0x20) throw new Error('more words than control characters')

function hex4(code: number): string {
  return code.toString(16).padStart(4, '0')
}

/**
 * Packs a message (a JSON value), with `refs` the strings of the entry that the message
 * repeats (whole string values): those cost one reference instead of their bytes.
 */
export function packMessage(message: object, refs: readonly string[]): string {
  const { signature, ...rest } = message as { signature?: unknown }
  const front = isFrontSignature(signature)
  const text = JSON.stringify(front ? rest : message)
  return packText(text, text.length, '', front ? signature : undefined, refs)
}

/**
 * The same packed form from the message's canonical text without proofs (`JCS(m)` without
 * `signature` and `pow`, which admission serialized for the id) and its proofs: no second
 * serialization. The message rebuilt from it has its members in canonical order, the PoW last.
 */
export function packCanonical(
  canonicalWithoutProofs: string,
  proofs: { pow?: unknown; signature?: unknown },
  refs: readonly string[],
): string {
  const { pow, signature } = proofs
  const front = isFrontSignature(signature)
  const text = canonicalWithoutProofs
  // The members go back before the closing brace (the text is read up to it, not cut, so it
  // stays one flat string); an empty object has no comma to take.
  if (pow !== undefined || (signature !== undefined && !front)) {
    // A PoW as messages carry it (a signature in front): its member written as bytes to be read
    // with the text's, without a string of its own.
    if (front || signature === undefined) {
      const packed = packWithPow(text, pow, front ? signature : undefined, refs)
      if (packed !== undefined) return packed
    }
    const members = proofMembers(pow, front ? undefined : signature)
    const tail = text.length > 2 ? `,${members}` : members
    return packText(text, text.length - 1, tail, front ? signature : undefined, refs)
  }
  return packText(text, text.length, '', front ? signature : undefined, refs)
}

/**
 * {@link packText} of `text` without its closing brace, then `,"pow":…}` (no comma after `{}`),
 * for a PoW {@link flatJson} writes as it is; undefined for any other (or a text not ASCII).
 */
function packWithPow(
  text: string,
  pow: unknown,
  signature: string | undefined,
  refs: readonly string[],
): string | undefined {
  if (text.length > SCRATCH_BYTES / 4) return undefined
  let at = 1
  scratch[0] = signature === undefined ? 0 : signature.length / 2
  if (signature !== undefined) at = writeHex(signature, 0, signature.length, at)
  at = packAscii(text, text.length - 1, refs, at)
  if (at < 0) return undefined
  // The member, as `proofMembers` writes it, into `source` (the text is read already).
  let end = 0
  if (text.length > 2) source[end++] = 0x2c // ,
  end = writeAscii('"pow":{', end)
  if (typeof pow !== 'object' || pow === null || Object.getPrototypeOf(pow) !== Object.prototype)
    return undefined
  const record = pow as Record<string, unknown>
  let first = true
  for (const key of Object.keys(record)) {
    const item = record[key]
    if (!isPlainText(key) || end + key.length > POW_MEMBER_BYTES) return undefined
    if (!first) source[end++] = 0x2c
    first = false
    source[end++] = QUOTE
    end = writeAscii(key, end)
    source[end++] = QUOTE
    source[end++] = COLON
    if (typeof item === 'number' && Number.isFinite(item)) end = writeAscii(String(item), end)
    else if (typeof item === 'string' && isPlainText(item) && end + item.length <= POW_MEMBER_BYTES) {
      source[end++] = QUOTE
      end = writeAscii(item, end)
      source[end++] = QUOTE
    } else return undefined
  }
  source[end++] = 0x7d // }
  source[end++] = 0x7d
  return scratch.toString('latin1', 0, packSource(end, refs, at))
}

// A PoW member longer than this (no real one is) takes the other path.
const POW_MEMBER_BYTES = 4096

/** Writes printable ASCII `text` into `source` at `at`; returns the end. */
function writeAscii(text: string, at: number): number {
  for (let i = 0; i < text.length; i++) source[at++] = text.charCodeAt(i)
  return at
}

/** `JSON.stringify({ pow, signature })` without its opening brace (members left undefined are left out). */
function proofMembers(pow: unknown, signature: unknown): string {
  let out = ''
  if (pow !== undefined) out = `"pow":${flatJson(pow)}`
  if (signature !== undefined) out += `${out.length > 0 ? ',' : ''}"signature":${flatJson(signature)}`
  return `${out}}`
}

/**
 * `JSON.stringify(value)`, written directly for what a PoW is: a plain object of numbers and
 * strings that need no escape. Anything else goes to JSON.stringify.
 */
function flatJson(value: unknown): string {
  if (typeof value === 'string' && isPlainText(value)) return `"${value}"`
  if (typeof value !== 'object' || value === null || Object.getPrototypeOf(value) !== Object.prototype)
    return JSON.stringify(value)
  const record = value as Record<string, unknown>
  let out = '{'
  for (const key of Object.keys(record)) {
    const item = record[key]
    let text: string
    if (typeof item === 'number' && Number.isFinite(item)) text = String(item)
    else if (typeof item === 'string' && isPlainText(item)) text = `"${item}"`
    else return JSON.stringify(value)
    if (!isPlainText(key)) return JSON.stringify(value)
    out += `${out.length > 1 ? ',' : ''}"${key}":${text}`
  }
  return `${out}}`
}

/** Printable ASCII without a quote or backslash: JSON writes it as it is. */
function isPlainText(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if (c < 0x20 || c > 0x7e || c === 0x22 || c === 0x5c) return false
  }
  return true
}

/** Whether a top-level signature goes in front as bytes: hex of 1 to 255 bytes. */
function isFrontSignature(signature: unknown): signature is string {
  return (
    typeof signature === 'string' &&
    signature.length > 0 &&
    signature.length <= 510 &&
    signature.length % 2 === 0 &&
    isHex(signature)
  )
}

/** Whether `text` is lowercase hex digits only. */
function isHex(text: string): boolean {
  for (let i = 0; i < text.length; i++) if (NIBBLE[text.charCodeAt(i)]! === 255) return false
  return true
}

/** Packs `text` (its first `length` characters) then `tail`, with `signature` in front. */
function packText(
  text: string,
  length: number,
  tail: string,
  signature: string | undefined,
  refs: readonly string[],
): string {
  // Most messages are ASCII: packed in one buffer, without a string per piece.
  if (length + tail.length < SCRATCH_BYTES / 2) {
    let at = 1
    scratch[0] = signature === undefined ? 0 : signature.length / 2
    if (signature !== undefined) at = writeHex(signature, 0, signature.length, at)
    at = packAscii(text, length, refs, at)
    if (at >= 0 && tail.length > 0) at = packAscii(tail, tail.length, refs, at)
    if (at >= 0) return scratch.toString('latin1', 0, at)
  }
  const whole = (length === text.length ? text : text.slice(0, length)) + tail
  const body = whole.replace(QUOTED_HEX, (_, hex: string) => {
    const at = refs.indexOf(hex)
    if (at >= 0) return REF + String.fromCharCode(at)
    return HEX + String.fromCharCode(hex.length / 2) + Buffer.from(hex, 'hex').toString('latin1')
  })
  if (signature === undefined) return `\u0000${body}`
  return String.fromCharCode(signature.length / 2) + Buffer.from(signature, 'hex').toString('latin1') + body
}

// Messages are at most 64 KiB of canonical JSON (LIMITS.messageBytes); a larger text takes the other path.
const SCRATCH_BYTES = 1 << 18
const scratch = Buffer.allocUnsafe(SCRATCH_BYTES)
/** The text {@link packAscii} reads, as UTF-8: room for any text it takes, three bytes a character. */
const SOURCE_CHARS = 1 << 16
const source = Buffer.allocUnsafe(3 * SOURCE_CHARS)
/** A lowercase hex digit's value, else 255, for every UTF-16 code unit. */
const NIBBLE = new Uint8Array(0x10000).fill(255)
// JSON's syntax as bytes, kept as this module's own constants: the byte loops below read them on
// every character, and an imported binding costs a load and a check each time (15–20% of
// packedCanonicalText, measured).
const QUOTE = 0x22
const BACKSLASH = 0x5c
const COMMA = 0x2c
const COLON = 0x3a
const OPEN_OBJECT = 0x7b
const CLOSE_OBJECT = 0x7d
const OPEN_ARRAY = 0x5b
const CLOSE_ARRAY = 0x5d
for (const [value, digit] of [...'0123456789abcdef'].entries()) NIBBLE[digit.charCodeAt(0)] = value
const HEX_MARK = HEX.charCodeAt(0)
const REF_MARK = REF.charCodeAt(0)

/** Writes the bytes of lowercase hex `text[from, to)` into `scratch` at `at`; returns the end. */
function writeHex(text: string, from: number, to: number, at: number): number {
  for (let i = from; i < to; i += 2)
    scratch[at++] = (NIBBLE[text.charCodeAt(i)]! << 4) | NIBBLE[text.charCodeAt(i + 1)]!
  return at
}

/**
 * The words by length and first character (`length << 7 | first`), each with its code: found
 * without cutting the candidate out of the text.
 */
const WORDS_BY_START: { bytes: Uint8Array; code: number; name: boolean }[][] = []
for (const [words, codes, name] of [
  [NAMES, NAME_CODES, true],
  [VALUES, VALUE_CODES, false],
] as const) {
  for (const word of words) {
    const slot = (word.length << 7) | word.charCodeAt(0)
    WORDS_BY_START[slot] ??= []
    WORDS_BY_START[slot].push({ bytes: Buffer.from(word, 'latin1'), code: codes.get(word)!, name })
  }
}

/** The code of the word `source[from, to)` (a name when `name`, else a value), if it is one. */
function wordAt(from: number, to: number, name: boolean): number | undefined {
  const candidates = WORDS_BY_START[((to - from) << 7) | source[from]!]
  if (candidates === undefined) return undefined
  for (const candidate of candidates) {
    if (candidate.name !== name) continue
    const word = candidate.bytes
    let k = 1 // the first byte chose the candidates
    while (k < word.length && source[from + k] === word[k]) k++
    if (k === word.length) return candidate.code
  }
  return undefined
}

/**
 * The first of `refs` that is the whole hex string starting at `from` in `source` (after its
 * quote), as {@link packAscii} would read it: a hex string of 8 to 255 bytes, closed by a
 * quote; else −1.
 */
function refAt(from: number, length: number, refs: readonly string[]): number {
  for (let r = 0; r < refs.length; r++) {
    const ref = refs[r]!
    const end = from + ref.length
    if (
      end < length &&
      ref.length >= 16 &&
      ref.length <= 510 &&
      ref.length % 2 === 0 &&
      source[end] === QUOTE &&
      isHexAt(ref, from)
    )
      return r
  }
  return -1
}

/** Whether `source` holds `text` at `from`, lowercase hex digits only. */
function isHexAt(text: string, from: number): boolean {
  for (let k = 0; k < text.length; k++) {
    const c = source[from + k]!
    if (c !== text.charCodeAt(k) || NIBBLE[c] === 255) return false
  }
  return true
}

/**
 * The same as the `QUOTED_HEX` replacement (with the words), for an ASCII text, into `scratch`
 * from `at`, one byte at a time; returns where the packed bytes end, or −1 when the text has a
 * character beyond ASCII (the caller takes the other path). Any reading of the text that
 * replaces only whole `"hex"`, references and words gives the same message back.
 *
 * The text is read from its UTF-8 bytes, written out at once: reading the characters of a
 * string one by one took twice as long. Its byte count tells whether it is ASCII.
 */
function packAscii(text: string, length: number, refs: readonly string[], at: number): number {
  if (text.length > SOURCE_CHARS || source.write(text, 0) !== text.length) return -1
  return packSource(length, refs, at)
}

/** {@link packAscii} of the ASCII text whose first `length` bytes are in `source`. */
function packSource(length: number, refs: readonly string[], at: number): number {
  const bytes = source
  let i = 0
  while (i < length) {
    const c = bytes[i]!
    if (c !== QUOTE) {
      scratch[at++] = c
      i++
      continue
    }
    const ref = refs.length > 0 && NIBBLE[bytes[i + 1]!]! !== 255 ? refAt(i + 1, length, refs) : -1
    if (ref >= 0) {
      scratch[at++] = REF_MARK
      scratch[at++] = ref
      i += refs[ref]!.length + 2
      continue
    }
    // The digits that follow go to `scratch` as bytes while they are read, two places on (for
    // the marker and the count), in case they are a hex string; if not, they are written again.
    let end = i + 1
    let write = at + 2
    for (;;) {
      const high = end < length ? NIBBLE[bytes[end]!]! : 255
      if (high === 255) break
      const low = end + 1 < length ? NIBBLE[bytes[end + 1]!]! : 255
      if (low === 255) {
        end++
        break
      }
      scratch[write++] = (high << 4) | low
      end += 2
    }
    const digits = end - i - 1
    if (end < length && bytes[end] === QUOTE && digits >= 16 && digits <= 510 && digits % 2 === 0) {
      scratch[at] = HEX_MARK
      scratch[at + 1] = digits / 2
      at = write
      i = end + 1
      continue
    }
    // A word closes within LONGEST_WORD bytes (the digits read above hold no quote).
    let close = end
    const last = Math.min(length, i + 2 + LONGEST_WORD)
    while (close < last && bytes[close] !== QUOTE) close++
    if (close < last) {
      const name = close + 1 < length && bytes[close + 1] === COLON
      const code = wordAt(i + 1, close, name)
      if (code !== undefined) {
        scratch[at++] = code
        i = name ? close + 2 : close + 1
        continue
      }
    }
    scratch[at++] = c
    i++
  }
  return at
}

/** The message a {@link packMessage} packed, rebuilt (a new object each time). */
export function unpackMessage<M>(packed: string, refs: readonly string[]): M {
  const signatureBytes = packed.charCodeAt(0)
  const start = 1 + signatureBytes
  let text = ''
  let from = start
  for (;;) {
    const at = nextMarker(packed, from)
    if (at < 0) break
    text += packed.slice(from, at)
    if (packed[at] === REF) {
      text += `"${refs[packed.charCodeAt(at + 1)]}"`
      from = at + 2
    } else {
      const end = at + 2 + packed.charCodeAt(at + 1)
      text += `"${hexOf(packed.slice(at + 2, end))}"`
      from = end
    }
  }
  text += packed.slice(from)
  text = text.replace(WORD_CODE, (code) => WORDS[code.charCodeAt(0) - FIRST_WORD]!)
  const message = JSON.parse(text) as M & { signature?: string }
  if (signatureBytes > 0) message.signature = hexOf(packed.slice(1, start))
  return message
}

/** The top-level signature of a packed message, without rebuilding the rest. */
export function packedSignature(packed: string, refs: readonly string[]): string | undefined {
  const signatureBytes = packed.charCodeAt(0)
  if (signatureBytes > 0) return hexOf(packed.slice(1, 1 + signatureBytes))
  const { signature } = unpackMessage<{ signature?: unknown }>(packed, refs)
  return typeof signature === 'string' ? signature : undefined
}

/** Whether `signature` is the top-level signature of a packed message, compared without building its hex. */
export function packedSignatureIs(packed: string, refs: readonly string[], signature: unknown): boolean {
  const signatureBytes = packed.charCodeAt(0)
  if (signatureBytes === 0) return packedSignature(packed, refs) === signature
  if (typeof signature !== 'string' || signature.length !== 2 * signatureBytes) return false
  for (let i = 0; i < signatureBytes; i++) {
    const high = NIBBLE[signature.charCodeAt(2 * i)]!
    const low = NIBBLE[signature.charCodeAt(2 * i + 1)]!
    if (high === 255 || low === 255 || ((high << 4) | low) !== packed.charCodeAt(1 + i)) return false
  }
  return true
}

function nextMarker(packed: string, from: number): number {
  const hex = packed.indexOf(HEX, from)
  const ref = packed.indexOf(REF, from)
  if (hex < 0) return ref
  if (ref < 0) return hex
  return Math.min(hex, ref)
}

function hexOf(latin1: string): string {
  return Buffer.from(latin1, 'latin1').toString('hex')
}

/**
 * The canonical text (RFC 8785) of the message a {@link packMessage} or {@link packCanonical}
 * packed, read from the packed form without rebuilding the message: what a node serves of an
 * entry. The same string as `canonicalize(unpackMessage(packed, refs))`, at a fraction of its
 * cost: the packed text is JSON whose strings and numbers are already in their canonical form
 * (`JSON.stringify` writes them as JCS does), only its members may be out of order (the proofs
 * after the rest, the signature in front, or a message packed from `JSON.stringify`). An ASCII
 * text (every message a node makes) is expanded into bytes and its members are copied in key
 * order; any other is rebuilt and serialized.
 */
export function packedCanonicalText(packed: string, refs: readonly string[]): string {
  const length = expandAscii(packed, refs)
  if (length >= 0) {
    memberTop = 0
    const end = writeCanonical(expanded, 0, length, canonicalOut, 0, length)
    if (end >= 0) return canonicalOutBuffer.toString('latin1', 0, end)
  }
  return canonicalize(unpackMessage(packed, refs))
}

const DIGITS = new Uint8Array(Buffer.from('0123456789abcdef', 'latin1'))
const WORD_BYTES = WORDS.map((word) => new Uint8Array(Buffer.from(word, 'latin1')))
const SIGNATURE_MEMBER = new Uint8Array(Buffer.from('"signature":"', 'latin1'))
/** Most bytes one packed character expands to: a reference (its quotes and 510 digits). */
const MOST_EXPANDED = 512
const expanded = new Uint8Array(SCRATCH_BYTES)
const canonicalOut = new Uint8Array(SCRATCH_BYTES)
const canonicalOutBuffer = Buffer.from(canonicalOut.buffer)

/**
 * Expands a packed ASCII message into `expanded`: its JSON text without the front signature,
 * then that signature's member (`"signature":"…"`) when it has one, which
 * {@link writeCanonical} adds to the top object. Returns the text's length (the member follows
 * it), or −1 for a text beyond ASCII, with a lone surrogate (or, far beyond any message's size,
 * the buffer's).
 */
function expandAscii(packed: string, refs: readonly string[]): number {
  const signatureBytes = packed.charCodeAt(0)
  let at = 0
  for (let i = 1 + signatureBytes; i < packed.length; ) {
    if (at > SCRATCH_BYTES - 2 * MOST_EXPANDED) return -1
    const c = packed.charCodeAt(i)
    if (c >= 0x20) {
      // `\ud…` is how JSON.stringify writes a lone surrogate, which has no canonical form: the
      // other path refuses it (a backslash escaped before `ud` only takes that path for nothing).
      if (
        c >= 0x80 ||
        (c === BACKSLASH && packed.charCodeAt(i + 1) === 0x75 && packed.charCodeAt(i + 2) === 0x64)
      )
        return -1
      expanded[at++] = c
      i++
    } else if (c === HEX_MARK) {
      const end = i + 2 + packed.charCodeAt(i + 1)
      expanded[at++] = QUOTE
      at = writeDigits(packed, i + 2, end, at)
      expanded[at++] = QUOTE
      i = end
    } else if (c === REF_MARK) {
      const ref = refs[packed.charCodeAt(i + 1)]!
      expanded[at++] = QUOTE
      for (let k = 0; k < ref.length; k++) expanded[at++] = ref.charCodeAt(k)
      expanded[at++] = QUOTE
      i += 2
    } else {
      const word = WORD_BYTES[c - FIRST_WORD]
      if (word === undefined) return -1
      for (let k = 0; k < word.length; k++) expanded[at++] = word[k]!
      i++
    }
  }
  if (signatureBytes > 0) {
    let end = at
    for (let k = 0; k < SIGNATURE_MEMBER.length; k++) expanded[end++] = SIGNATURE_MEMBER[k]!
    end = writeDigits(packed, 1, 1 + signatureBytes, end)
    expanded[end] = QUOTE
  }
  signatureMember = signatureBytes > 0
  return at
}

/** Whether the text {@link expandAscii} expanded last has its signature's member after it. */
let signatureMember = false

/** Writes the hex digits of the bytes `packed[from, to)` into `expanded` at `at`; returns the end. */
function writeDigits(packed: string, from: number, to: number, at: number): number {
  for (let j = from; j < to; j++) {
    const byte = packed.charCodeAt(j)
    expanded[at++] = DIGITS[byte >> 4]!
    expanded[at++] = DIGITS[byte & 15]!
  }
  return at
}

/**
 * The members of the objects being written, three numbers each (where its key starts, one
 * past its closing quote, one past its value, in the source), those of the object being written
 * on top of its parents'. Messages nest a few levels of a few dozen members; deeper or wider
 * than this takes the other path.
 */
const members = new Int32Array(3 * 8192)
let memberTop = 0

/**
 * Writes the canonical form of the JSON value `source[from, to)` (ASCII JSON as
 * `JSON.stringify` writes it) into `out` at `at`; returns where it ends in `out`, or −1 for what
 * the byte path does not order (a key with an escape, too many members). `signature`: where the
 * signature's member starts, after the text (the top object's).
 */
function writeCanonical(
  source: Uint8Array,
  from: number,
  to: number,
  out: Uint8Array,
  at: number,
  signature: number,
): number {
  const c = source[from]!
  if (c !== OPEN_OBJECT && c !== OPEN_ARRAY) {
    for (let i = from; i < to; i++) out[at++] = source[i]!
    return at
  }
  if (c === OPEN_ARRAY) {
    out[at++] = OPEN_ARRAY
    for (let i = from + 1; i < to - 1; ) {
      const itemEnd = valueEnd(source, i)
      at = writeCanonical(source, i, itemEnd, out, at, signature)
      if (at < 0) return -1
      out[at++] = source[itemEnd]! // a comma, or the closing bracket
      i = itemEnd + 1
    }
    if (to - from === 2) out[at++] = CLOSE_ARRAY
    return at
  }
  const base = memberTop
  let sorted = true
  for (let i = from + 1; i < to - 1; ) {
    const keyEnd = stringEnd(source, i)
    const valueTo = valueEnd(source, keyEnd + 1)
    const order = pushMember(source, base, i, keyEnd, valueTo)
    if (order < 0) return -1
    if (order > 0) sorted = false
    i = valueTo + 1
  }
  // The top object's front signature, expanded after the text.
  if (from === 0 && signatureMember) {
    const keyEnd = signature + SIGNATURE_MEMBER.length - 2
    const order = pushMember(source, base, signature, keyEnd, stringEnd(source, keyEnd + 1))
    if (order < 0) return -1
    if (order > 0) sorted = false
  }
  if (!sorted && sortMembers(source, base, memberTop) < 0) return -1
  out[at++] = OPEN_OBJECT
  for (let m = base; m < memberTop; m += 3) {
    if (m > base) out[at++] = COMMA
    const keyStart = members[m]!
    const keyEnd = members[m + 1]!
    const valueTo = members[m + 2]!
    const first = source[keyEnd + 1]
    // A scalar member is copied whole, key to value; an object or array is written in its
    // order. (A byte at a time: for a few dozen bytes, cheaper than a call of Buffer's copy.)
    if (first !== OPEN_OBJECT && first !== OPEN_ARRAY) {
      for (let i = keyStart; i < valueTo; i++) out[at++] = source[i]!
      continue
    }
    for (let i = keyStart; i <= keyEnd; i++) out[at++] = source[i]!
    at = writeCanonical(source, keyEnd + 1, valueTo, out, at, signature)
    if (at < 0) return -1
  }
  out[at++] = CLOSE_OBJECT
  memberTop = base
  return at
}

/**
 * Puts a member of the object whose members start at `base` on {@link members}. Returns 1
 * when its key sorts before the one pushed before it, 0 when after, −1 when the bytes cannot
 * tell (an escape, the same key) or the stack is full: the caller takes the other path.
 */
function pushMember(
  source: Uint8Array,
  base: number,
  keyStart: number,
  keyEnd: number,
  valueTo: number,
): number {
  if (memberTop + 3 > members.length) return -1
  let order = 0
  if (memberTop > base) {
    const previous = compareQuotedKeys(
      source,
      members[memberTop - 3]!,
      members[memberTop - 2]!,
      keyStart,
      keyEnd,
    )
    if (previous === 0) return -1
    order = previous > 0 ? 1 : 0
  }
  members[memberTop++] = keyStart
  members[memberTop++] = keyEnd
  members[memberTop++] = valueTo
  return order
}

/**
 * Orders the members `[from, to)` of {@link members} by key (insertion sort: an object's
 * members are few and mostly in order). Returns −1 when two keys are the same or one has an
 * escape (its bytes are not what it stands for).
 */
function sortMembers(source: Uint8Array, from: number, to: number): number {
  for (let m = from + 3; m < to; m += 3) {
    const keyStart = members[m]!
    const keyEnd = members[m + 1]!
    const valueTo = members[m + 2]!
    let n = m
    for (; n > from; n -= 3) {
      const order = compareQuotedKeys(source, members[n - 3]!, members[n - 2]!, keyStart, keyEnd)
      if (order === 0) return -1
      if (order < 0) break
      members[n] = members[n - 3]!
      members[n + 1] = members[n - 2]!
      members[n + 2] = members[n - 1]!
    }
    members[n] = keyStart
    members[n + 1] = keyEnd
    members[n + 2] = valueTo
  }
  return 0
}

/** Where the JSON value at `source[from]` ends (one past it). */
function valueEnd(source: Uint8Array, from: number): number {
  const c = source[from]!
  if (c !== OPEN_OBJECT && c !== OPEN_ARRAY) return scalarEnd(source, from)
  let depth = 0
  for (let i = from; ; ) {
    const d = source[i]!
    if (d === QUOTE) {
      i = stringEnd(source, i)
      continue
    }
    if (d === OPEN_OBJECT || d === OPEN_ARRAY) depth++
    else if ((d === CLOSE_OBJECT || d === CLOSE_ARRAY) && --depth === 0) return i + 1
    i++
  }
}

/** Where the string, number, `true`, `false` or `null` at `source[from]` ends (one past it). */
function scalarEnd(source: Uint8Array, from: number): number {
  if (source[from] === QUOTE) return stringEnd(source, from)
  let i = from + 1
  for (;;) {
    const d = source[i]
    if (d === COMMA || d === CLOSE_OBJECT || d === CLOSE_ARRAY || d === undefined) return i
    i++
  }
}

/** One past the quote that closes the string opening at `source[from]`. */
function stringEnd(source: Uint8Array, from: number): number {
  for (let i = from + 1; ; i++) {
    const d = source[i]!
    if (d === QUOTE) return i + 1
    if (d === BACKSLASH) i++
  }
}
