/**
 * Live updates: one `EventSource` on the node's `/events` stream. Each admitted message bumps a
 * version (at most every `THROTTLE_MS`, so a busy node does not make every view refetch per
 * message) that views depend on, and joins a short list of recent events.
 */
import { useEffect, useState } from 'preact/hooks'

export type LiveState = 'connecting' | 'live' | 'offline'

export interface LiveEvent {
  seq: number
  kind: string
  status: string
  id: string
  /** Browser time, milliseconds. */
  at: number
}

export interface LiveSnapshot {
  state: LiveState
  /** Bumped when messages were admitted. */
  version: number
  /** Newest first, at most `RECENT_MAX`. */
  recent: LiveEvent[]
}

const KINDS = ['oracle', 'capability', 'report', 'dispute', 'offer', 'message', 'fact-conflict']
const THROTTLE_MS = 250
const RECENT_MAX = 20
const RECONNECT_MS = 5000

let snapshot: LiveSnapshot = { state: 'connecting', version: 0, recent: [] }
const listeners = new Set<(next: LiveSnapshot) => void>()
let source: EventSource | undefined
let pending: ReturnType<typeof setTimeout> | undefined
let retry: ReturnType<typeof setTimeout> | undefined
let seq = 0

function publish(next: Partial<LiveSnapshot>): void {
  snapshot = { ...snapshot, ...next }
  for (const listener of listeners) listener(snapshot)
}

function onMessage(event: MessageEvent<string>): void {
  try {
    const data = JSON.parse(event.data) as { status?: string; id?: string; kind?: string; type?: string }
    const item = {
      seq: ++seq,
      kind: data.kind ?? event.type,
      // A conflict event carries its type (equivocation, broken-commitment) instead of a status.
      status: data.status ?? data.type ?? '',
      id: data.id ?? '',
      at: Date.now(),
    }
    snapshot = { ...snapshot, recent: [item, ...snapshot.recent].slice(0, RECENT_MAX) }
  } catch {
    return
  }
  if (pending !== undefined) return
  pending = setTimeout(() => {
    pending = undefined
    publish({ version: snapshot.version + 1 })
  }, THROTTLE_MS)
}

function connect(): void {
  source = new EventSource('/events')
  for (const kind of KINDS) source.addEventListener(kind, onMessage as EventListener)
  source.onopen = () => {
    // Whatever happened while disconnected is unknown: refetch.
    publish({ state: 'live', version: snapshot.version + 1 })
  }
  source.onerror = () => {
    if (source?.readyState === EventSource.CLOSED) {
      // The browser gave up (e.g. the node refused with 503): retry on our own.
      source.close()
      source = undefined
      publish({ state: 'offline' })
      retry = setTimeout(() => {
        retry = undefined
        connect()
      }, RECONNECT_MS)
    } else publish({ state: 'connecting' })
  }
}

/** The live snapshot; the first caller opens the stream. */
export function useLive(): LiveSnapshot {
  const [value, setValue] = useState(snapshot)
  useEffect(() => {
    if (!source && retry === undefined) connect()
    listeners.add(setValue)
    setValue(snapshot)
    return () => {
      listeners.delete(setValue)
    }
  }, [])
  return value
}
