/**
 * Paging shared by the mempool's listings: pages, limits, and walks over ordered-set iterators
 * that stop after a page (or a scan budget) and say whether more follows.
 */
import type { PoolReader, Rank } from './bounded-pool.ts'
import { decodeCursor, encodeCursor } from './cursor.ts'
import type { CapabilityEntry, OracleEntry, ReportEntry } from './entries.ts'
import { scoreOf } from './entries.ts'
import type { Mempool } from './mempool.ts'
import { scoreKey } from './ranks.ts'

/** A page of a listing; `next` is the cursor of the following page, absent on the last. */
export interface Page<T> {
  items: T[]
  next?: string
}

/** Paging of every listing. */
export interface PageQuery {
  /** Items per page. @default 20 */
  limit?: number
  /** `next` of the previous page. */
  cursor?: string
}

/** Bounds on the work one query may do. */
export interface QueryLimits {
  /** Items per page when the query gives none. @default 20 */
  defaultLimit: number
  /** Most items per page. @default 100 */
  maxLimit: number
  /** Most entries a filtered page examines before it returns what it found. @default 10_000 */
  scanLimit: number
}

export const defaultQueryLimits: QueryLimits = { defaultLimit: 20, maxLimit: 100, scanLimit: 10_000 }

/** What {@link collect} took. */
export interface Found<K, E, T> {
  items: T[]
  /** The last pair examined: where the next page starts after. */
  last?: [K, E]
  /** Whether an entry follows (that `stop` does not end the listing at). */
  more: boolean
}

/**
 * Takes up to `limit` kept entries, examining at most `scanLimit`; `stop` ends the listing
 * (sorted filters such as a minimum score). Peeks one entry past the page to know if one follows.
 */
export function collect<K, E, T>(
  entries: Iterable<[K, E]>,
  limit: number,
  limits: QueryLimits,
  keep: (entry: E) => boolean,
  map: (entry: E) => T,
  stop?: (entry: E) => boolean,
): Found<K, E, T> {
  const items: T[] = []
  let last: [K, E] | undefined
  let scanned = 0
  for (const pair of entries) {
    if (stop?.(pair[1])) break
    if (items.length === limit || scanned === limits.scanLimit)
      return { items, ...(last && { last }), more: true }
    scanned++
    last = pair
    if (keep(pair[1])) items.push(map(pair[1]))
  }
  return { items, ...(last && { last }), more: false }
}

type Child = CapabilityEntry | ReportEntry

/**
 * Children (capabilities or reports) of the oracles in score order, each oracle's strongest
 * first; one oracle's only when `query.oracle` is set. The cursor holds the oracle's sort key
 * and the child's rank, so the walk resumes inside that oracle's pool.
 */
export function walkChildren<E extends Child, T>(
  pool: Mempool,
  listing: string,
  pick: (oracle: OracleEntry) => PoolReader<E>,
  query: PageQuery & { oracle?: string },
  limits: QueryLimits,
  keep: (entry: E) => boolean,
  map: (entry: E) => T,
): Page<T> {
  const limit = clampLimit(query.limit, limits)
  let from: { oracle: [bigint, string]; child: Rank } | undefined
  if (query.cursor) {
    const [score, oracle, tier, work, id] = decodeCursor(query.cursor, listing, ['n', 'k', 'n', 'n', 'k'])
    from = {
      oracle: [-BigInt(score!), oracle!],
      child: { tier: BigInt(tier!), work: BigInt(work!), id: id! },
    }
  }
  let oracles: Iterable<[[bigint, string], OracleEntry]>
  if (query.oracle === undefined) oracles = pool.byScore(from?.oracle)
  else {
    const only = pool.oracles.get(query.oracle)
    oracles = only ? [[scoreKey(only), only]] : []
  }
  function* children(): IterableIterator<[[OracleEntry, Rank], E]> {
    for (const [, oracle] of oracles) {
      const below = from && oracle.key === from.oracle[1] ? from.child : undefined
      for (const [rank, entry] of pick(oracle).strongestFirst(below)) yield [[oracle, rank], entry]
    }
  }
  const found = collect(children(), limit, limits, keep, map)
  if (!found.more || !found.last) return { items: found.items }
  const [[oracle, rank]] = found.last
  return {
    items: found.items,
    next: encodeCursor(listing, [scoreOf(oracle), oracle.key, rank.tier, rank.work, rank.id]),
  }
}

/** Skips the first pair when its key is the cursor's own (the ordered set seeks to `>=`). */
export function* skipFirstIf<K, V>(
  entries: Iterable<[K, V]>,
  skip: (key: K) => boolean,
): IterableIterator<[K, V]> {
  let first = true
  for (const pair of entries) {
    if (first && skip(pair[0])) {
      first = false
      continue
    }
    first = false
    yield pair
  }
}

/** Equality of two oracle sort keys. */
export function sameKey(a: [bigint, string], b: [bigint, string] | undefined): boolean {
  return b !== undefined && a[0] === b[0] && a[1] === b[1]
}

/** A page size within `1..maxLimit`, the default when none is given. */
export function clampLimit(limit: number | undefined, limits: QueryLimits): number {
  return Math.min(Math.max(1, Math.trunc(limit ?? limits.defaultLimit)), limits.maxLimit)
}
