/**
 * How entries are ordered: their rank in their bounded pool and an oracle's place in the
 * ranking by score. Pure functions of an entry, shared by admission, the mempool and paging.
 */
import type { Rank } from './bounded-pool.ts'
import type { OracleEntry } from './entries.ts'
import { scoreOf } from './entries.ts'
import { isExactOrder, orderOfBigint, orderOfBigintAndText, orderOfText } from './orders.ts'

/** Rank of an oracle in the oracle pool: verified bid, then identity strength. */
export function oracleRank(oracle: { bid: bigint; strength: bigint; key: string }): Rank {
  return { tier: oracle.bid, work: oracle.strength, id: oracle.key }
}

/** Rank of a capability or offer: its own work. */
export function workRank(entry: { work: bigint }, id: string): Rank {
  return { tier: 0n, work: entry.work, id }
}

/**
 * Rank of a report in its oracle's report pool: the reports that count against the oracle
 * first, then work. Otherwise a cheater could file reports about itself that no policy counts,
 * each with a little more work, until the pool's limit evicts the verified ones (docs/sybil.md).
 * Disputed reports come next: a dispute clears every report on its commitment, so evicting it
 * by a flood of reports that never count would bring the others' penalty back.
 */
export function reportRank(report: { work: bigint; counts: boolean; dispute?: unknown }, id: string): Rank {
  return { tier: report.counts ? 2n : report.dispute ? 1n : 0n, work: report.work, id }
}

/** An oracle's key in the ranking by score, highest score first: `[-score, key]`. */
export type ScoreKey = [bigint, string]

/** The one score key of an oracle (listings and their cursors use the same). */
export function scoreKey(oracle: OracleEntry): ScoreKey {
  return [-scoreOf(oracle), oracle.key]
}

export function compareScoreKeys(a: ScoreKey, b: ScoreKey): number {
  if (a[0] !== b[0]) return a[0] < b[0] ? -1 : 1
  return a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0
}

/**
 * A score key as the ranking files it: fields in place (where a tuple keeps them in a second
 * array) with small integers ordering like its score and its key (orders.ts), which the ranking
 * compares before the bigint and the text. A held oracle is its own filed key
 * ({@link OracleEntry.fileScore}), so the ranking keeps no object per oracle; a key made by
 * {@link fileScoreKey} only seeks.
 */
export interface FiledScoreKey {
  readonly scoreOrder: number
  readonly keyOrder: number
  readonly negatedScore: bigint
  readonly key: string
}

export function fileScoreKey(key: ScoreKey): FiledScoreKey {
  return {
    scoreOrder: orderOfBigint(key[0]),
    keyOrder: orderOfText(key[1]),
    negatedScore: key[0],
    key: key[1],
  }
}

/** {@link compareScoreKeys} of filed keys, on their orders first (the exact values on a tie). */
export function compareFiledScoreKeys(a: FiledScoreKey, b: FiledScoreKey): number {
  if (a.scoreOrder !== b.scoreOrder) return a.scoreOrder - b.scoreOrder
  if (!isExactOrder(a.scoreOrder) && a.negatedScore !== b.negatedScore)
    return a.negatedScore < b.negatedScore ? -1 : 1
  if (a.keyOrder !== b.keyOrder) return a.keyOrder - b.keyOrder
  return a.key < b.key ? -1 : a.key > b.key ? 1 : 0
}

/** A filed score key as one number ordering like it (orders.ts), for the ordered set's searches. */
export function orderOfFiledScoreKey(key: FiledScoreKey): number {
  return orderOfBigintAndText(key.scoreOrder, key.keyOrder)
}
