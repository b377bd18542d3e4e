/**
 * Live updates from the nodes: one `EventSource` on each node's `/events` stream (a GET, so
 * any origin may read it). An admitted oracle ad, capability, report or dispute makes the page
 * collect the oracles again, an offer the order book — everything re-checked as on *Fetch* —
 * at most once per `LIVE_DELAY_MS` however busy the node, so the ranking and the book follow
 * the network without a reload.
 */
import type { Collected } from '../trader/collect.ts'

const ORACLE_KINDS = ['oracle', 'capability', 'report', 'dispute']
const OFFER_KINDS = ['offer']

/** Milliseconds from an event to the refresh it starts; events in between join it. */
export const LIVE_DELAY_MS = 1000

export type LiveState = 'connecting' | 'live' | 'offline'

export interface LiveHandlers {
  refreshOracles: () => Promise<Collected>
  refreshOffers: () => Promise<Collected>
  /** After each refresh, with what it refused. */
  onRefresh: (what: 'oracles' | 'offers', collected: Collected) => void
  /** Each node's stream state. */
  onState: (url: string, state: LiveState) => void
}

/** Follows the event streams of `nodeUrls`; returns the function that stops. */
export function followNodes(nodeUrls: readonly string[], handlers: LiveHandlers): () => void {
  const timers = new Map<'oracles' | 'offers', ReturnType<typeof setTimeout>>()
  const schedule = (what: 'oracles' | 'offers') => {
    if (timers.has(what)) return
    timers.set(
      what,
      setTimeout(() => {
        timers.delete(what)
        const refresh = what === 'oracles' ? handlers.refreshOracles : handlers.refreshOffers
        void refresh().then(
          (collected) => handlers.onRefresh(what, collected),
          () => undefined,
        )
      }, LIVE_DELAY_MS),
    )
  }
  const sources = nodeUrls.map((url) => {
    const source = new EventSource(`${url.replace(/\/+$/, '')}/events`)
    handlers.onState(url, 'connecting')
    for (const kind of ORACLE_KINDS) source.addEventListener(kind, () => schedule('oracles'))
    for (const kind of OFFER_KINDS) source.addEventListener(kind, () => schedule('offers'))
    let opened = false
    source.onopen = () => {
      handlers.onState(url, 'live')
      // Back after a break: whatever was admitted meanwhile is unknown, so collect again.
      if (opened) {
        schedule('oracles')
        schedule('offers')
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
