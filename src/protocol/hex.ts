/**
 * Lowercase hex, the only text encoding of bytes in the protocol (keys, ids, signatures, hashes).
 */
import { ErrorCode, ProtocolError } from './errors.ts'

const HEX_DIGITS = '0123456789abcdef'
const BYTE_TO_HEX: string[] = Array.from({ length: 256 }, (_, i) => HEX_DIGITS[i >> 4]! + HEX_DIGITS[i & 15]!)
// Each character code's digit value, -1 for anything but '0'-'9' and 'a'-'f'. Decoding checks
// each character as it goes, in one pass: a pattern test first and a loop after cost ≈ 3× as much
// (every signature and key a node receives is decoded).
const DIGIT_VALUE = new Int8Array(128).fill(-1)
for (let i = 0; i < 16; i++) DIGIT_VALUE[HEX_DIGITS.charCodeAt(i)] = i

/** Encodes bytes as lowercase hex. */
export function toHex(bytes: Uint8Array): string {
  let out = ''
  for (let i = 0; i < bytes.length; i++) out += BYTE_TO_HEX[bytes[i]!]
  return out
}

/**
 * Decodes lowercase hex.
 *
 * Throws `BAD_HEX` when `hex` is not an even-length lowercase hex string, and `BAD_LENGTH`
 * when `expectedBytes` is given and the decoded length differs. `what` names the value in the
 * message ("public key", "signature", …).
 */
export function fromHex(hex: string, expectedBytes?: number, what = 'hex value'): Uint8Array {
  if (typeof hex !== 'string' || (hex.length & 1) !== 0) throw badHex(hex, what)
  const out = new Uint8Array(hex.length >> 1)
  for (let i = 0; i < out.length; i++) {
    const high = digitValue(hex.charCodeAt(i * 2))
    const low = digitValue(hex.charCodeAt(i * 2 + 1))
    if ((high | low) < 0) throw badHex(hex, what)
    out[i] = (high << 4) | low
  }
  if (expectedBytes !== undefined && out.length !== expectedBytes) {
    throw new ProtocolError(
      ErrorCode.BAD_LENGTH,
      `${what} must be ${expectedBytes} bytes (${expectedBytes * 2} hex digits), got ${out.length} bytes`,
      { what, expected: expectedBytes, actual: out.length },
    )
  }
  return out
}

function digitValue(code: number): number {
  return code < 128 ? DIGIT_VALUE[code]! : -1
}

function badHex(hex: unknown, what: string): ProtocolError {
  return new ProtocolError(
    ErrorCode.BAD_HEX,
    `${what} must be lowercase hex with an even number of digits (got ${describe(hex)})`,
    { what },
  )
}

/**
 * Decodes `hex`, already checked to be lowercase hex, into `out` at `offset`: for hot paths
 * that validated the string with their own pattern and should not pay for a second check.
 */
export function hexInto(hex: string, out: Uint8Array, offset = 0): void {
  for (let i = 0; i < hex.length >> 1; i++) {
    out[offset + i] = (nibble(hex.charCodeAt(i * 2)) << 4) | nibble(hex.charCodeAt(i * 2 + 1))
  }
}

// '0'-'9' → 0-9, 'a'-'f' → 10-15 (the input was checked to be lowercase hex).
function nibble(code: number): number {
  return code < 97 ? code - 48 : code - 87
}

/** Concatenates byte arrays. */
export function concatBytes(...parts: Uint8Array[]): Uint8Array {
  let length = 0
  for (const part of parts) length += part.length
  const out = new Uint8Array(length)
  let offset = 0
  for (const part of parts) {
    out.set(part, offset)
    offset += part.length
  }
  return out
}

/** Constant-shape byte equality (not timing-safe; use for public data only). */
export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false
  return true
}

const textEncoder = new TextEncoder()

/** UTF-8 encoding of a string. */
export function utf8(text: string): Uint8Array {
  return textEncoder.encode(text)
}

const wireTextDecoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true })

/**
 * The text of a message's bytes as they travel between nodes (gossip, sync). Throws a
 * `TypeError` for bytes that are not UTF-8. A leading byte order mark stays in the text, where
 * `JSON.parse` refuses it: between nodes a message is exactly its canonical bytes
 * (docs/protocol.md §2), and a decoder's default would drop the mark and let bytes that are not
 * `JCS(m)` pass as if they were.
 */
export function wireText(bytes: Uint8Array): string {
  return wireTextDecoder.decode(bytes)
}

// Scratch space for utf8Length: encoding into it allocates nothing.
const scratch = new Uint8Array(64 * 1024)

/** Bytes of the UTF-8 encoding of `text`, without allocating it (for texts up to 64 KiB encoded). */
export function utf8Length(text: string): number {
  const { read, written } = textEncoder.encodeInto(text, scratch)
  return read === text.length ? written : utf8(text).length
}

function describe(value: unknown): string {
  if (typeof value !== 'string') return typeof value
  const shown = value.length > 20 ? `${value.slice(0, 20)}…` : value
  return JSON.stringify(shown)
}
