/**
 * Live updates from the nodes: one `EventSource` on each node's `/events` stream (a GET, so
 * any origin may read it). An admitted oracle ad, capability, report or dispute names the
 * oracle it concerns, an offer its capability key: the page collects again just those, from
 * the node that announced them — everything re-checked as on *Fetch* — at most once per
 * `LIVE_DELAY_MS` however busy the node, so the ranking and the book follow the network
 * without a reload. An event that names nothing (a node older than the field) and a stream
 * back after a break make it collect the whole kind again, since what changed is unknown.
 */
import type { Collected } from '../trader/collect.ts'

const ORACLE_KINDS = ['oracle', 'capability', 'report', 'dispute']
const OFFER_KINDS = ['offer']

/** Milliseconds from an event to the refresh it starts; events in between join it. */
export const LIVE_DELAY_MS = 1000

export type LiveState = 'connecting' | 'live' | 'offline'

/**
 * What the events since the last refresh named: oracle keys (or capability keys, for offers)
 * by the URL of the node that announced them; `all` when one could not say.
 */
export interface Touched {
  all: boolean
  byNode: Map<string, Set<string>>
}

export interface LiveHandlers {
  refreshOracles: (touched: Touched) => Promise<Collected>
  refreshOffers: (touched: Touched) => Promise<Collected>
  /** After each refresh, with what it refused. */
  onRefresh: (what: 'oracles' | 'offers', collected: Collected) => void
  /** Each node's stream state. */
  onState: (url: string, state: LiveState) => void
}

type What = 'oracles' | 'offers'

/** Follows the event streams of `nodeUrls`; returns the function that stops. */
export function followNodes(nodeUrls: readonly string[], handlers: LiveHandlers): () => void {
  const timers = new Map<What, ReturnType<typeof setTimeout>>()
  const pending = new Map<What, Touched>()
  const schedule = (what: What, url: string, key: string | undefined) => {
    const touched = pending.get(what) ?? { all: false, byNode: new Map() }
    pending.set(what, touched)
    if (key === undefined) touched.all = true
    else touched.byNode.set(url, (touched.byNode.get(url) ?? new Set()).add(key))
    if (timers.has(what)) return
    timers.set(
      what,
      setTimeout(() => {
        timers.delete(what)
        const due = pending.get(what)!
        pending.delete(what)
        const refresh = what === 'oracles' ? handlers.refreshOracles : handlers.refreshOffers
        void refresh(due).then(
          (collected) => handlers.onRefresh(what, collected),
          () => undefined,
        )
      }, LIVE_DELAY_MS),
    )
  }
  const sources = nodeUrls.map((url) => {
    const source = new EventSource(`${url.replace(/\/+$/, '')}/events`)
    handlers.onState(url, 'connecting')
    const follow = (kinds: string[], what: What, field: 'oracle' | 'capability') => {
      for (const kind of kinds)
        source.addEventListener(kind, (event) =>
          schedule(what, url, keyIn((event as MessageEvent).data, field)),
        )
    }
    follow(ORACLE_KINDS, 'oracles', 'oracle')
    follow(OFFER_KINDS, 'offers', 'capability')
    let opened = false
    source.onopen = () => {
      handlers.onState(url, 'live')
      // Back after a break: whatever was admitted meanwhile is unknown, so collect again.
      if (opened) {
        schedule('oracles', url, undefined)
        schedule('offers', url, undefined)
      }
      opened = true
    }
    // The browser reconnects by itself (the node sends `retry:`), unless it gave up for good.
    source.onerror = () =>
      handlers.onState(url, source.readyState === EventSource.CLOSED ? 'offline' : 'connecting')
    return source
  })
  return () => {
    for (const source of sources) source.close()
    for (const timer of timers.values()) clearTimeout(timer)
  }
}

/** The key `field` of an event's JSON data, when it is one (64 hex digits); else undefined. */
function keyIn(data: unknown, field: 'oracle' | 'capability'): string | undefined {
  try {
    const value = (JSON.parse(String(data)) as Record<string, unknown> | null)?.[field]
    return typeof value === 'string' && /^[0-9a-f]{64}$/.test(value) ? value : undefined
  } catch {
    return undefined
  }
}
