/**
 * Codes of the fact pool and the relay, in the node's namespace (the catalogue's `api` area:
 * clients of a node see them next to the protocol's and the mempool's).
 */
import { CodedError } from '../protocol/errors.ts'

export const FactErrorCode = {
  /** The node holds no capability ad for the request's capability key. */
  CAPABILITY_NOT_HELD: 'CAPABILITY_NOT_HELD',
  /** The capability ad the node holds is switched off: no new commitment is asked for (as the oracle would answer). */
  CAPABILITY_OFF: 'CAPABILITY_OFF',
  /** Every record the fact pool could evict is pinned as evidence of a conflict. */
  FACT_POOL_FULL: 'FACT_POOL_FULL',
  /** The relay does not serve this client's address (`relay.clients`). */
  RELAY_FORBIDDEN: 'RELAY_FORBIDDEN',
  /** Too many relayed requests in flight for this client or this oracle, or this oracle's budget per minute is spent. */
  RELAY_BUSY: 'RELAY_BUSY',
  /** The oracle's endpoint could not be reached, or answered something that does not verify. */
  UPSTREAM_FAILED: 'UPSTREAM_FAILED',
} as const
export type FactErrorCode = (typeof FactErrorCode)[keyof typeof FactErrorCode]

/** Thrown by the relay; `details.retryAfter` (seconds) for `RELAY_BUSY`. */
export class FactError extends CodedError<FactErrorCode> {
  static override name = 'FactError'
  override readonly name = 'FactError'
}
