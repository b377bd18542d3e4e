/**
 * The ordering key of our items: message kind first, in dependency order, then PoW bits, most
 * first. Sorting by it makes a fetch admit oracles before the capabilities and reports that
 * hang on them, and stronger entries before weaker ones (so a bounded pool does not admit the
 * weak only to evict them again); carrying the bits makes an entry held with more work on one
 * side a difference to reconcile, so work upgrades travel by sync too.
 *
 * `key = kindRank · 512 + (256 − bits)`, with kind ranks (`KindSpec.syncRank`) oracle 0,
 * capability 1, report 2, dispute 3, offer 4 (disputes carry no PoW: bits 0).
 */
import { KIND_SPECS, MAX_POW_BITS, POOL_KINDS_IN_SYNC_ORDER, type PoolKind } from '../protocol/index.ts'

/** Rank of each kind in fetch (and admission) order. */
export const KIND_RANK: Readonly<Record<PoolKind, number>> = Object.fromEntries(
  POOL_KINDS_IN_SYNC_ORDER.map((kind) => [kind, KIND_SPECS[kind].syncRank]),
) as Record<PoolKind, number>

const KINDS_BY_RANK: readonly PoolKind[] = POOL_KINDS_IN_SYNC_ORDER

/** Keys per kind: room for bits 0 … 256. */
const KIND_SPAN = 512

/** The ordering key of a message of `kind` with `bits` of PoW. */
export function itemKey(kind: PoolKind, bits: number): number {
  if (!Number.isInteger(bits) || bits < 0 || bits > MAX_POW_BITS)
    throw new RangeError(`bits out of range: ${bits}`)
  return KIND_RANK[kind] * KIND_SPAN + (MAX_POW_BITS - bits)
}

/** The kind a key stands for, or undefined for a key no node of ours produces. */
export function kindOfKey(key: number): PoolKind | undefined {
  const offset = key % KIND_SPAN
  if (offset > MAX_POW_BITS) return undefined
  return KINDS_BY_RANK[Math.floor(key / KIND_SPAN)]
}

/** The PoW bits a key stands for. */
export function bitsOfKey(key: number): number {
  return MAX_POW_BITS - (key % KIND_SPAN)
}
