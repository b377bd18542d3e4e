/**
 * The mempool's state as plain records, for persistence: every entry with what admission
 * established about it, and every pool's rolling floor. Restoring a snapshot rebuilds exactly
 * the same pools, ranks, scores and floors without re-verifying signatures (the node trusts
 * its own database; PoW and schema are re-checked cheaply on load by the store if it wishes).
 */
import type { Dispute, Message } from '../protocol/messages/index.ts'
import { workOf } from '../protocol/pow.ts'
import type { EvidenceVerdict } from '../protocol/verify-report.ts'
import { BoundedPool } from './bounded-pool.ts'
import { commitmentOf } from './commitments.ts'
import type { CapabilityEntry, Entry, OfferEntry, OracleEntry, ReportEntry } from './entries.ts'
import { type Changes, entryKey, type Mempool, oracleRank, reportRank, workRank } from './mempool.ts'
import type { FloorState } from './rolling-floor.ts'

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

/** Floors by pool name: `oracles`, `offers`, `capabilities:<oracle>`, `reports:<oracle>`, `offers:<capability>`. */
export type FloorRecords = Record<string, FloorState>

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
  const floors: FloorRecords = { oracles: pool.oracles.floor.state(), offers: pool.offers.floor.state() }
  for (const [, oracle] of pool.oracles.strongestFirst()) {
    floors[`capabilities:${oracle.key}`] = oracle.capabilities.floor.state()
    floors[`reports:${oracle.key}`] = oracle.reports.floor.state()
  }
  for (const [capability, offers] of pool.offersByCapability)
    floors[`offers:${capability}`] = offers.floor.state()
  return floors
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
  const changes: Changes = { put: [], removed: [] }
  const byKind: Record<Entry['kind'], EntryRecord[]> = { oracle: [], capability: [], report: [], offer: [] }
  for (const record of records) byKind[record.kind].push(record)
  const now = pool.now()
  const floorOf = (name: string) => floors[name]
  restoreFloor(pool.oracles, floorOf('oracles'))
  restoreFloor(pool.offers, floorOf('offers'))

  for (const record of byKind.oracle) {
    const work = workOf(record.bits)
    const entry: OracleEntry = {
      ...common(record),
      kind: 'oracle',
      key: record.key,
      // A bid verified under an earlier configuration counts only while a verifier is configured.
      bid: pool.bidVerifier ? BigInt(record.bid ?? '0') : 0n,
      capabilities: new BoundedPool(
        pool.poolInit(pool.options.maxCapabilitiesPerOracle),
        floorOf(`capabilities:${record.key}`),
      ),
      reports: new BoundedPool(
        pool.poolInit(pool.options.maxReportsPerOracle),
        floorOf(`reports:${record.key}`),
      ),
      strength: work,
      penalty: 0n,
    } as OracleEntry
    pool.byScore.set([-entry.strength, entry.key], entry)
    pool.track(entry)
    // Limits may have shrunk since the snapshot: what no longer fits is evicted like at admission.
    pool.removeEvicted(pool.oracles.set(oracleRank(entry), entry, now), changes)
  }
  for (const record of byKind.capability) {
    const entry = { ...common(record), kind: 'capability', key: record.key } as CapabilityEntry
    entry.oracle = (entry.message as CapabilityEntry['message']).oracle
    const oracle = pool.oracles.get(entry.oracle)
    if (!oracle) {
      changes.removed.push({ kind: 'capability', key: record.key })
      continue
    }
    pool.capabilities.set(entry.key, entry)
    pool.track(entry)
    pool.reindexOracle(oracle, now, () => {
      oracle.strength += entry.work
    })
    pool.removeEvicted(oracle.capabilities.set(workRank(entry, entry.key), entry, now), changes)
  }
  for (const record of byKind.report) {
    const entry = {
      ...common(record),
      kind: 'report',
      verdict: record.verdict ?? 'subjective',
      counts: record.counts ?? false,
      ...(record.dispute && { dispute: record.dispute }),
    } as ReportEntry
    entry.oracle = (entry.message as ReportEntry['message']).oracle
    const oracle = pool.oracles.get(entry.oracle)
    if (!oracle) {
      changes.removed.push({ kind: 'report', key: record.key })
      continue
    }
    const commitment = commitmentOf(entry.message)
    if (commitment !== undefined) {
      entry.commitment = commitment
      oracle.commitments ??= new Map()
      const reports = oracle.commitments.get(commitment) ?? new Set()
      oracle.commitments.set(commitment, reports.add(entry))
    }
    pool.reports.set(entry.id, entry)
    pool.track(entry)
    if (entry.counts) {
      pool.reindexOracle(oracle, now, () => {
        oracle.penalty += entry.work
      })
    }
    pool.removeEvicted(oracle.reports.set(reportRank(entry, entry.id), entry, now), changes)
  }
  // Which report on a commitment counts follows from those held, whatever the records say.
  for (const [, oracle] of pool.oracles.strongestFirst())
    for (const key of [...(oracle.commitments?.keys() ?? [])])
      pool.recountCommitment(oracle, key, now, { put: [], removed: [] })
  for (const record of byKind.offer) {
    const entry = { ...common(record), kind: 'offer', key: record.key } as OfferEntry
    entry.capability = (entry.message as OfferEntry['message']).terms.question.capability
    if (!pool.capabilities.has(entry.capability)) {
      changes.removed.push({ kind: 'offer', key: record.key })
      continue
    }
    const perCapability = offerPoolOf(pool, entry.capability, floorOf(`offers:${entry.capability}`))
    pool.track(entry)
    pool.removeEvicted(
      [
        ...pool.offers.set(workRank(entry, entry.key), entry, now),
        ...perCapability.set(workRank(entry, entry.key), entry, now),
      ],
      changes,
    )
  }
  // Offers that expired while the node was down go, as they would have had it run.
  pool.purgeExpired(now, changes)
  // A capability's offer pool emptied by evictions still has its raised floor.
  for (const [name, state] of Object.entries(floors)) {
    const capability = name.startsWith('offers:') ? name.slice('offers:'.length) : undefined
    if (capability && pool.capabilities.has(capability)) offerPoolOf(pool, capability, state)
  }
  pool.enforceByteBudget(undefined, now, changes)
  return changes
}

function offerPoolOf(
  pool: Mempool,
  capability: string,
  floor: FloorState | undefined,
): BoundedPool<OfferEntry> {
  let offers = pool.offersByCapability.get(capability)
  if (!offers) {
    offers = new BoundedPool(pool.poolInit(pool.options.maxOffersPerCapability), floor)
    pool.offersByCapability.set(capability, offers)
  }
  return offers
}

function common(record: EntryRecord) {
  return {
    id: record.id,
    message: record.message,
    bytes: record.bytes,
    bits: record.bits,
    work: workOf(record.bits),
    receivedAt: record.receivedAt,
    density: 0,
  }
}

function restoreFloor(
  pool: { floor: { restore(state: FloorState): void } },
  state: FloorState | undefined,
): void {
  if (state) pool.floor.restore(state)
}
