/**
 * Byte reading and writing for the sync wire formats: unsigned LEB128 varints of at most 32
 * bits (minimally encoded), fixed-size byte fields, and a growable output buffer. Every read
 * is bounds-checked and throws a {@link SyncError}; nothing here allocates more than the input.
 */
import { SyncError, SyncErrorCode } from './errors.ts'

const textEncoder = new TextEncoder()

/** Largest value a varint may carry. */
export const MAX_VARINT = 0xffff_ffff

/** Bytes of the varint encoding of `value` (0 ≤ value ≤ 2^32 − 1). */
export function varintLength(value: number): number {
  let length = 1
  while (value >= 0x80) {
    value = Math.floor(value / 128)
    length++
  }
  return length
}

/** A growable byte buffer, written front to back. */
export class Writer {
  #buffer: Uint8Array
  #length = 0

  constructor(capacity = 256) {
    this.#buffer = new Uint8Array(capacity)
  }

  /** Bytes written so far. */
  get length(): number {
    return this.#length
  }

  #reserve(bytes: number): void {
    const needed = this.#length + bytes
    if (needed <= this.#buffer.length) return
    let capacity = this.#buffer.length * 2
    while (capacity < needed) capacity *= 2
    const grown = new Uint8Array(capacity)
    grown.set(this.#buffer.subarray(0, this.#length))
    this.#buffer = grown
  }

  byte(value: number): this {
    this.#reserve(1)
    this.#buffer[this.#length++] = value
    return this
  }

  /** Writes an unsigned varint (LEB128, 7 bits per byte, low bits first). */
  varint(value: number): this {
    if (!Number.isInteger(value) || value < 0 || value > MAX_VARINT) {
      throw new RangeError(`varint out of range: ${value}`)
    }
    this.#reserve(5)
    while (value >= 0x80) {
      this.#buffer[this.#length++] = (value & 0x7f) | 0x80
      value = Math.floor(value / 128)
    }
    this.#buffer[this.#length++] = value
    return this
  }

  bytes(bytes: Uint8Array): this {
    this.#reserve(bytes.length)
    this.#buffer.set(bytes, this.#length)
    this.#length += bytes.length
    return this
  }

  /**
   * Writes `text` as varint(UTF-8 length) ‖ UTF-8 bytes, encoding straight into the buffer.
   * Returns the bytes written.
   */
  utf8(text: string): number {
    // Encode after room for the longest prefix this text can need, then close the gap.
    const maxBytes = text.length * 3
    const prefixRoom = varintLength(maxBytes)
    // (5 more: writing the prefix must not grow, and so move, the buffer under the text)
    this.#reserve(5 + maxBytes)
    const start = this.#length
    const { written } = textEncoder.encodeInto(text, this.#buffer.subarray(start + prefixRoom))
    const prefix = varintLength(written)
    if (prefix < prefixRoom) {
      this.#buffer.copyWithin(start + prefix, start + prefixRoom, start + prefixRoom + written)
    }
    this.varint(written)
    this.#length = start + prefix + written
    return prefix + written
  }

  /** Starts over, keeping the buffer (and the room it grew to) for what is written next. */
  reset(): this {
    this.#length = 0
    return this
  }

  /** Drops everything after the first `length` bytes. */
  truncate(length: number): void {
    if (length < this.#length) this.#length = length
  }

  /** The bytes written (a view: copy it before writing more if you keep it). */
  view(): Uint8Array {
    return this.#buffer.subarray(0, this.#length)
  }

  /** A copy of the bytes written. */
  finish(): Uint8Array {
    return this.#buffer.slice(0, this.#length)
  }
}

/** A bounds-checked reader over one message. */
export class Reader {
  readonly #bytes: Uint8Array
  #offset = 0

  constructor(bytes: Uint8Array) {
    this.#bytes = bytes
  }

  get offset(): number {
    return this.#offset
  }

  /** Bytes left to read. */
  get remaining(): number {
    return this.#bytes.length - this.#offset
  }

  get done(): boolean {
    return this.#offset >= this.#bytes.length
  }

  byte(): number {
    if (this.#offset >= this.#bytes.length) throw truncated()
    return this.#bytes[this.#offset++]!
  }

  /** Reads an unsigned varint of at most 5 bytes and 32 bits, minimally encoded. */
  varint(): number {
    let value = 0
    let scale = 1
    for (let i = 0; i < 5; i++) {
      const byte = this.byte()
      value += (byte & 0x7f) * scale
      if ((byte & 0x80) === 0) {
        if (byte === 0 && i > 0)
          throw new SyncError(SyncErrorCode.BAD_VARINT, 'varint is not minimally encoded')
        if (value > MAX_VARINT) throw new SyncError(SyncErrorCode.BAD_VARINT, 'varint above 2^32 - 1')
        return value
      }
      scale *= 128
    }
    throw new SyncError(SyncErrorCode.BAD_VARINT, 'varint longer than 5 bytes')
  }

  /** A view of the next `length` bytes (no copy). */
  bytes(length: number): Uint8Array {
    if (length > this.remaining) throw truncated()
    const view = this.#bytes.subarray(this.#offset, this.#offset + length)
    this.#offset += length
    return view
  }

  /** Throws unless every byte was read. */
  end(): void {
    if (!this.done) throw new SyncError(SyncErrorCode.TRAILING_BYTES, `${this.remaining} bytes after the end`)
  }
}

function truncated(): SyncError {
  return new SyncError(SyncErrorCode.TRUNCATED, 'message ends in the middle of a field')
}
