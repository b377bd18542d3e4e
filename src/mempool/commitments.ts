/**
 * One commitment, one penalty (docs/protocol.md §8). The fact-missing reports against an oracle
 * that accuse the same commitment (same commitment id) are one failure: of those held, the one
 * with the most work counts (ties: the lowest id), and a valid dispute of any of them clears
 * them all. Without this, a reporter files one missed deadline n times for n penalties, and the
 * oracle has to dispute each copy; with it, a weak self-report cannot pre-empt a strong one
 * either, since the strongest counts, whoever filed first.
 */
import { type Report, specOf } from '../protocol/index.ts'
import type { ReportEntry } from './entries.ts'

/**
 * The commitment a report accuses: its kind's subject (`ReportKindSpec.subject`), the id of
 * the commitment a fact-missing report embeds.
 */
export function commitmentOf(report: Report): string | undefined {
  return specOf(report.content).subject?.(report.content)
}

/** Whether report `a` takes precedence over `b` on one commitment: more work, then the lower id. */
function outranks(a: { work: bigint; id: string }, b: { work: bigint; id: string }): boolean {
  return a.work > b.work || (a.work === b.work && a.id < b.id)
}

/** The report that counts among those on one commitment: none once one is disputed. */
export function countingReport(reports: Iterable<ReportEntry>): ReportEntry | undefined {
  let counting: ReportEntry | undefined
  for (const report of reports) {
    if (report.dispute) return undefined
    if (!counting || outranks(report, counting)) counting = report
  }
  return counting
}

/**
 * Whether a report with `work` and `id` would count among `reports` (those held on its
 * commitment; a held copy of the same id is the one it replaces).
 */
export function wouldCount(reports: Iterable<ReportEntry> | undefined, work: bigint, id: string): boolean {
  for (const report of reports ?? []) {
    if (report.dispute) return false
    if (report.id !== id && !outranks({ work, id }, report)) return false
  }
  return true
}
