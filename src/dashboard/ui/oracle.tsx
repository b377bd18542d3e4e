/** One oracle: its ad, capabilities, the reports against it and its score history. */
import { Fragment } from 'preact'
import { reportTextOf } from '../../protocol/index.ts'
import {
  api,
  type CapabilityView,
  type FactConflict,
  HttpError,
  type OracleDetail,
  type ReportView,
} from './api.ts'
import { Badge, BitsBar, Key, Problem, ScoreChart, StateBadge } from './components.tsx'
import {
  formatAge,
  formatBits,
  negativeScoreHelp,
  reportEvidence,
  reportState,
  scoreHistory,
  scoreParts,
} from './format.ts'
import { useChanged, useData, useNow } from './hooks.ts'
import { DomainState } from './oracles.tsx'

export function Oracle({ oracleKey, version }: { oracleKey: string; version: number }) {
  const now = useNow(5000)
  // One load for both, so the score and the reports on screen always agree.
  const loaded = useData(
    async (signal) => {
      const [detail, reports, conflicts] = await Promise.all([
        api.oracle(oracleKey, signal),
        api.reports({ oracle: oracleKey }, signal),
        // A node without a fact pool (or an older one) has no conflicts to show.
        api.conflicts(oracleKey, signal).catch(() => ({ items: [] as FactConflict[] })),
      ])
      return { detail, reports: reports.items, conflicts: conflicts.items }
    },
    [oracleKey],
    version,
  )
  const { error } = loaded
  const data = loaded.data?.detail
  if (error && (!data || (error instanceof HttpError && error.status === 404)))
    return (
      <>
        <h1 tabIndex={-1}>Oracle</h1>
        <Problem error={error} />
        <p>
          <a href="#/oracles">Back to the ranking</a>
        </p>
      </>
    )
  if (!data)
    return (
      <h1 tabIndex={-1} class="muted">
        Loading oracle…
      </h1>
    )
  const max = Math.max(1, data.strength.bits)
  const parts = scoreParts(data)
  return (
    <>
      <p class="crumbs">
        <a href="#/oracles">Oracles</a> ›
      </p>
      <h1 tabIndex={-1}>
        Oracle <Key value={data.key} />
      </h1>
      <Problem error={error} />
      <section class="cards" aria-label="Oracle summary">
        <div class="card">
          <h2>Score</h2>
          <p class="big" data-testid="oracle-score">
            {formatBits(data.score.bits)} <small>bits</small>
          </p>
          <BitsBar bits={data.score.bits} max={max} label="score" />
          <p class="muted" data-testid="score-parts">
            {parts.counting.work > 0n
              ? `strength − ${formatBits(parts.counting.bits)} bits of counting reports`
              : 'no report counts against it'}
          </p>
          {parts.negative && (
            <p class="muted" data-testid="negative-score">
              {negativeScoreHelp(data.score.bits)}
            </p>
          )}
        </div>
        <div class="card">
          <h2>Strength</h2>
          <p class="big">
            {formatBits(data.strength.bits)} <small>bits</small>
          </p>
          <p class="muted" data-testid="strength-parts">
            identity {formatBits(data.identity.bits)} bits +{' '}
            {parts.capabilities.work > 0n
              ? `capabilities ${formatBits(parts.capabilities.bits)} bits (${data.capabilities.length} held)`
              : 'no capabilities'}
          </p>
        </div>
        <div class="card">
          <h2>Domain</h2>
          <DomainState oracle={data} />
        </div>
      </section>
      <Ad detail={data} now={now} />
      <section aria-labelledby="history">
        <h2 id="history">Score history</h2>
        <ScoreChart points={scoreHistory(data)} now={now} />
      </section>
      <Capabilities capabilities={data.capabilities} />
      <Conflicts conflicts={loaded.data?.conflicts ?? []} now={now} />
      <Reports detail={data} reports={loaded.data?.reports ?? []} now={now} />
    </>
  )
}

function Ad({ detail, now }: { detail: OracleDetail; now: number }) {
  return (
    <section aria-labelledby="ad">
      <h2 id="ad">Ad</h2>
      <dl class="facts">
        <dt>key</dt>
        <dd>
          <code class="wrap">{detail.key}</code>
        </dd>
        <dt>scheme</dt>
        <dd>{detail.scheme}</dd>
        <dt>sequence</dt>
        <dd>{detail.seqNo}</dd>
        <dt>tags</dt>
        <dd>
          {detail.tags.length
            ? detail.tags.map((t) => (
                <span key={t} class="tag">
                  {t}
                </span>
              ))
            : '–'}
        </dd>
        <dt>identity PoW</dt>
        <dd>{detail.ad.pow.bits} bits</dd>
        <dt>bid</dt>
        <dd>{detail.bid === '0' ? 'none verified' : detail.bid}</dd>
        <dt>manifest</dt>
        <dd>{detail.manifestUri ? <code class="wrap">{detail.manifestUri}</code> : 'none'}</dd>
        <dt>received</dt>
        <dd>{formatAge(now, detail.receivedAt)}</dd>
        <dt>floors</dt>
        <dd>
          capabilities {formatBits(detail.floors.capabilities)} bits, reports{' '}
          {formatBits(detail.floors.reports)} bits
        </dd>
      </dl>
      <details>
        <summary>The signed ad as held (JSON)</summary>
        <pre class="json">{JSON.stringify(detail.ad, null, 2)}</pre>
      </details>
    </section>
  )
}

