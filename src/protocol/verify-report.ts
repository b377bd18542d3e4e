/**
 * Verifiers of report evidence (design §8), one per report kind (src/protocol/report-kinds.ts):
 * `fact-conflict` and `ad-collision` are fully machine-checkable; `fact-missing` is checkable up
 * to "no fact shown yet" and is cancelled by a dispute; `fact-disagrees-with-public` and
 * `free-form` are subjective.
 */
import type { Result } from './errors.ts'
import type { Report, ReportContent } from './messages/index.ts'
import type { EvidenceContext, EvidenceVerdict } from './report-evidence.ts'
import { specOf } from './report-kinds.ts'

export {
  DEFAULT_CLOCK_SKEW_SECONDS,
  type EvidenceContext,
  type EvidenceVerdict,
  instantiateQuestion,
  requestKey,
  verifyFactConflict,
} from './report-evidence.ts'

/**
 * The verdict a report's evidence earns if it holds, read off its shape before any check: a
 * node ranks a report by whether it will count before paying for its signatures.
 * {@link verifyReportEvidence} returns the same verdict or fails.
 */
export function evidenceClass(content: ReportContent): EvidenceVerdict {
  return specOf(content).evidenceClass(content)
}

/**
 * Verifies the evidence a report carries against the oracle it targets. Fails with
 * `EVIDENCE_INVALID` (or a signature code) saying what does not hold; the reporter's own
 * signature is checked by `verifySignatures`, not here.
 */
export function verifyReportEvidence(report: Report, context: EvidenceContext): Result<EvidenceVerdict> {
  return specOf(report.content).verify(report.content, report.oracle, context)
}
