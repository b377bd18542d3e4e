/**
 * What queries return: plain JSON views of mempool entries (schemas in `view-schemas.ts`). Work is shown twice, as `bits`
 * (log2, for people and for comparing) and as `work` (the exact amount as a decimal string,
 * since JSON has no bigint and sums of powers of two outgrow a double's precision).
 */
import { type Offer, workToBits } from '../protocol/index.ts'
import type { CapabilityEntry, OfferEntry, OracleEntry, ReportEntry } from './entries.ts'
import { scoreOf } from './entries.ts'
import type {
  CapabilityView,
  OfferStage,
  OfferView,
  OracleSummary,
  ReportSummary,
  ReportView,
  WorkView,
} from './view-schemas.ts'

export type * from './view-schemas.ts'

/** A work amount as bits and a decimal string. */
function workView(work: bigint): WorkView {
  return { bits: workToBits(work), work: work.toString() }
}

export function oracleSummary(oracle: OracleEntry): OracleSummary {
  const ad = oracle.message
  return {
    key: oracle.key,
    scheme: ad.scheme,
    id: oracle.id,
    seqNo: ad.seqNo,
    tags: ad.tags,
    ...(ad.manifestUri !== undefined && { manifestUri: ad.manifestUri }),
    bid: oracle.bid.toString(),
    identity: workView(oracle.work),
    strength: workView(oracle.strength),
    score: workView(scoreOf(oracle)),
    capabilityCount: oracle.capabilities.size,
    reportCount: oracle.reports.size,
    receivedAt: oracle.receivedAt,
  }
}

export function capabilityView(capability: CapabilityEntry): CapabilityView {
  return {
    key: capability.key,
    oracle: capability.oracle,
    id: capability.id,
    work: workView(capability.work),
    receivedAt: capability.receivedAt,
    message: capability.message,
  }
}

export function reportSummary(report: ReportEntry): ReportSummary {
  const reporter = report.message.reporter?.pubkey
  return {
    id: report.id,
    oracle: report.oracle,
    type: report.message.content.type,
    work: workView(report.work),
    verdict: report.verdict,
    counts: report.counts,
    disputed: report.dispute !== undefined,
    ...(reporter !== undefined && { reporter }),
    receivedAt: report.receivedAt,
  }
}

export function reportView(report: ReportEntry): ReportView {
  return {
    ...reportSummary(report),
    message: report.message,
    ...(report.dispute && { dispute: report.dispute }),
  }
}

/** The stage an offer's signatures prove. */
export function offerStage(offer: Offer): OfferStage {
  return offer.finalization ? 'finalized' : offer.acceptance ? 'accepted' : 'open'
}

export function offerView(offer: OfferEntry): OfferView {
  return {
    key: offer.key,
    id: offer.id,
    capability: offer.capability,
    stage: offerStage(offer.message),
    work: workView(offer.work),
    receivedAt: offer.receivedAt,
    message: offer.message,
  }
}
