/**
 * The mempool's state as plain records, for persistence: every entry with what admission
 * established about it, and every pool's rolling floor. Restoring a snapshot puts each record
 * back through the mempool's one `insert`, so the same pools, ranks, scores and floors come
 * back without re-verifying signatures (the node trusts its own database).
 */
import { type Dispute, type EvidenceVerdict, type Message, workOf } from '../protocol/index.ts'
import { commitmentOf } from './commitments.ts'
import type { CapabilityEntry, Entry, EntryInput, OfferEntry, OracleEntry, ReportEntry } from './entries.ts'
import { entryKey } from './entries.ts'
import type { Changes, Mempool } from './mempool.ts'
import type { FloorRecords } from './rolling-floor.ts'

export type { FloorRecords } from './rolling-floor.ts'

/** One stored entry. `message` is the message as admitted. */
export interface EntryRecord {
  kind: Entry['kind']
  key: string
  id: string
  message: Message
  bytes: number
  bits: number
  receivedAt: number
  /** Oracles: verified bid amount (decimal string: bigint-safe). */
  bid?: string
  /** Reports: evidence verdict, dispute, and whether it counts. */
  verdict?: EvidenceVerdict
  dispute?: Dispute
  counts?: boolean
}

/** The record of an entry. */
export function toRecord(entry: Entry): EntryRecord {
  const base = {
    kind: entry.kind,
    key: entryKey(entry),
    id: entry.id,
    message: entry.message,
    bytes: entry.bytes,
    bits: entry.bits,
    receivedAt: entry.receivedAt,
  }
  switch (entry.kind) {
    case 'oracle':
      return { ...base, bid: entry.bid.toString() }
    case 'report':
      return {
        ...base,
        verdict: entry.verdict,
        counts: entry.counts,
        ...(entry.dispute && { dispute: entry.dispute }),
      }
    default:
      return base
  }
}

/** Every pool's floor, to persist with the entries. */
export function floorRecords(pool: Mempool): FloorRecords {
  return pool.floors()
}

/**
 * The entry a record holds, as the mempool's `insert` takes it. `verified` says whether bids
 * count: a bid verified under an earlier configuration counts only while a verifier is configured.
 */
function fromRecord(record: EntryRecord, verified: boolean): EntryInput {
  const common = {
    id: record.id,
    bytes: record.bytes,
    bits: record.bits,
    work: workOf(record.bits),
    receivedAt: record.receivedAt,
  }
  switch (record.kind) {
    case 'oracle':
      return {
        ...common,
        kind: 'oracle',
        key: record.key,
        message: record.message as OracleEntry['message'],
        bid: verified ? BigInt(record.bid ?? '0') : 0n,
      }
    case 'capability': {
      const message = record.message as CapabilityEntry['message']
      return { ...common, kind: 'capability', key: record.key, oracle: message.oracle, message }
    }
    case 'report': {
      const message = record.message as ReportEntry['message']
      const commitment = commitmentOf(message)
      return {
        ...common,
        kind: 'report',
        oracle: message.oracle,
        message,
        verdict: record.verdict ?? 'subjective',
        counts: record.counts ?? false,
        ...(record.dispute && { dispute: record.dispute }),
        ...(commitment !== undefined && { commitment }),
      }
    }
    case 'offer': {
      const message = record.message as OfferEntry['message']
      return {
        ...common,
        kind: 'offer',
        key: record.key,
        capability: message.terms.question.capability,
        message,
      }
    }
  }
}

/**
 * Rebuilds a mempool's contents from records and floors (into an empty mempool). Records of
 * dependants whose parent is missing are skipped and reported in the returned changes, so
 * the store can delete them.
 */
export function restoreSnapshot(
  pool: Mempool,
  records: Iterable<EntryRecord>,
  floors: FloorRecords,
): Changes {
  const verified = pool.bidVerifier !== undefined
  return pool.restore(
    (function* () {
      for (const record of records) yield fromRecord(record, verified)
    })(),
    floors,
  )
}
