/** Item ids: 32 bytes, lowercase hex in the API, raw bytes on the wire. */
import { fromHex } from '../protocol/hex.ts'
import { ID_BYTES } from './bound.ts'

/** Decodes a 32-byte hex id; throws a ProtocolError when it is not one. */
export function fromHexId(id: string): Uint8Array {
  return fromHex(id, ID_BYTES, 'item id')
}
