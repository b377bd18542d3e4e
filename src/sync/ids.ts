/** Item ids: 32 bytes, lowercase hex in the API, raw bytes on the wire. */
import { ErrorCode, ProtocolError } from '../protocol/index.ts'
import { ID_BYTES } from './bound.ts'

/** Hex digit values by char code, −1 for anything else (lowercase only, like the protocol). */
const DIGITS = new Int8Array(128).fill(-1)
for (let i = 0; i < 10; i++) DIGITS[48 + i] = i
for (let i = 0; i < 6; i++) DIGITS[97 + i] = 10 + i

/**
 * Decodes a 32-byte id from 64 lowercase hex digits. Throws a ProtocolError (`BAD_HEX`) when it
 * is not one. A loop over char codes: snapshots decode every id of the mempool.
 */
export function fromHexId(id: string): Uint8Array {
  const out = new Uint8Array(ID_BYTES)
  if (typeof id !== 'string' || id.length !== ID_BYTES * 2) throw badId(id)
  for (let i = 0; i < ID_BYTES; i++) {
    const high = DIGITS[id.charCodeAt(2 * i)] ?? -1
    const low = DIGITS[id.charCodeAt(2 * i + 1)] ?? -1
    if (high < 0 || low < 0) throw badId(id)
    out[i] = (high << 4) | low
  }
  return out
}

function badId(id: unknown): ProtocolError {
  const shown = typeof id === 'string' ? JSON.stringify(id.slice(0, 20)) : typeof id
  return new ProtocolError(ErrorCode.BAD_HEX, `item id must be 64 lowercase hex digits (got ${shown})`, {
    what: 'item id',
  })
}
