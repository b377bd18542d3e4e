/**
 * The dashboard's entry point (bundled by esbuild, served by the node at `/`): a header with
 * navigation and the live state, and one view per hash route.
 */
import { render } from 'preact'
import { useEffect, useRef } from 'preact/hooks'
import { type Route, useRoute } from './hooks.ts'
import { type LiveSnapshot, useLive } from './live.ts'
import { Offers } from './offers.tsx'
import { Oracle } from './oracle.tsx'
import { Oracles } from './oracles.tsx'
import { Overview } from './overview.tsx'

/** Focuses the element with `id` once the view that holds it has rendered (a few frames at most). */
function focusWhenRendered(id: string, frames = 30): void {
  const element = document.getElementById(id)
  if (element) element.focus()
  else if (frames > 0) requestAnimationFrame(() => focusWhenRendered(id, frames - 1))
}

/** What the next page should focus instead of its heading (set by the `/` shortcut). */
let focusNext: string | undefined

const LIVE_TEXT = { live: 'live', connecting: 'connecting…', offline: 'offline: retrying' }

function View({ route, live }: { route: Route; live: LiveSnapshot }) {
  const [page, key] = route.path
  if (page === 'oracles') return <Oracles route={route} version={live.version} />
  if (page === 'oracle' && key) return <Oracle oracleKey={key} version={live.version} />
  if (page === 'offers') return <Offers route={route} version={live.version} />
  return <Overview live={live} />
}

function App() {
  const route = useRoute()
  const live = useLive()
  const main = useRef<HTMLElement>(null)
  const page = route.path[0] ?? ''
  const where = route.path.join('/')
  // A new page: move focus to its heading, as a screen reader user expects after following a link.
  const first = useRef(true)
  useEffect(() => {
    if (first.current) {
      first.current = false
      return
    }
    const id = focusNext
    focusNext = undefined
    if (id) focusWhenRendered(id)
    else requestAnimationFrame(() => main.current?.querySelector<HTMLElement>('h1')?.focus())
  }, [where])
  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      const target = event.target as HTMLElement
      if (event.key !== '/' || event.ctrlKey || event.metaKey || event.altKey) return
      if (target.closest('input, select, textarea')) return
      event.preventDefault()
      if (location.hash.startsWith('#/oracles')) focusWhenRendered('search')
      else {
        focusNext = 'search'
        location.hash = '#/oracles'
      }
    }
    addEventListener('keydown', onKey)
    return () => removeEventListener('keydown', onKey)
  }, [])
  const link = (href: string, name: string, active: boolean) => (
    <a href={href} aria-current={active ? 'page' : undefined}>
      {name}
    </a>
  )
  return (
    <>
      <button
        type="button"
        class="skip"
        onClick={() => main.current?.querySelector<HTMLElement>('h1')?.focus()}
      >
        Skip to content
      </button>
      <header>
        <span class="brand">Mega node</span>
        <nav aria-label="Main">
          {link('#/', 'Overview', page === '')}
          {link('#/oracles', 'Oracles', page === 'oracles' || page === 'oracle')}
          {link('#/offers', 'Offers', page === 'offers')}
          <a href="/docs">API</a>
          <a href="/trader">Trader</a>
        </nav>
        <span class="connection" data-state={live.state} role="status" data-testid="live">
          <span aria-hidden="true">●</span> {LIVE_TEXT[live.state]}
        </span>
      </header>
      <main id="main" ref={main}>
        <View route={route} live={live} />
      </main>
    </>
  )
}

render(<App />, document.getElementById('app')!)
