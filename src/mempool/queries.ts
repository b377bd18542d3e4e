/**
 * Read-side of the mempool, without HTTP: rankings, lookups and stats as plain JSON views.
 *
 * Every listing walks an ordered set from an opaque cursor (the last sort key returned), so a page
 * costs O(log n + page), never O(n). Filters are checked while walking; when a filter is
 * selective, a page stops after `scanLimit` entries and may hold fewer than `limit` items: a
 * client continues while `next` is present. An entry whose rank changed between two pages may
 * be seen twice or missed, as in any live ranking.
 */
import { workToBits } from '../protocol/index.ts'
import type { AdmissionStatus } from './admission.ts'
import type { Rank } from './bounded-pool.ts'
import { decodeCursor, encodeCursor } from './cursor.ts'
import type { CapabilityEntry, OfferEntry, OracleEntry, ReportEntry } from './entries.ts'
import { scoreOf } from './entries.ts'
import type { Mempool } from './mempool.ts'
import {
  clampLimit,
  collect,
  defaultQueryLimits,
  type Page,
  type PageQuery,
  sameKey,
  skipFirstIf,
  walkChildren,
} from './paging.ts'
import type { OracleDetail, PoolStats } from './view-schemas.ts'
import * as view from './views.ts'

export type { Page, PageQuery, QueryLimits } from './paging.ts'
export { defaultQueryLimits } from './paging.ts'

/** Filters of the oracle ranking. */
export interface OracleQuery extends PageQuery {
  /** A tag of the ad or of one of its active capabilities. */
  tag?: string
  /** Lowest score in bits (log2 of work). */
  minScore?: number
  /** Text found (case-insensitive) in the question or a tag of an active capability. */
  text?: string
}

export interface CapabilityQuery extends PageQuery {
  oracle?: string
  tag?: string
  text?: string
}

export interface ReportQuery extends PageQuery {
  oracle?: string
  type?: string
}

export interface OfferQuery extends PageQuery {
  capability?: string
  stage?: view.OfferStage
}

/** Oracles ranked by score, highest first. Throws `CursorError` on a foreign cursor. */
export function listOracles(
  pool: Mempool,
  query: OracleQuery = {},
  limits = defaultQueryLimits,
): Page<view.OracleSummary> {
  const limit = clampLimit(query.limit, limits)
  const text = query.text?.toLowerCase()
  // Scores only fall along the ranking: the first one under the minimum ends the listing.
  const underMin = (oracle: OracleEntry) =>
    query.minScore !== undefined && workToBits(scoreOf(oracle)) < query.minScore
  let start: [bigint, string] | undefined
  if (query.cursor) {
    const [score, key] = decodeCursor(query.cursor, 'oracles', ['n', 'k'])
    start = [-BigInt(score!), key!]
  }
  const entries = skipFirstIf(pool.byScore(start), (key) => sameKey(key, start))
  const found = collect(
    entries,
    limit,
    limits,
    (o) => matchesOracle(o, query.tag, text),
    view.oracleSummary,
    underMin,
  )
  const last = found.last?.[1]
  return found.more && last
    ? { items: found.items, next: encodeCursor('oracles', [scoreOf(last), last.key]) }
    : { items: found.items }
}

/** One oracle with its capabilities and report summaries, or undefined when not held. */
export function getOracle(pool: Mempool, key: string): OracleDetail | undefined {
  const oracle = pool.oracles.get(key)
  if (!oracle) return undefined
  const now = pool.now()
  return {
    ...view.oracleSummary(oracle),
    ad: oracle.message,
    floors: {
      capabilities: oracle.capabilities.floor.bitsAt(now),
      reports: oracle.reports.floor.bitsAt(now),
    },
    capabilities: [...oracle.capabilities.strongestFirst()].map(([, entry]) => view.capabilityView(entry)),
    reports: [...oracle.reports.strongestFirst()].map(([, entry]) => view.reportSummary(entry)),
  }
}

