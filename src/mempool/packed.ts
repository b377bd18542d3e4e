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

// JSON.stringify escapes every control character, so these never occur in the text itself.
/** Starts a hex string kept as bytes: the marker, the byte count, the bytes. */
const HEX = '\u0001'
/** Starts a reference to one of the entry's strings: the marker, the index. */
const REF = '\u0002'

// A quoted string of lowercase hex, 8 to 255 bytes (an even number of digits).
const QUOTED_HEX = /"((?:[0-9a-f]{2}){8,255})"/g
const HEX_STRING = /^(?:[0-9a-f]{2}){1,255}$/

/**
 * The words messages repeat, each one character from U+0003 on (JSON escapes these too): a
 * property name with its quotes and colon, or a quoted string value. Packed forms live in
 * memory only, so the list may change from one release to the next.
 */
const NAMES = [
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
const VALUES = ['ed25519', 'bip340']
const FIRST_WORD = 3
const WORDS = [...NAMES.map((name) => `"${name}":`), ...VALUES.map((value) => `"${value}"`)]
const NAME_CODES = new Map(NAMES.map((name, i) => [name, FIRST_WORD + i]))
const VALUE_CODES = new Map(VALUES.map((value, i) => [value, FIRST_WORD + NAMES.length + i]))
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
  const front = typeof signature === 'string' && HEX_STRING.test(signature)
  const text = JSON.stringify(front ? rest : message)
  // Most messages are ASCII: packed in one buffer, without a string per piece.
  if (Buffer.byteLength(text, 'utf8') === text.length && text.length < SCRATCH_BYTES / 2) {
    let at = 1
    scratch[0] = front ? signature.length / 2 : 0
    if (front) at += scratch.write(signature, at, 'hex')
    return scratch.toString('latin1', 0, packAscii(text, refs, at))
  }
  const body = text.replace(QUOTED_HEX, (_, hex: string) => {
    const at = refs.indexOf(hex)
    if (at >= 0) return REF + String.fromCharCode(at)
    return HEX + String.fromCharCode(hex.length / 2) + Buffer.from(hex, 'hex').toString('latin1')
  })
  if (!front) return `\u0000${body}`
  return String.fromCharCode(signature.length / 2) + Buffer.from(signature, 'hex').toString('latin1') + body
}

// Messages are at most 64 KiB of canonical JSON (LIMITS.messageBytes); a larger text takes the other path.
const SCRATCH_BYTES = 1 << 18
const scratch = Buffer.allocUnsafe(SCRATCH_BYTES)
const IS_HEX_DIGIT = new Uint8Array(128)
for (const digit of '0123456789abcdef') IS_HEX_DIGIT[digit.charCodeAt(0)] = 1
const QUOTE = 0x22
const COLON = 0x3a

/**
 * The same as the `QUOTED_HEX` replacement, for an ASCII text, into `scratch` from `at`;
 * returns where the packed bytes end.
 */
function packAscii(text: string, refs: readonly string[], at: number): number {
  const length = text.length
  let from = 0
  let quote = text.indexOf('"')
  while (quote >= 0) {
    let end = quote + 1
    while (end < length && IS_HEX_DIGIT[text.charCodeAt(end)] === 1) end++
    const digits = end - quote - 1
    const closed = end < length && text.charCodeAt(end) === QUOTE
    if (!closed || digits < 16 || digits > 510 || digits % 2 !== 0) {
      const close = text.indexOf('"', quote + 1)
      const name = close >= 0 && text.charCodeAt(close + 1) === COLON
      const code =
        close >= 0 ? (name ? NAME_CODES : VALUE_CODES).get(text.slice(quote + 1, close)) : undefined
      if (code !== undefined) {
        if (quote > from) at += scratch.write(text.slice(from, quote), at, 'latin1')
        scratch[at++] = code
        from = name ? close + 2 : close + 1
        quote = text.indexOf('"', from)
        continue
      }
      // The closing quote may open the next candidate, as the regular expression would read it.
      quote = closed ? end : text.indexOf('"', end)
      continue
    }
    if (quote > from) at += scratch.write(text.slice(from, quote), at, 'latin1')
    const hex = text.slice(quote + 1, end)
    const ref = refs.indexOf(hex)
    if (ref >= 0) {
      scratch[at++] = REF.charCodeAt(0)
      scratch[at++] = ref
    } else {
      scratch[at++] = HEX.charCodeAt(0)
      scratch[at++] = digits / 2
      at += scratch.write(hex, at, 'hex')
    }
    from = end + 1
    quote = text.indexOf('"', from)
  }
  if (from < length) at += scratch.write(text.slice(from), at, 'latin1')
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
