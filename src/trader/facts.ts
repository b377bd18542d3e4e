/**
 * Checks of what an oracle endpoint sends back (design §7): a commitment must promise, signed
 * by the capability key, exactly the request asked in the way the capability attests; a fact
 * must answer that request with one of the capability's answers, be signed by the capability
 * key and keep the commitment's promise — for a Schnorr capability the fact is a BIP340
 * signature whose nonce is the committed `R`, so verifying it checks `s·G = R + e·P`; for a
 * hash-lock capability the preimage opens the committed lock of its answer. Pure.
 */
import { verifyAttestation } from '../protocol/attestation.ts'
import type { Commitment, Fact, FactRequest, OracleCapability } from '../protocol/messages/index.ts'
import { verifySignatures } from '../protocol/sign.ts'
import { requestKey } from '../protocol/verify-report.ts'
import { TraderError, TraderErrorCode } from './errors.ts'

/** Throws `ENDPOINT_INVALID` unless `commitment` is a valid promise to answer `request` by `capability`. */
export function verifyCommitment(
  capability: OracleCapability,
  request: FactRequest,
  commitment: Commitment,
  now: number,
): void {
  if (requestKey(commitment.request) !== requestKey(request))
    throw invalid('/request', 'the commitment promises another request than the one asked')
  if (commitment.scheme !== capability.capabilityScheme)
    throw invalid(
      '/scheme',
      `the capability signs with ${capability.capabilityScheme}, not ${commitment.scheme}`,
    )
  const signed = verifySignatures(commitment)
  if (!signed.ok) throw invalid('/signature', `${signed.error.message} (not signed by the capability key)`)
  const promised = commitment.attestation
  if (promised.type !== capability.attestation) {
    throw invalid(
      '/attestation/type',
      `the capability attests by ${capability.attestation}, the commitment by ${promised.type}`,
    )
  }
  if (promised.type === 'hashlock') {
    const locked = promised.locks.map((lock) => lock.answer)
    const missing = capability.answers.find((answer) => !locked.includes(answer))
    if (missing !== undefined) throw invalid('/attestation/locks', `no lock for the answer "${missing}"`)
    if (
      new Set(locked).size !== locked.length ||
      locked.some((answer) => !capability.answers.includes(answer))
    )
      throw invalid('/attestation/locks', 'the locks must be one per answer of the capability')
  }
  if (commitment.deadline <= now)
    throw invalid(
      '/deadline',
      `the deadline ${new Date(commitment.deadline * 1000).toISOString()} has already passed`,
    )
}

/** Throws `ENDPOINT_INVALID` unless `fact` answers `commitment` as it promised. */
export function verifyFact(capability: OracleCapability, commitment: Commitment, fact: Fact): void {
  if (requestKey(fact.request) !== requestKey(commitment.request))
    throw invalid('/request', 'the fact answers another request than the commitment')
  if (fact.scheme !== capability.capabilityScheme)
    throw invalid('/scheme', `the capability signs with ${capability.capabilityScheme}, not ${fact.scheme}`)
  if (!capability.answers.includes(fact.answer))
    throw invalid(
      '/answer',
      `"${fact.answer}" is not one of the capability's answers (${capability.answers.join(', ')})`,
    )
  const signed = verifySignatures(fact)
  if (!signed.ok) throw invalid('/signature', `${signed.error.message} (not signed by the capability key)`)
  const kept = verifyAttestation(commitment, fact)
  if (!kept.ok)
    throw invalid(String(kept.error.details.path ?? '/'), kept.error.message.replace(/^\/\w+: /, ''))
}

function invalid(path: string, reason: string): TraderError {
  return new TraderError(TraderErrorCode.ENDPOINT_INVALID, `${path}: ${reason}`, { path })
}
