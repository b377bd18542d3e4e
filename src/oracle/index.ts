/**
 * The oracle toolkit: identity and capability keys, fact sources, the endpoint that signs
 * commitments and facts, advertising to nodes, the manifest, disputes and status.
 *
 * @packageDocumentation
 */
export { advertiseLoop, advertiseRound, type NodeAnnouncement, type PostOutcome } from './advertise.ts'
export { AnswerJournal } from './answer-journal.ts'
export { addCapability, dropCapability, servedCapabilities, switchCapability } from './capabilities.ts'
export {
  type DisputeOutcome,
  disputeAll,
  disputeReport,
  listMissingReports,
  watchDisputes,
} from './disputes.ts'
export { buildEndpoint, type PaymentCheck } from './endpoint.ts'
export { OracleError } from './errors.ts'
export { initOracle, mineIdentity } from './identity.ts'
export { writeManifest } from './manifest.ts'
export { commandPaymentCheck } from './payment.ts'
export { type FactSourceConfig, runCommand } from './sources.ts'
export {
  DEFAULT_ORACLE_DIR,
  loadState,
  minedAd,
  ORACLE_DIR_ENV,
  type OracleState,
  oracleFiles,
} from './state.ts'
export { type OracleStatus, oracleStatus } from './status.ts'
