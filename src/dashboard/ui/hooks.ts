/** Small hooks of the dashboard: hash routing, data fetched per dependency change, a clock. */
import { useEffect, useRef, useState } from 'preact/hooks'

/** The part of the URL after `#`: a path (`/oracle/<key>`) and its query. */
export interface Route {
  path: string[]
  query: URLSearchParams
}

function parseHash(hash: string): Route {
  const [path = '', query = ''] = hash.replace(/^#/, '').split('?', 2)
  return { path: path.split('/').filter(Boolean).map(decodeURIComponent), query: new URLSearchParams(query) }
}

/** The current hash route, updated on navigation. */
export function useRoute(): Route {
  const [route, setRoute] = useState(() => parseHash(location.hash))
  useEffect(() => {
    const onChange = () => setRoute(parseHash(location.hash))
    addEventListener('hashchange', onChange)
    return () => removeEventListener('hashchange', onChange)
  }, [])
  return route
}

/** Replaces the query of the current hash route without adding a history entry. */
export function setQuery(values: Record<string, string | undefined>): void {
  const { path, query } = parseHash(location.hash)
  for (const [name, value] of Object.entries(values)) {
    if (value) query.set(name, value)
    else query.delete(name)
  }
  const text = query.toString()
  history.replaceState(null, '', `#/${path.map(encodeURIComponent).join('/')}${text ? `?${text}` : ''}`)
  dispatchEvent(new HashChangeEvent('hashchange'))
}

export interface Loaded<T> {
  data: T | undefined
  error: Error | undefined
  loading: boolean
}

/**
 * Runs `load` when `deps` change (aborting a load for the old ones) and when `version` changes
 * (a live refresh). Refreshes coalesce: one arriving while a load runs waits for it and then runs
 * once, so a busy node's stream of events can neither starve the view (every load aborted by
 * the next) nor pile up requests. The last data stays on screen while the next load runs.
 */
export function useData<T>(
  load: (signal: AbortSignal) => Promise<T>,
  deps: unknown[],
  version = 0,
): Loaded<T> {
  const [state, setState] = useState<Loaded<T>>({ data: undefined, error: undefined, loading: true })
  const [again, setAgain] = useState(0)
  const running = useRef<{ controller: AbortController; key: string }>(undefined)
  const pending = useRef(false)
  const key = JSON.stringify(deps)
  useEffect(() => {
    const current = running.current
    if (current && current.key === key) {
      pending.current = true
      return
    }
    current?.controller.abort()
    const run = { controller: new AbortController(), key }
    running.current = run
    pending.current = false
    setState((previous) => ({ ...previous, loading: true }))
    load(run.controller.signal)
      .then(
        (data) => {
          if (running.current === run) setState({ data, error: undefined, loading: false })
        },
        (error: Error) => {
          if (running.current === run && error.name !== 'AbortError')
            setState((previous) => ({ ...previous, error, loading: false }))
        },
      )
      .finally(() => {
        if (running.current !== run) return
        running.current = undefined
        if (pending.current) setAgain((n) => n + 1)
      })
  }, [key, version, again])
  useEffect(
    () => () => {
      running.current?.controller.abort()
      running.current = undefined
    },
    [],
  )
  return state
}

/** Unix seconds, ticking every `ms`. */
export function useNow(ms = 1000): number {
  const [now, setNow] = useState(() => Date.now() / 1000)
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now() / 1000), ms)
    return () => clearInterval(timer)
  }, [ms])
  return now
}

/**
 * Ids of the items that are new or changed (by `signature`) since the previous data, for a
 * brief highlight of what a live update brought. Empty on the first data and when the view's
 * query changed (`scope`), so a page or a filter does not light up as a whole.
 */
export function useChanged<T>(
  items: readonly T[] | undefined,
  id: (item: T) => string,
  signature: (item: T) => string,
  scope = '',
): ReadonlySet<string> {
  const previous = useRef<{ scope: string; seen: Map<string, string> }>(undefined)
  const changed = useRef<ReadonlySet<string>>(new Set())
  const last = useRef<readonly T[] | undefined>(undefined)
  if (items && items !== last.current) {
    last.current = items
    const seen = new Map(items.map((item) => [id(item), signature(item)]))
    const before = previous.current
    changed.current =
      before && before.scope === scope
        ? new Set([...seen].filter(([key, value]) => before.seen.get(key) !== value).map(([key]) => key))
        : new Set()
    previous.current = { scope, seen }
  }
  return changed.current
}
