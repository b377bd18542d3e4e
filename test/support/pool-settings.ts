/**
 * The mempool settings the fixtures are made for: minimum bits at the 8 the fixtures mine, and a
 * fixed clock. Apart from test/support/api.ts so that a test of the pool alone does not load the
 * API (fastify, libp2p and the rest of the node).
 */
export const NOW = 1_850_000_000
export const LOW = { oracle: 8, capability: 8, report: 8, offer: 8 }
