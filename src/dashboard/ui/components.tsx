/** Small presentational pieces shared by the views: bars, badges, charts, status lines. */
import type { ComponentChildren } from 'preact'
import {
  barPercent,
  bitsOf,
  formatAge,
  formatBits,
  formatPercent,
  type Rate,
  REPORT_STATE_HELP,
  type ReportState,
  type ScorePoint,
  shortKey,
} from './format.ts'

/** A horizontal bar of `bits` relative to `max`, with its value in bits; red when negative. */
export function BitsBar({ bits, max, label }: { bits: number; max: number; label: string }) {
  return (
    <span class="bar" title={`${label}: ${formatBits(bits)} bits`}>
      <span class="bar-track" aria-hidden="true">
        <span
          class={bits < 0 ? 'bar-fill negative' : 'bar-fill'}
          style={{ width: `${barPercent(bits, max)}%` }}
        />
      </span>
      <span class="bar-value">
        <span class="visually-hidden">{label} </span>
        {formatBits(bits)}
      </span>
    </span>
  )
}

/** A used/capacity meter with a percentage. */
export function Meter({ used, max, text }: { used: number; max: number; text: string }) {
  const fraction = max > 0 ? Math.min(1, used / max) : 0
  return (
    <div class="meter">
      <div class="bar-track" aria-hidden="true">
        <span class="bar-fill" style={{ width: `${fraction * 100}%` }} />
      </div>
      <span>
        {text} <span class="muted">({formatPercent(fraction)})</span>
      </span>
    </div>
  )
}

export function StateBadge({ state }: { state: ReportState }) {
  return (
    <span class={`badge state-${state}`} title={REPORT_STATE_HELP[state]}>
      {state}
    </span>
  )
}

export function Badge({ kind, children }: { kind: string; children: ComponentChildren }) {
  return <span class={`badge ${kind}`}>{children}</span>
}

/** A key shortened, the whole of it in the tooltip and for copying. */
export function Key({ value }: { value: string }) {
  return (
    <code class="key" title={value}>
      {shortKey(value)}
    </code>
  )
}

export function Problem({ error }: { error: Error | undefined }) {
  if (!error) return null
  return (
    <p class="problem" role="alert">
      {error.message}
    </p>
  )
}

const W = 320
const H = 90

function path(points: [number, number][]): string {
  return points.map(([x, y], i) => `${i ? 'L' : 'M'}${x.toFixed(1)},${y.toFixed(1)}`).join('')
}

const SERIES = ['admitted', 'ignored', 'rejected'] as const

/** Admission rates over time: three lines, newest on the right; the latest values in the legend. */
export function RateChart({ rates, spanSeconds }: { rates: Rate[]; spanSeconds: number }) {
  const last = rates.at(-1)
  const peak = Math.max(0, ...rates.flatMap((r) => SERIES.map((s) => r[s])))
  const max = Math.max(1, peak)
  const t1 = last?.t ?? 0
  const x = (t: number) => W - ((t1 - t) / (spanSeconds * 1000)) * W
  const y = (v: number) => H - 4 - (v / max) * (H - 8)
  const summary = last ? SERIES.map((s) => `${s} ${last[s].toFixed(1)}/s`).join(', ') : 'collecting samples'
  return (
    <figure class="chart">
      <svg
        viewBox={`0 0 ${W} ${H}`}
        preserveAspectRatio="none"
        role="img"
        aria-label={`Admissions per second: ${summary}`}
      >
        <line class="axis" x1="0" y1={H - 4} x2={W} y2={H - 4} />
        {SERIES.map((s) => (
          <path key={s} class={`line ${s}`} d={path(rates.map((r) => [x(r.t), y(r[s])]))} />
        ))}
      </svg>
      <figcaption>
        {SERIES.map((s) => (
          <span key={s} class={`legend ${s}`}>
            {s} <b>{last ? last[s].toFixed(1) : '–'}</b>/s
          </span>
        ))}
        <span class="muted">
          last {Math.round(spanSeconds / 60)} min, peak {peak.toFixed(1)}/s
        </span>
      </figcaption>
    </figure>
  )
}

/** Strength and score over time, as step lines in bits. */
export function ScoreChart({ points, now }: { points: ScorePoint[]; now: number }) {
  if (points.length === 0) return null
  const t0 = points[0]!.t
  const t1 = Math.max(now, points.at(-1)!.t, t0 + 1)
  const strengths = points.map((p) => bitsOf(p.strength))
  const scores = points.map((p) => bitsOf(p.score))
  const hi = Math.max(1, ...strengths, ...scores)
  const lo = Math.min(0, ...scores)
  const x = (t: number) => ((t - t0) / (t1 - t0)) * W
  const y = (bits: number) => H - 4 - ((bits - lo) / (hi - lo)) * (H - 8)
  const steps = (values: number[]) => {
    const out: [number, number][] = []
    points.forEach((p, i) => {
      if (i > 0) out.push([x(p.t), y(values[i - 1]!)])
      out.push([x(p.t), y(values[i]!)])
    })
    out.push([W, y(values.at(-1)!)])
    return path(out)
  }
  return (
    <figure class="chart">
      {/* Axes as HTML beside the stretched SVG, so their text is never distorted. */}
      <div class="plot">
        <div class="y-axis" data-testid="chart-y-axis" aria-hidden="true">
          <span>{formatBits(hi)} bits</span>
          <span>{formatBits(lo)} bits</span>
        </div>
        <svg
          viewBox={`0 0 ${W} ${H}`}
          preserveAspectRatio="none"
          role="img"
          aria-label={`Score history: ${points.length} steps, now ${formatBits(scores.at(-1)!)} bits`}
        >
          <line class="axis" x1="0" y1={y(0)} x2={W} y2={y(0)} />
          <path class="line strength" d={steps(strengths)} />
          <path class="line score" d={steps(scores)} />
        </svg>
      </div>
      <div class="x-axis" data-testid="chart-x-axis" aria-hidden="true">
        <span>{formatAge(now, t0)}</span>
        <span>{formatAge(now, t1)}</span>
      </div>
      <figcaption>
        <span class="legend strength">strength</span> <span class="legend score">score</span>{' '}
        <span class="muted">
          vertical: bits (log2 of the work); horizontal: time, as this node received the entries it holds
        </span>
      </figcaption>
    </figure>
  )
}

/** A filter's select: `any` (the empty value, passed on as undefined) and then each of `options`. */
export function FilterSelect(props: {
  label: string
  value: string
  any: string
  options: readonly string[]
  onSelect: (value: string | undefined) => void
}) {
  const { label, value, any, options, onSelect } = props
  return (
    <label>
      {label}
      <select
        value={value}
        onChange={(event) => onSelect((event.target as HTMLSelectElement).value || undefined)}
      >
        <option value="">{any}</option>
        {options.map((option) => (
          <option key={option} value={option}>
            {option}
          </option>
        ))}
      </select>
    </label>
  )
}

/** A filter's checkbox, its label after it. */
export function FilterCheck(props: {
  label: string
  checked: boolean
  onToggle: (checked: boolean) => void
}) {
  const { label, checked, onToggle } = props
  return (
    <label class="check">
      <input
        type="checkbox"
        checked={checked}
        onChange={(event) => onToggle((event.target as HTMLInputElement).checked)}
      />
      {label}
    </label>
  )
}
