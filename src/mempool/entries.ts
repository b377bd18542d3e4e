/**
 * What the mempool stores: each message with the facts admission established about it
 * (id, size, work, verdict), so queries and eviction never re-verify anything.
 */
import type {
  Dispute,
  EvidenceVerdict,
  Offer,
  OracleCapability,
  OracleId,
  Report,
} from '../protocol/index.ts'
import type { BoundedPool } from './bounded-pool.ts'

interface EntryBase<M> {
  /** Message id (hex SHA-256 of its canonical bytes without proofs). */
  id: string
  message: M
  /** Size counted against the byte budget. */
  bytes: number
  /** PoW bits claimed (and verified). */
  bits: number
  /** 2^bits. */
  work: bigint
  /** Unix seconds when this node took it. */
  receivedAt: number
  /**
   * log2 of work per byte when the mempool filed the entry for its byte budget: the entry is
   * its own key there, so it is filed without a key object.
   */
  density: number
}

export interface OracleEntry extends EntryBase<OracleId> {
  kind: 'oracle'
  key: string
  /** Verified bid amount (0 without a bid verifier). */
  bid: bigint
  capabilities: BoundedPool<CapabilityEntry>
  reports: BoundedPool<ReportEntry>
  /** work(ad) + Σ work(capabilities), kept up to date incrementally. */
  strength: bigint
  /** Σ work(reports that count), kept up to date incrementally. */
  penalty: bigint
  /**
   * Its fact-missing reports by commitment key (see {@link ReportEntry.commitment}); made on
   * the first such report, since most oracles never get one.
   */
  commitments?: Map<string, Set<ReportEntry>>
}

export interface CapabilityEntry extends EntryBase<OracleCapability> {
  kind: 'capability'
  key: string
  oracle: string
}

export interface ReportEntry extends EntryBase<Report> {
  kind: 'report'
  oracle: string
  verdict: EvidenceVerdict
  /** The oracle's answer to a fact-missing report; once set, the report stops counting. */
  dispute?: Dispute
  /** Whether the report counts against the oracle's score under the node's policy. */
  counts: boolean
  /**
   * For a fact-missing report: the id of the commitment it accuses (docs/protocol.md §8). The
   * reports on one commitment make one penalty, and one dispute clears them all.
   */
  commitment?: string
}

export interface OfferEntry extends EntryBase<Offer> {
  kind: 'offer'
  /** Offer key: the same through all stages. */
  key: string
  capability: string
}

export type Entry = OracleEntry | CapabilityEntry | ReportEntry | OfferEntry

/** An oracle's score: strength minus the work of the reports that count. */
export function scoreOf(oracle: OracleEntry): bigint {
  return oracle.strength - oracle.penalty
}

/**
 * An entry as admission (or a snapshot) hands it to the mempool: what is known of the message.
 * The mempool derives the rest: density for the byte budget; for an oracle its pools, strength,
 * penalty and commitments (kept from the held entry when the ad replaces one).
 */
export type EntryInput =
  | Omit<OracleEntry, 'density' | 'capabilities' | 'reports' | 'strength' | 'penalty' | 'commitments'>
  | Omit<CapabilityEntry, 'density'>
  | Omit<ReportEntry, 'density'>
  | Omit<OfferEntry, 'density'>

/** Key of an entry in the store and in `Changes` (a report's is its id). */
export function entryKey(entry: Entry | EntryInput): string {
  return entry.kind === 'report' ? entry.id : entry.key
}
