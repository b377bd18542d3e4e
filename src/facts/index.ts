/**
 * Commitments and facts held by a node: the fact pool (conflicts kept as evidence), the relay
 * to oracle endpoints, their persistence and their sync. No HTTP of its own.
 *
 * @packageDocumentation
 */
export { FactsConfig, RelayConfig } from './config.ts'
export { FactError, FactErrorCode } from './errors.ts'
export { type FactAdmission, type FactConflict, FactPool } from './fact-pool.ts'
export { FactStore } from './fact-store.ts'
export { Relay } from './relay.ts'
export { reportedIn } from './reported.ts'
export { FACT_SYNC_PROTOCOL, FactSyncSource } from './sync-source.ts'
