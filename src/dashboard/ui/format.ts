/**
 * Pure formatting and data shaping of the dashboard: numbers for people, report states, rates
 * from counter samples, score history from receive times, order books from offers. No DOM, no
 * I/O: the same functions run in the browser bundle and in the unit tests under Node.
 */
import type {
  CapabilityView,
  OfferStage,
  OfferView,
  OracleDetail,
  ReportSummary,
  ReportView,
} from '../../mempool/index.ts'
import { reportTextOf } from '../../protocol/index.ts'

/** log2 of an amount of work, negative for a negative amount (as the API's `bits`). */
export function bitsOf(work: bigint): number {
  if (work === 0n) return 0
  if (work < 0n) return -bitsOf(-work)
  const length = work.toString(2).length
  const shift = Math.max(0, length - 53)
  return Math.log2(Number(work >> BigInt(shift))) + shift
}

/** Bits for people: one decimal, a real minus sign: `"20.6"`, `"−12.0"`. */
export function formatBits(bits: number): string {
  const text = Math.abs(bits).toFixed(Math.abs(bits) >= 100 ? 0 : 1)
  return bits < 0 && text !== '0.0' ? `−${text}` : text
}

/**
 * What an oracle's numbers are made of, each as work and bits: its capabilities' work (strength
 * − identity) and the work of the reports that count against it (strength − score), so that a
 * counting report stays visible when the rounded score equals the rounded strength.
 */
export interface ScoreParts {
  capabilities: { work: bigint; bits: number }
  counting: { work: bigint; bits: number }
  /** The score is below zero: the counting reports outweigh identity and capabilities. */
  negative: boolean
}

export function scoreParts(oracle: Pick<OracleDetail, 'identity' | 'strength' | 'score'>): ScoreParts {
  const strength = BigInt(oracle.strength.work)
  const capabilities = strength - BigInt(oracle.identity.work)
  const counting = strength - BigInt(oracle.score.work)
  return {
    capabilities: { work: capabilities, bits: bitsOf(capabilities) },
    counting: { work: counting, bits: bitsOf(counting) },
    negative: BigInt(oracle.score.work) < 0n,
  }
}

/** Why a score is negative, for a newcomer. */
export function negativeScoreHelp(scoreBits: number): string {
  return `Below zero: the reports that count carry more work than this oracle's identity and capabilities together. ${formatBits(scoreBits)} bits means the excess is 2^${formatBits(Math.abs(scoreBits))} hashes of work; the oracle must out-mine it to rank above zero again.`
}

/** An integer with thousands separators: `"1,234,567"`. */
export function formatCount(value: number): string {
  return Math.round(value).toLocaleString('en-US')
}

const BYTE_UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB']

/** Bytes in binary units: `"512 B"`, `"1.5 MiB"`. */
export function formatBytes(bytes: number): string {
  let value = bytes
  let unit = 0
  while (value >= 1024 && unit < BYTE_UNITS.length - 1) {
    value /= 1024
    unit++
  }
  return unit === 0 ? `${value} B` : `${value.toFixed(value >= 100 ? 0 : 1)} ${BYTE_UNITS[unit]}`
}

/** A duration in its two largest units: `"12s"`, `"4m 10s"`, `"2h 5m"`, `"3d 4h"`. */
export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds))
  const parts: [number, string][] = [
    [Math.floor(s / 86_400), 'd'],
    [Math.floor((s % 86_400) / 3600), 'h'],
    [Math.floor((s % 3600) / 60), 'm'],
    [s % 60, 's'],
  ]
  const first = parts.findIndex(([value]) => value > 0)
  if (first === -1) return '0s'
  return parts
    .slice(first, first + 2)
    .filter(([value], index) => index === 0 || value > 0)
    .map(([value, unit]) => `${value}${unit}`)
    .join(' ')
}

/** How long ago a Unix time (seconds) was, seen at `now` (seconds): `"5m ago"`, `"in 2h"`. */
export function formatAge(now: number, then: number): string {
  const delta = now - then
  if (Math.abs(delta) < 1) return 'now'
  return delta > 0 ? `${formatDuration(delta)} ago` : `in ${formatDuration(-delta)}`
}

/** A hex key shortened for tables: `"8a88e3dd…6f5c"`. */
export function shortKey(hex: string): string {
  return hex.length > 16 ? `${hex.slice(0, 8)}…${hex.slice(-4)}` : hex
}

