/**
 * The node's public REST API as the dashboard reads it: same origin, JSON, typed by the API's
 * own view schemas (type-only imports, erased from the bundle).
 */

import { ClientErrorCode } from '../../client/index.ts'
import type { FactConflict } from '../../facts/index.ts'
import type {
  CapabilityView,
  OfferView,
  OracleDetail,
  OracleSummary,
  PoolStats,
  ReportView,
} from '../../mempool/index.ts'
import type { NetworkStats, PeerList } from '../../network/index.ts'
import { CodedError } from '../../protocol/index.ts'

export type {
  CapabilityView,
  FactConflict,
  OfferView,
  OracleDetail,
  OracleSummary,
  PeerList,
  PoolStats,
  ReportView,
}

/** `GET /stats`. */
export interface Stats {
  uptime: number
  mempool: PoolStats
  events: { clients: number; maxClients: number }
  network?: NetworkStats
}

interface Page<T> {
  items: T[]
  next?: string
}

/**
 * Thrown for a non-2xx answer, with the problem's `code` (`NODE_UNREACHABLE` when the answer is
 * not a problem document, e.g. a proxy's page); `status` 404 means the node does not hold it.
 */
export class HttpError extends CodedError {
  static override name = 'HttpError'
  override readonly name = 'HttpError'
  readonly status: number
  constructor(status: number, code: string, message: string) {
    super(code, message, { status })
    this.status = status
  }
}

async function getJson<T>(path: string, signal?: AbortSignal): Promise<T> {
  const response = await fetch(path, { headers: { accept: 'application/json' }, signal: signal ?? null })
  if (!response.ok) {
    const problem = (await response.json().catch(() => ({}))) as { code?: unknown; detail?: string }
    const code = typeof problem.code === 'string' ? problem.code : ClientErrorCode.NODE_UNREACHABLE
    throw new HttpError(response.status, code, problem.detail ?? `${response.status} ${response.statusText}`)
  }
  return (await response.json()) as T
}

/** Follows `next` until `max` items (or the end), `pageSize` at a time. */
async function collect<T>(
  path: string,
  query: Record<string, string>,
  max: number,
  signal?: AbortSignal,
): Promise<{ items: T[]; more: boolean }> {
  const items: T[] = []
  let cursor: string | undefined
  do {
    const params = new URLSearchParams({ ...query, limit: String(Math.min(100, max - items.length)) })
    if (cursor) params.set('cursor', cursor)
    const page = await getJson<Page<T>>(`${path}?${params}`, signal)
    items.push(...page.items)
    cursor = page.next
  } while (cursor && items.length < max)
  return { items, more: cursor !== undefined }
}

/** How many entries a listing view reads at most (the REST API pages further). */
export const LIST_MAX = 500

export const api = {
  stats: (signal?: AbortSignal) => getJson<Stats>('/stats', signal),
  peers: (signal?: AbortSignal) => getJson<PeerList>('/peers', signal),
  oracles: (query: Record<string, string>, signal?: AbortSignal) =>
    collect<OracleSummary>('/oracles', query, LIST_MAX, signal),
  oracle: (key: string, signal?: AbortSignal) => getJson<OracleDetail>(`/oracles/${key}`, signal),
  offers: (query: Record<string, string>, signal?: AbortSignal) =>
    collect<OfferView>('/offers', query, LIST_MAX, signal),
  reports: (query: Record<string, string>, signal?: AbortSignal) =>
    collect<ReportView>('/reports', query, LIST_MAX, signal),
  capabilities: (query: Record<string, string>, signal?: AbortSignal) =>
    collect<CapabilityView>('/capabilities', query, LIST_MAX, signal),
  /** Conflicts the node's fact pool caught against one oracle (a node holds few: one call, no paging). */
  conflicts: (oracle: string, signal?: AbortSignal) =>
    getJson<{ items: FactConflict[] }>(`/facts/conflicts?${new URLSearchParams({ oracle })}`, signal),
}
