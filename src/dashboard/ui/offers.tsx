/** Offers as order books, one per capability: who bets on which answers, stakes, stage. */
import { api, type CapabilityView } from './api.ts'
import { Badge, FilterSelect, Key, Problem } from './components.tsx'
import { type Book, fillQuestion, formatAge, formatCount, formatPercent, orderBooks } from './format.ts'
import { type Route, setQuery, useChanged, useData, useNow } from './hooks.ts'

const STAGES = ['open', 'accepted', 'finalized'] as const

export function Offers({ route, version }: { route: Route; version: number }) {
  const now = useNow(5000)
  const stage = route.query.get('stage') ?? ''
  const capability = route.query.get('capability') ?? ''
  const query: Record<string, string> = {}
  if (stage) query.stage = stage
  if (capability) query.capability = capability
  const offers = useData((signal) => api.offers(query, signal), [stage, capability], version)
  const capabilities = useData(
    async (signal) => {
      const { items } = await api.capabilities({}, signal)
      return new Map<string, CapabilityView>(items.map((c) => [c.key, c]))
    },
    [],
    version,
  )
  const books = orderBooks(offers.data?.items ?? [], capabilities.data ?? new Map())
  const changed = useChanged(
    offers.data?.items,
    (offer) => offer.id,
    (offer) => `${offer.stage}/${offer.work.work}`,
    `${stage}/${capability}`,
  )
  return (
    <>
      <h1 tabIndex={-1}>Offers</h1>
      <form class="filters" onSubmit={(event) => event.preventDefault()}>
        <FilterSelect
          label="Stage"
          value={stage}
          any="all"
          options={STAGES}
          onSelect={(value) => setQuery({ stage: value })}
        />
        {capability && (
          <p>
            One capability: <Key value={capability} />{' '}
            <button type="button" onClick={() => setQuery({ capability: undefined })}>
              show all
            </button>
          </p>
        )}
      </form>
      <Problem error={offers.error ?? capabilities.error} />
      {offers.data && books.length === 0 && <p class="muted">No offers held.</p>}
      {books.map((book) => (
        <BookView key={book.capability} book={book} now={now} changed={changed} />
      ))}
    </>
  )
}

function BookView({ book, now, changed }: { book: Book; now: number; changed: ReadonlySet<string> }) {
  const headingId = `book-${book.capability}`
  return (
    <section class="book" aria-labelledby={headingId} data-capability={book.capability}>
      <h2 id={headingId}>{book.ad?.message.question ?? 'Capability not held by this node'}</h2>
      <p class="muted">
        capability <Key value={book.capability} />
        {book.ad && (
          <>
            {' '}
            of oracle{' '}
            <a href={`#/oracle/${book.ad.oracle}`}>
              <Key value={book.ad.oracle} />
            </a>
          </>
        )}{' '}
        · {book.stages.open} open, {book.stages.accepted} accepted, {book.stages.finalized} finalized · volume{' '}
        {formatCount(book.volume)}
      </p>
      <table class="offers">
        <thead>
          <tr>
            <th scope="col">market</th>
            <th scope="col">originator bets</th>
            <th scope="col">stake</th>
            <th scope="col">acceptor bets</th>
            <th scope="col">stake</th>
            <th scope="col">implied</th>
            <th scope="col">stage</th>
            <th scope="col">expires</th>
            <th scope="col">chain</th>
          </tr>
        </thead>
        <tbody>
          {book.rows.map((row) => (
            <tr
              key={row.offer.id}
              data-stage={row.stage}
              class={changed.has(row.offer.id) ? 'changed' : undefined}
            >
              <td data-label="market" title={row.market}>
                {book.ad ? (
                  fillQuestion(book.ad.message.question, row.offer.message.terms.question.args)
                ) : (
                  <code>{row.market || '–'}</code>
                )}
              </td>
              <td data-label="originator bets">
                {row.originatorBets.join(', ')}{' '}
                <span class="muted">
                  by <Key value={row.offer.message.terms.originator} />
                </span>
              </td>
              <td data-label="stake" class="num">
                {formatCount(row.originatorAmount)}
              </td>
              <td data-label="acceptor bets">
                {row.acceptorBets.join(', ')}
                {row.offer.message.acceptance && (
                  <span class="muted">
                    {' '}
                    by <Key value={row.offer.message.acceptance.acceptor} />
                  </span>
                )}
              </td>
              <td data-label="stake" class="num">
                {formatCount(row.acceptorAmount)}
              </td>
              <td data-label="implied" class="num" title="the originator's stake / the pot">
                {formatPercent(row.impliedOdds)}
              </td>
              <td data-label="stage">
                <Badge kind={`stage-${row.stage}`}>{row.stage}</Badge>
              </td>
              <td data-label="expires">{formatAge(now, row.expires)}</td>
              <td data-label="chain">{row.offer.message.terms.chain}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  )
}