/** Width of a bar in percent of the largest: |bits| / maxBits, within 0–100. */
export function barPercent(bits: number, maxBits: number): number {
  if (!(maxBits > 0)) return 0
  return Math.min(100, Math.max(0, (Math.abs(bits) / maxBits) * 100))
}

/**
 * What people should make of a report: `verified` (the node checked its evidence), `subjective`
 * (for people to judge) or `disputed` (the oracle answered it with the fact it was said to owe,
 * and the node checked that dispute). A report whose evidence fails is refused at admission,
 * so no held report is `refuted` (the trader toolkit's word for evidence that does not hold):
 * the same vocabulary as docs/traders.md.
 */
export type ReportState = 'verified' | 'subjective' | 'disputed'

export function reportState(report: Pick<ReportSummary, 'verdict' | 'disputed'>): ReportState {
  if (report.disputed) return 'disputed'
  return report.verdict
}

/** Explanations of each state, for a tooltip or a legend. */
export const REPORT_STATE_HELP: Record<ReportState, string> = {
  verified: 'the node checked the evidence: signatures and conflicting content',
  subjective: 'a complaint for people to judge; counted only under a policy that counts them',
  disputed: 'the oracle produced the fact it owed and the node checked it; no longer counts',
}

/** Admission outcomes grouped as the chart shows them. */
export interface Outcomes {
  /** added or updated */
  admitted: number
  /** duplicates, too little work for the pool now, outside the shard */
  ignored: number
  /** broke a rule (schema, PoW, signature, semantics) */
  rejected: number
}

/** Groups the `/stats` counters by status into {@link Outcomes}. */
export function outcomesOf(status: Record<string, number>): Outcomes {
  const get = (name: string) => status[name] ?? 0
  return {
    admitted: get('added') + get('updated'),
    ignored: get('duplicate') + get('low-pow') + get('skipped'),
    rejected: get('invalid'),
  }
}

/** Cumulative outcome counters read at time `t` (milliseconds). */
export interface Sample extends Outcomes {
  t: number
}

/** Outcomes per second between two samples, stamped with the later one's time. */
export interface Rate extends Outcomes {
  t: number
}

/** Appends a sample, keeping the last `max`. */
export function pushSample(samples: readonly Sample[], sample: Sample, max = 60): Sample[] {
  const out = [...samples, sample]
  return out.length > max ? out.slice(out.length - max) : out
}

/**
 * Rates per second between consecutive samples. A counter that went down (the node restarted)
 * counts from zero again rather than as a negative rate.
 */
export function ratesOf(samples: readonly Sample[]): Rate[] {
  const rates: Rate[] = []
  for (let i = 1; i < samples.length; i++) {
    const a = samples[i - 1]!
    const b = samples[i]!
    const seconds = (b.t - a.t) / 1000
    if (!(seconds > 0)) continue
    const rate = (key: keyof Outcomes) => (b[key] >= a[key] ? b[key] - a[key] : b[key]) / seconds
    rates.push({ t: b.t, admitted: rate('admitted'), ignored: rate('ignored'), rejected: rate('rejected') })
  }
  return rates
}

/** One step of an oracle's score history. */
export interface ScorePoint {
  /** Unix seconds. */
  t: number
  strength: bigint
  score: bigint
}

/**
 * An oracle's strength and score as this node's entries arrived: identity work from the first
 * entry on, each capability's work from its receive time, minus each report that counts from its
 * receive time. Built from the entries held now (an evicted or replaced entry leaves no trace),
 * so the last point is the oracle's current strength and score.
 */
export function scoreHistory(
  detail: Pick<OracleDetail, 'identity' | 'receivedAt' | 'capabilities' | 'reports'>,
): ScorePoint[] {
  const steps: { t: number; strength: bigint; penalty: bigint }[] = [
    ...detail.capabilities.map((c) => ({ t: c.receivedAt, strength: BigInt(c.work.work), penalty: 0n })),
    ...detail.reports
      .filter((r) => r.counts)
      .map((r) => ({ t: r.receivedAt, strength: 0n, penalty: BigInt(r.work.work) })),
  ].sort((a, b) => a.t - b.t)
  const start = Math.min(detail.receivedAt, ...steps.map((step) => step.t))
  let strength = BigInt(detail.identity.work)
  let penalty = 0n
  const points: ScorePoint[] = [{ t: start, strength, score: strength }]
  for (const step of steps) {
    strength += step.strength
    penalty += step.penalty
    const point = { t: step.t, strength, score: strength - penalty }
    if (points.at(-1)!.t === step.t) points[points.length - 1] = point
    else points.push(point)
  }
  return points
}

