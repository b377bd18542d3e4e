/**
 * The refusals of a node's relay that say it cannot serve this ask, so a client may try
 * another route: part of the relay's wire answers (docs/api.md), declared here so a client
 * (the CLI's trader, the trader page) knows them without importing the node's fact layer, which
 * raises them (src/facts/errors.ts spreads them into its codes).
 */
export const RelayRefusalCode = {
  /** The node holds no capability ad for the request's capability key. */
  CAPABILITY_NOT_HELD: 'CAPABILITY_NOT_HELD',
  /** The relay does not serve this client's address (`relay.clients`). */
  RELAY_FORBIDDEN: 'RELAY_FORBIDDEN',
  /** Too many relayed requests in flight for this client or this oracle, or this oracle's budget per minute is spent. */
  RELAY_BUSY: 'RELAY_BUSY',
  /** The oracle's endpoint could not be reached, or answered something that does not verify. */
  UPSTREAM_FAILED: 'UPSTREAM_FAILED',
} as const
export type RelayRefusalCode = (typeof RelayRefusalCode)[keyof typeof RelayRefusalCode]
