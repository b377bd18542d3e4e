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
 * Runs `load` whenever `deps` change, keeping the last data while the next load runs (no flicker
 * on live refreshes); a load overtaken by a newer one is aborted and ignored.
 */
export function useData<T>(load: (signal: AbortSignal) => Promise<T>, deps: unknown[]): Loaded<T> {
  const [state, setState] = useState<Loaded<T>>({ data: undefined, error: undefined, loading: true })
  const latest = useRef(0)
  useEffect(() => {
    const run = ++latest.current
    const controller = new AbortController()
    setState((previous) => ({ ...previous, loading: true }))
    load(controller.signal).then(
      (data) => {
        if (run === latest.current) setState({ data, error: undefined, loading: false })
      },
      (error: Error) => {
        if (run === latest.current && error.name !== 'AbortError')
          setState((previous) => ({ ...previous, error, loading: false }))
      },
    )
    return () => controller.abort()
  }, deps)
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