function Capabilities({ capabilities }: { capabilities: CapabilityView[] }) {
  return (
    <section aria-labelledby="capabilities">
      <h2 id="capabilities">Capabilities ({capabilities.length})</h2>
      {capabilities.length === 0 && <p class="muted">None held.</p>}
      <ul class="capabilities">
        {capabilities.map(({ key, work, message }) => (
          <li key={key} class={message.off ? 'capability off' : 'capability'}>
            <p class="question">{message.question}</p>
            <p class="badges">
              {message.off ? <Badge kind="off">off</Badge> : <Badge kind="on">on</Badge>}{' '}
              <Badge kind="attestation">{message.attestation}</Badge> PoW {formatBits(work.bits)} bits
              {message.tags.map((t) => (
                <span key={t} class="tag">
                  {t}
                </span>
              ))}
            </p>
            <dl class="facts">
              {message.params.map((param) => (
                <Fragment key={param.name}>
                  <dt>${param.name}</dt>
                  <dd>{param.values.join(', ')}</dd>
                </Fragment>
              ))}
              <dt>answers</dt>
              <dd>{message.answers.join(', ')}</dd>
              <dt>endpoint</dt>
              <dd>
                <code class="wrap">{message.endpoint}</code>
              </dd>
              <dt>capability key</dt>
              <dd>
                <Key value={key} /> ({message.capabilityScheme})
              </dd>
            </dl>
            <p>
              <a href={`#/offers?capability=${key}`}>Order book</a>
            </p>
          </li>
        ))}
      </ul>
    </section>
  )
}

function Reports({ detail, reports, now }: { detail: OracleDetail; reports: ReportView[]; now: number }) {
  const changed = useChanged(
    reports,
    (report) => report.id,
    (report) => `${report.work.work}/${report.disputed}/${report.counts}`,
    detail.key,
  )
  return (
    <section aria-labelledby="reports">
      <h2 id="reports">Reports against it ({reports.length})</h2>
      {reports.length === 0 ? (
        <p class="muted">No reports held.</p>
      ) : (
        <table class="reports">
          <thead>
            <tr>
              <th scope="col">kind</th>
              <th scope="col">work (bits)</th>
              <th scope="col">state</th>
              <th scope="col">counts</th>
              <th scope="col">evidence</th>
              <th scope="col">reporter</th>
              <th scope="col">received</th>
            </tr>
          </thead>
          <tbody>
            {reports.map((report) => (
              <tr key={report.id} data-id={report.id} class={changed.has(report.id) ? 'changed' : undefined}>
                <td data-label="kind">{reportTextOf(report.type).label}</td>
                <td data-label="work" class="num">
                  {formatBits(report.work.bits)}
                </td>
                <td data-label="state">
                  <StateBadge state={reportState(report)} />
                </td>
                <td data-label="counts">{report.counts ? 'yes' : 'no'}</td>
                <td data-label="evidence" class="evidence">
                  {reportEvidence(report)}
                </td>
                <td data-label="reporter">
                  {report.reporter ? <Key value={report.reporter} /> : 'anonymous'}
                </td>
                <td data-label="received">{formatAge(now, report.receivedAt)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  )
}

const CONFLICT_TYPE: Record<FactConflict['type'], string> = {
  equivocation: 'two answers to one question',
  'broken-commitment': 'a fact that breaks its commitment',
}

/** Proof this node holds that the oracle broke its word, and how to report it. */
function Conflicts({ conflicts, now }: { conflicts: FactConflict[]; now: number }) {
  return (
    <section aria-labelledby="conflicts">
      <h2 id="conflicts">Conflicts caught by this node ({conflicts.length})</h2>
      {conflicts.length === 0 ? (
        <p class="muted">No signed facts of this oracle contradict each other here.</p>
      ) : (
        <>
          <table class="conflicts">
            <thead>
              <tr>
                <th scope="col">conflict</th>
                <th scope="col">capability</th>
                <th scope="col">evidence</th>
                <th scope="col">report</th>
              </tr>
            </thead>
            <tbody>
              {conflicts.map((conflict) => (
                <tr key={conflict.id} data-id={conflict.id}>
                  <td data-label="conflict">{CONFLICT_TYPE[conflict.type]}</td>
                  <td data-label="capability">
                    <Key value={conflict.capability} />
                  </td>
                  <td data-label="evidence" class="evidence">
                    {conflict.evidence.map((id, index) => (
                      <Fragment key={id}>
                        {index > 0 && ' and '}
                        <Key value={id} />
                      </Fragment>
                    ))}
                  </td>
                  <td data-label="report">
                    {!conflict.pinned ? (
                      <Badge kind="on">reported</Badge>
                    ) : conflict.reportableFrom > now ? (
                      <>
                        {conflict.report.content.type} from{' '}
                        {new Date(conflict.reportableFrom * 1000).toISOString()}
                      </>
                    ) : (
                      <>{conflict.report.content.type}, verified</>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          {conflicts.some((conflict) => conflict.pinned) && (
            <p>
              File the reports: <code>mega trader conflicts --file --node {location.origin}</code>
            </p>
          )}
        </>
      )}
    </section>
  )
}
