/**
 * Codes of the fact pool and the relay, in the node's namespace (the catalogue's `api` area:
 * clients of a node see them next to the protocol's and the mempool's).
 */
import { RelayRefusalCode } from '../client/index.ts'
import { CodedError } from '../protocol/index.ts'

export const FactErrorCode = {
  /** The relay's refusals a client routes around (src/client/relay-codes.ts). */
  ...RelayRefusalCode,
  /** The capability ad the node holds is switched off: no new commitment is asked for (as the oracle would answer). */
  CAPABILITY_OFF: 'CAPABILITY_OFF',
  /** Every record the fact pool could evict is pinned as evidence of a conflict. */
  FACT_POOL_FULL: 'FACT_POOL_FULL',
} as const
export type FactErrorCode = (typeof FactErrorCode)[keyof typeof FactErrorCode]

/** Thrown by the relay; `details.retryAfter` (seconds) for `RELAY_BUSY`. */
export class FactError extends CodedError<FactErrorCode> {
  static override name = 'FactError'
  override readonly name = 'FactError'
}
