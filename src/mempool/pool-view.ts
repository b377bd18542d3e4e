/**
 * What admission decisions read of the mempool: its options, clock-dependent rules and pools,
 * read-only. Decisions never change the pools; they return what to insert, and the mempool
 * alone applies it (mempool.ts).
 */
import type { Bid, MessageByKind, Offer, PoolKind } from '../protocol/index.ts'
import type { PoolReader } from './bounded-pool.ts'
import type { CapabilityEntry, OfferEntry, OracleEntry, ReportEntry } from './entries.ts'
import type { MempoolOptions } from './options.ts'
import type { VerifiedIds } from './verified-ids.ts'

/** A message of a kind the pools keep. */
export type PoolMessage = MessageByKind[PoolKind]

export interface PoolView {
  readonly options: MempoolOptions
  readonly oracles: PoolReader<OracleEntry>
  readonly capabilities: ReadonlyMap<string, CapabilityEntry>
  readonly reports: ReadonlyMap<string, ReportEntry>
  readonly offers: PoolReader<OfferEntry>
  /** Each held capability's offers (a pool exists once the capability had an offer). */
  readonly offersByCapability: ReadonlyMap<string, PoolReader<OfferEntry>>
  /**
   * Messages whose signatures a signature thread already checked (sync): a check-once cache,
   * so taking a key out of it is the one thing a decision changes.
   */
  readonly verified: VerifiedIds
  /** Verified bid amount of an oracle ad (0 without a verifier, or not verified yet). */
  bidOf(message: { bid?: Bid | undefined; pubkey: string }): bigint
  /** Whether an offer has expired on this node's clock (past `expires` by more than the skew). */
  isExpired(offer: Offer, now: number): boolean
  /** Whether `key` (hex) belongs to this node's shard. */
  inShard(key: string): boolean
}
