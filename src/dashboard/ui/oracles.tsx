/** Oracles ranked by score, with search (server-side `text`, `tag`, `minScore`) and filters. */
import { useEffect, useRef, useState } from 'preact/hooks'
import { api, LIST_MAX, type OracleSummary } from './api.ts'
import { Badge, BitsBar, FilterCheck, FilterSelect, Key, Problem } from './components.tsx'
import { formatCount } from './format.ts'
import { type Route, setQuery, useChanged, useData } from './hooks.ts'

// Tags seen in any listing, so the tag menu keeps its options while a tag filter is on.
const seenTags = new Set<string>()

/** How the dashboard can vouch for an oracle's domain: it never fetches manifests itself. */
export function DomainState({ oracle }: { oracle: Pick<OracleSummary, 'manifestUri'> }) {
  if (!oracle.manifestUri) return <Badge kind="domain-none">no manifest</Badge>
  let host = oracle.manifestUri
  try {
    host = new URL(oracle.manifestUri).host
  } catch {
    // keep the text as it is
  }
  return (
    <span title={`${oracle.manifestUri} — declared by the oracle; verify it with a trader tool`}>
      <Badge kind="domain-declared">{host}</Badge> <span class="muted">unverified</span>
    </span>
  )
}

/** Moves focus between the row links of a table with the arrow keys. */
function onRowKey(event: KeyboardEvent): void {
  if (event.key !== 'ArrowDown' && event.key !== 'ArrowUp') return
  const target = event.target as HTMLElement
  const links = [...(target.closest('table')?.querySelectorAll<HTMLElement>('a.row-link') ?? [])]
  const index = links.indexOf(target)
  if (index === -1) return
  const next = links[index + (event.key === 'ArrowDown' ? 1 : -1)]
  if (next) {
    event.preventDefault()
    next.focus()
  }
}

export function Oracles({ route, version }: { route: Route; version: number }) {
  const text = route.query.get('q') ?? ''
  const tag = route.query.get('tag') ?? ''
  const minScore = route.query.get('min') ?? ''
  const withManifest = route.query.get('manifest') === 'yes'
  const withReports = route.query.get('reports') === 'yes'
  const [draft, setDraft] = useState(text)
  const timer = useRef<ReturnType<typeof setTimeout>>(undefined)
  // Follow the URL (back, forward, a link) but never overwrite what is being typed.
  useEffect(() => {
    if (document.activeElement?.id !== 'search') setDraft(text)
  }, [text])

  const query: Record<string, string> = {}
  if (text) query.text = text
  if (tag) query.tag = tag
  if (minScore && Number.isFinite(Number(minScore))) query.minScore = minScore
  const { data, error, loading } = useData(
    (signal) => api.oracles(query, signal),
    [text, tag, minScore],
    version,
  )
  for (const oracle of data?.items ?? []) for (const t of oracle.tags) seenTags.add(t)
  const items = (data?.items ?? []).filter(
    (oracle) => (!withManifest || oracle.manifestUri) && (!withReports || oracle.reportCount > 0),
  )
  const max = Math.max(1, ...items.map((oracle) => oracle.strength.bits))
  const changed = useChanged(
    data?.items,
    (oracle) => oracle.key,
    (oracle) => `${oracle.score.work}/${oracle.strength.work}/${oracle.reportCount}/${oracle.id}`,
    JSON.stringify(query),
  )

  return (
    <>
      <h1 tabIndex={-1}>Oracles by score</h1>
      <form class="filters" aria-label="Search and filters" onSubmit={(event) => event.preventDefault()}>
        <label>
          Search questions and tags
          <input
            id="search"
            type="search"
            value={draft}
            placeholder="e.g. match, weather  ( / )"
            maxLength={64}
            aria-describedby="search-help"
            onKeyDown={(event) => {
              if (event.key !== 'ArrowDown') return
              const first = document.querySelector<HTMLElement>('table.oracles a.row-link')
              if (first) {
                event.preventDefault()
                first.focus()
              }
            }}
            onInput={(event) => {
              const value = (event.target as HTMLInputElement).value
              setDraft(value)
              clearTimeout(timer.current)
              timer.current = setTimeout(() => setQuery({ q: value.trim() || undefined }), 250)
            }}
          />
        </label>
        <FilterSelect
          label="Tag"
          value={tag}
          any="any"
          options={[...seenTags].sort()}
          onSelect={(value) => setQuery({ tag: value })}
        />
        <label>
          Minimum score (bits)
          <input
            type="number"
            inputMode="decimal"
            step="1"
            value={minScore}
            onChange={(event) => setQuery({ min: (event.target as HTMLInputElement).value || undefined })}
          />
        </label>
        <FilterCheck
          label="with a domain manifest"
          checked={withManifest}
          onToggle={(on) => setQuery({ manifest: on ? 'yes' : undefined })}
        />
        <FilterCheck
          label="reported"
          checked={withReports}
          onToggle={(on) => setQuery({ reports: on ? 'yes' : undefined })}
        />
      </form>
      <p id="search-help" class="muted">
        Press <kbd>/</kbd> to search, <kbd>↓</kbd> <kbd>↑</kbd> to move through the ranking, <kbd>Enter</kbd>{' '}
        to open an oracle.
      </p>
      <Problem error={error} />
      <p class="muted" aria-live="polite">
        {loading && !data
          ? 'Loading…'
          : `${formatCount(items.length)} oracle${items.length === 1 ? '' : 's'}${data?.more ? ` (the top ${LIST_MAX}; narrow the search for more)` : ''}`}
      </p>
      {items.length > 0 && (
        <table class="oracles" onKeyDown={onRowKey}>
          <thead>
            <tr>
              <th scope="col">#</th>
              <th scope="col">oracle</th>
              <th scope="col">strength (bits)</th>
              <th scope="col">score (bits)</th>
              <th scope="col">capabilities</th>
              <th scope="col">reports</th>
              <th scope="col">domain</th>
            </tr>
          </thead>
          <tbody>
            {items.map((oracle, index) => (
              <tr
                key={oracle.key}
                data-key={oracle.key}
                class={changed.has(oracle.key) ? 'changed' : undefined}
              >
                <td data-label="#" class="num">
                  {index + 1}
                </td>
                <td data-label="oracle">
                  <a class="row-link" href={`#/oracle/${oracle.key}`}>
                    <Key value={oracle.key} />
                  </a>{' '}
                  {oracle.tags.map((t) => (
                    <span key={t} class="tag">
                      {t}
                    </span>
                  ))}
                </td>
                <td data-label="strength">
                  <BitsBar bits={oracle.strength.bits} max={max} label="strength" />
                </td>
                <td data-label="score" class="score">
                  <BitsBar bits={oracle.score.bits} max={max} label="score" />
                </td>
                <td data-label="capabilities" class="num">
                  {oracle.capabilityCount}
                </td>
                <td data-label="reports" class="num">
                  {oracle.reportCount}
                </td>
                <td data-label="domain">
                  <DomainState oracle={oracle} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  )
}
