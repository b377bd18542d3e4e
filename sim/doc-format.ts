/**
 * Shared formatting for the generated docs/sybil.md: tables, percentages, and conversion of
 * simulated work back to real bits, seconds and joules.
 */
import { SCALE_BITS } from './config.ts'
import { formatJoules, formatSeconds, joulesFor, secondsFor, type WorkCost } from './cost.ts'

/** A section of the document and the charts it draws (file name → SVG). */
export interface Section {
  markdown: string
  charts: Map<string, string>
}

export function table(header: string[], rows: (string | number)[][]): string {
  const line = (cells: (string | number)[]) => `| ${cells.join(' | ')} |`
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n')
}

export function pct(value: number, digits = 1): string {
  return `${(value * 100).toFixed(digits)}%`
}

/** Bits of a simulated amount of work, in the real world (shifted by SCALE_BITS). */
export function realBits(simWork: number): number {
  return Math.log2(simWork) + SCALE_BITS
}

export function bitsText(bits: number): string {
  return Number.isInteger(bits) ? `${bits}` : bits.toFixed(1)
}

/** "2^26 ≈ 2.7 s, 82 J": real cost of a simulated amount of work on this machine. */
export function costText(simWork: number, cost: WorkCost): string {
  const trials = simWork * 2 ** SCALE_BITS
  return `${formatSeconds(secondsFor(trials, cost))}, ${formatJoules(joulesFor(trials, cost))}`
}

/** Chart reference in markdown, relative to docs/. */
export function chartLink(name: string, alt: string): string {
  return `![${alt}](img/${name})`
}
