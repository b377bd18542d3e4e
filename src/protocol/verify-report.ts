/**
 * Report evidence, checked by each report kind's verifier: the entry points every path calls
 * (admission, the trader, the page). The verifiers themselves, and what they share (request
 * keys, clock skew), are in report-verifiers.ts; each kind's spec (report-kinds.ts) names its
 * own, so a new kind needs no change here.
 */
import type { Result } from './errors.ts'
import type { Report, ReportContent } from './messages/index.ts'
import { specOf } from './report-kinds.ts'
import type { EvidenceContext, EvidenceVerdict } from './report-verifiers.ts'

export * from './report-verifiers.ts'

/**
 * The verdict a report's evidence earns if it holds, read off its shape before any check: a
 * node ranks a report by whether it will count before paying for its signatures.
 * {@link verifyReportEvidence} returns the same verdict or fails.
 */
export function evidenceClass(content: ReportContent): EvidenceVerdict {
  return specOf(content).evidenceClass(content)
}

/**
 * Verifies the evidence a report carries against the oracle it targets, by its kind's verifier.
 * Fails with `EVIDENCE_INVALID` (or a signature code) saying what does not hold; the reporter's
 * own signature is checked by {@link verifySignatures}, not here.
 */
export function verifyReportEvidence(report: Report, context: EvidenceContext): Result<EvidenceVerdict> {
  return specOf(report.content).verify(report.content, report.oracle, context)
}