/** The question with its `$param` placeholders filled from `args` (unknown ones left as they are). */
export function fillQuestion(question: string, args: Record<string, string>): string {
  return question.replace(/\$([A-Za-z_][A-Za-z0-9_]*)/g, (match, name: string) => args[name] ?? match)
}

/** Arguments of a fact request as one stable line: `"away=CHE date=2026-11-21 home=ARS"`. */
export function argsLabel(args: Record<string, string>): string {
  return Object.keys(args)
    .sort()
    .map((name) => `${name}=${args[name]}`)
    .join(' ')
}

/** One offer as a line of an order book. */
export interface BookRow {
  offer: OfferView
  stage: OfferStage
  /** The fact request's arguments, sorted: the market within the capability. */
  market: string
  originatorBets: string[]
  acceptorBets: string[]
  originatorAmount: number
  acceptorAmount: number
  /** Probability of the originator's answers implied by the stakes: their amount / the pot. */
  impliedOdds: number
  expires: number
}

/** The offers on one capability. */
export interface Book {
  /** Capability key (what offers reference). */
  capability: string
  /** The capability's ad, when this node holds it. */
  ad: CapabilityView | undefined
  rows: BookRow[]
  stages: Record<OfferStage, number>
  /** Sum of both sides' amounts over all offers. */
  volume: number
}

const STAGE_ORDER: Record<OfferStage, number> = { open: 0, accepted: 1, finalized: 2 }

/**
 * Groups offers into one book per capability, busiest book first; within a book by market
 * (the request's arguments), open offers first, then by the originator's implied odds.
 */
export function orderBooks(
  offers: readonly OfferView[],
  capabilities: ReadonlyMap<string, CapabilityView>,
): Book[] {
  const books = new Map<string, Book>()
  for (const offer of offers) {
    const { terms } = offer.message
    const row: BookRow = {
      offer,
      stage: offer.stage,
      market: argsLabel(terms.question.args),
      originatorBets: terms.originatorBets,
      acceptorBets: terms.acceptorBets,
      originatorAmount: terms.originatorAmount,
      acceptorAmount: terms.acceptorAmount,
      impliedOdds: terms.originatorAmount / (terms.originatorAmount + terms.acceptorAmount || 1),
      expires: terms.expires,
    }
    let book = books.get(offer.capability)
    if (!book) {
      book = {
        capability: offer.capability,
        ad: capabilities.get(offer.capability),
        rows: [],
        stages: { open: 0, accepted: 0, finalized: 0 },
        volume: 0,
      }
      books.set(offer.capability, book)
    }
    book.rows.push(row)
    book.stages[row.stage]++
    book.volume += row.originatorAmount + row.acceptorAmount
  }
  const out = [...books.values()]
  for (const book of out)
    book.rows.sort(
      (a, b) =>
        a.market.localeCompare(b.market) ||
        STAGE_ORDER[a.stage] - STAGE_ORDER[b.stage] ||
        b.impliedOdds - a.impliedOdds ||
        a.offer.id.localeCompare(b.offer.id),
    )
  return out.sort((a, b) => b.volume - a.volume || a.capability.localeCompare(b.capability))
}

/** A percentage for people: `"45%"`. */
export function formatPercent(fraction: number): string {
  return `${Math.round(fraction * 100)}%`
}

/** A Unix time as an ISO minute in UTC: `"2026-11-21 14:00 UTC"`. */
export function formatTime(seconds: number): string {
  return `${new Date(seconds * 1000).toISOString().slice(0, 16).replace('T', ' ')} UTC`
}

/**
 * What a report's evidence says, in one line: the conflicting answers, the missed request and
 * its deadline, the colliding ads, or the reporter's comment; then the oracle's answer when a
 * dispute refuted it. Text from the network: render it as text, never as markup.
 */
export function reportEvidence(report: Pick<ReportView, 'message' | 'dispute'>): string {
  const content = report.message.content
  let text = reportTextOf(content.type).describe(content, { args: argsLabel, time: formatTime })
  if ('links' in content && content.links.length > 0) text += ` (${content.links.join(', ')})`
  if (report.dispute) text += ` — disputed with the fact “${report.dispute.fact.answer}”`
  return text
}
