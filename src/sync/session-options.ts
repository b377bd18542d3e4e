/**
 * Options of a sync session, both sides. Plain data; every field has a default, and the
 * comment says where the number comes from.
 */
import { LIMITS } from '../protocol/index.ts'
import { defaultReconcileOptions, type ReconcileOptions } from './reconcile.ts'

/** How the initiator learns what it lacks. */
export type SyncMethod = 'range' | 'inventory'

export interface SessionOptions {
  /** Range-based reconciliation, or the naive inventory of every id (baseline). @default 'range' */
  method: SyncMethod
  reconcile: ReconcileOptions
  /** Fetch what the peer holds and we lack; false only finds the difference (diagnostics, benchmarks). @default true */
  fetch: boolean
  /** Items per inventory page (naive method). @default 8192 (≈ 280 KB, like a reconcile frame) */
  inventoryPageSize: number
  /**
   * Reconcile rounds or inventory pages per session, either side. A fresh sync of n items
   * takes about n · 35 bytes / frameSizeLimit rounds (14 for 100k at 256 KiB).
   * @default 256
   */
  maxRounds: number
  /**
   * Items fetched per session at most; the initiator stops reconciling once it needs this
   * many, and the responder serves no more. The next session continues.
   * @default 262_144 (≈ a full default mempool: 256 MiB of ~1 KB messages)
   */
  maxItems: number
  /** Ids per fetch request. @default 256 */
  fetchPageSize: number
  /** Fetch requests in flight: the responder prepares the next pages while we admit. @default 4 */
  fetchWindow: number
  /**
   * Received pages handed to `SyncSource.prepare` (signature threads) before the oldest is
   * admitted: the threads check this many pages while the main thread admits. Bounds memory
   * with `fetchWindow`: at most `fetchWindow + prepareAhead + 1` pages held. @default 2
   */
  prepareAhead: number
  /** Byte budget of one fetch reply (the responder's side). @default 1 MiB */
  fetchReplyBytes: number
  /** Largest message accepted in a fetch reply. @default LIMITS.messageBytes (64 KiB) */
  maxMessageBytes: number
  /** Longest wait for the peer's next frame, ms. @default 30_000 */
  readTimeoutMs: number
}

export const defaultSessionOptions: SessionOptions = {
  method: 'range',
  reconcile: defaultReconcileOptions,
  fetch: true,
  inventoryPageSize: 8192,
  maxRounds: 256,
  maxItems: 262_144,
  fetchPageSize: 256,
  fetchWindow: 4,
  prepareAhead: 2,
  fetchReplyBytes: 1024 * 1024,
  maxMessageBytes: LIMITS.messageBytes,
  readTimeoutMs: 30_000,
}

/** Options with defaults filled in (one level deep for `reconcile`). */
export function sessionOptions(
  options: Partial<Omit<SessionOptions, 'reconcile'>> & { reconcile?: Partial<ReconcileOptions> } = {},
): SessionOptions {
  return {
    ...defaultSessionOptions,
    ...options,
    reconcile: { ...defaultReconcileOptions, ...options.reconcile },
  }
}

/** Input of {@link sessionOptions}: any subset. */
export type SessionInit = Parameters<typeof sessionOptions>[0]
