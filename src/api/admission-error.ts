/** An admission the node refused, as the API's coded error. */
import type { FactAdmission } from '../facts/index.ts'
import { ApiError, ApiErrorCode, type ProblemDetails } from '../http/index.ts'
import type { Admission } from '../mempool/index.ts'

/**
 * The error of an admission that did not take the message (`invalid` or `low-pow`), the
 * mempool's (`POST /submit`) or the fact pool's (`POST /fact-record`), carrying its reason
 * code, JSON path, kind, id and, for low PoW, the floor and the bits needed. An `invalid`
 * admission without a reason is a fault of the node (`INTERNAL`), never of the message.
 */
export function admissionError(admission: Admission | FactAdmission): ApiError {
  const reason = admission.reason
  const lowPow = admission.status === 'low-pow'
  const code = lowPow ? ApiErrorCode.LOW_POW : (reason?.code ?? ApiErrorCode.INTERNAL)
  const message =
    reason?.message ??
    (lowPow ? 'not enough work to enter the pool now' : 'the pool refused the message without a reason')
  const details: ProblemDetails = {}
  if (reason?.path !== undefined) details.path = reason.path
  if (admission.kind !== undefined) details.kind = admission.kind
  if (admission.id !== undefined) details.id = admission.id
  if ('floorBits' in admission && admission.floorBits !== undefined) details.floorBits = admission.floorBits
  if ('requiredBits' in admission && admission.requiredBits !== undefined)
    details.requiredBits = admission.requiredBits
  return new ApiError(code, message, details)
}
