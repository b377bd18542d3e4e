/** The digest of a fact request every per-request oracle secret is derived from. */
import { backend } from '#crypto'
import { canonicalBytes } from './canonical.ts'
import type { FactRequest } from './messages/index.ts'

/** SHA-256 of the canonical request, invoice included: two invoices never share a nonce. */
export function requestDigest(request: FactRequest): Uint8Array {
  return backend.sha256(canonicalBytes(request))
}