/**
 * Capabilities, those of the best-ranked oracles first, each oracle's strongest first;
 * active and switched-off ones alike (the view says which).
 */
export function listCapabilities(
  pool: Mempool,
  query: CapabilityQuery = {},
  limits = defaultQueryLimits,
): Page<view.CapabilityView> {
  const text = query.text?.toLowerCase()
  const keep = (entry: CapabilityEntry) =>
    (query.tag === undefined || entry.message.tags.includes(query.tag)) &&
    (text === undefined || capabilityHasText(entry, text))
  return walkChildren(pool, 'capabilities', (o) => o.capabilities, query, limits, keep, view.capabilityView)
}

/** Reports, against the best-ranked oracles first; for each oracle those that count first, then by work. */
export function listReports(
  pool: Mempool,
  query: ReportQuery = {},
  limits = defaultQueryLimits,
): Page<view.ReportView> {
  const keep = (entry: ReportEntry) => query.type === undefined || entry.message.content.type === query.type
  return walkChildren(pool, 'reports', (o) => o.reports, query, limits, keep, view.reportView)
}

/** Offers, strongest first, all or those on one capability, optionally at one stage. */
export function listOffers(
  pool: Mempool,
  query: OfferQuery = {},
  limits = defaultQueryLimits,
): Page<view.OfferView> {
  const offers = query.capability === undefined ? pool.offers : pool.offersByCapability.get(query.capability)
  if (!offers) return { items: [] }
  let below: Rank | undefined
  if (query.cursor) {
    const [work, key] = decodeCursor(query.cursor, 'offers', ['n', 'k'])
    below = { tier: 0n, work: BigInt(work!), id: key! }
  }
  const keep = (offer: OfferEntry) =>
    query.stage === undefined || view.offerStage(offer.message) === query.stage
  const found = collect(
    offers.strongestFirst(below),
    clampLimit(query.limit, limits),
    limits,
    keep,
    view.offerView,
  )
  const last = found.last?.[0]
  if (!found.more || !last) return { items: found.items }
  return { items: found.items, next: encodeCursor('offers', [last.work, last.id]) }
}

/** Sizes, budgets, floors (in bits, at the pool's clock) and outcome counters. */
export function poolStats(pool: Mempool): PoolStats {
  const now = pool.now()
  const counters: PoolStats['counters'] = { status: {}, reason: Object.fromEntries(pool.outcomes.byReason) }
  for (const status of STATUSES) {
    const count = pool.countOf(status)
    if (count > 0) counters.status[status] = count
  }
  return {
    oracles: {
      count: pool.oracles.size,
      capacity: pool.options.maxOracles,
      floorBits: pool.oracles.floor.bitsAt(now),
    },
    capabilities: { count: pool.capabilities.size },
    reports: { count: pool.reports.size },
    offers: {
      count: pool.offers.size,
      capacity: pool.options.maxOffers,
      floorBits: pool.offers.floor.bitsAt(now),
    },
    bytes: { used: pool.bytes, max: pool.options.maxBytes },
    minBits: { ...pool.options.minBits },
    shard: { ...pool.options.shard },
    counters,
  }
}

const STATUSES: readonly AdmissionStatus[] = [
  'added',
  'updated',
  'duplicate',
  'low-pow',
  'invalid',
  'skipped',
]

function matchesOracle(oracle: OracleEntry, tag: string | undefined, text: string | undefined): boolean {
  if (tag === undefined && text === undefined) return true
  let tagged = tag === undefined || oracle.message.tags.includes(tag)
  let found = text === undefined
  for (const [, capability] of oracle.capabilities.strongestFirst()) {
    if (tagged && found) break
    if (capability.message.off) continue
    tagged ||= capability.message.tags.includes(tag!)
    found ||= capabilityHasText(capability, text!)
  }
  return tagged && found
}

function capabilityHasText(capability: CapabilityEntry, text: string): boolean {
  const { question, tags } = capability.message
  return question.toLowerCase().includes(text) || tags.some((tag) => tag.includes(text))
}
