/**
 * Verifier of a dispute (design §8): the oracle answers a disputable report (a `fact-missing`
 * one: its kind's spec has `dispute`) with the fact
 * it was accused of not delivering. Checked against the report and the capability the oracle
 * advertised, never against a key the dispute brings. Nodes and traders call this one rule.
 */

import { verifyAttestation } from './attestation.ts'
import { ErrorCode, fail, ok, type Result } from './errors.ts'
import type { Dispute, OracleCapability, Report } from './messages/index.ts'
import { checkAnswer } from './oracle-attestation.ts'
import { specOf } from './report-kinds.ts'
import { verifySignatures } from './sign.ts'
import { requestKey } from './verify-report.ts'

/**
 * Verifies that `dispute` cancels `report`: the report is of a disputable kind (`fact-missing`), the fact answers
 * the committed request with one of the capability's answers, is signed by the capability key
 * and keeps the commitment's promise (nonce or hash lock). `capability` is the oracle's own ad
 * of that capability when the caller holds one; the report's embedded ad otherwise.
 * Fails with `EVIDENCE_INVALID` (or a signature code), `details.path` naming the part at fault.
 */
export function verifyDispute(report: Report, dispute: Dispute, capability?: OracleCapability): Result<true> {
  const content = report.content
  const disputable = specOf(content).dispute
  if (!disputable) return broken('/report', `a ${content.type} report cannot be disputed with a fact`)
  const commitment = disputable.commitment(content)
  const advertised =
    capability?.oracle === report.oracle && capability.capabilityKey === commitment.request.capability
      ? capability
      : disputable.capability(content)
  const fact = dispute.fact
  if (requestKey(fact.request) !== requestKey(commitment.request)) {
    return broken('/fact/request', 'the fact answers another request than the commitment')
  }
  if (fact.scheme !== advertised.capabilityScheme) {
    return broken('/fact/scheme', `the capability signs with ${advertised.capabilityScheme}`)
  }
  if (!checkAnswer(advertised, fact.answer).ok) {
    return broken('/fact/answer', 'the answer is not one of the capability’s answers')
  }
  const signed = verifySignatures(fact)
  if (!signed.ok) return broken('/fact/signature', signed.error.message)
  const kept = verifyAttestation(commitment, fact)
  if (!kept.ok) return broken(`/fact${kept.error.details.path ?? ''}`, kept.error.message)
  return ok(true)
}

function broken(path: string, reason: string): Result<never> {
  return fail(ErrorCode.EVIDENCE_INVALID, `${path}: ${reason}`, { path })
}
