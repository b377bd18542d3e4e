/**
 * The bounded pools of the node: admission (schema, signatures, rules, PoW floor), eviction of
 * the least work, scores, the queries and their views. No sockets, no disk.
 *
 * @packageDocumentation
 */
export type { Admission } from './admission.ts'
export { MAX_CURSOR_LENGTH } from './cursor.ts'
export type { Entry } from './entries.ts'
export type { AdmissionEvents, Origin } from './events.ts'
export { type BidVerifier, bidKey, type Changes, Mempool } from './mempool.ts'
export { defaultMempoolOptions, type MempoolOptions } from './options.ts'
export { AdmissionPipeline, admitValue, type Submit, validatePoolMessage } from './pipeline.ts'
export type { PoolMessage } from './pool-view.ts'
export {
  defaultQueryLimits,
  getOracle,
  listCapabilities,
  listOffers,
  listOracles,
  listReports,
  poolStats,
  type QueryLimits,
} from './queries.ts'
export type { FloorState } from './rolling-floor.ts'
export { type EntryRecord, type FloorRecords, restoreSnapshot, toRecord } from './snapshot.ts'
export { type VerifiedKey, verifiedKey } from './verified-ids.ts'
export {
  CapabilityView,
  OfferStage,
  OfferView,
  OracleDetail,
  OracleSummary,
  PageOf,
  PoolStats,
  type ReportSummary,
  ReportView,
} from './view-schemas.ts'
