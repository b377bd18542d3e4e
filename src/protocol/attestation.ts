/**
 * Checks that a fact keeps the promise its commitment made (design §7): a Schnorr fact must be
 * signed with the committed nonce point R, a hash-lock fact must reveal the committed
 * preimage of its answer, a numeric fact must sign each digit of its value with that digit's
 * committed nonce (digits.ts). Signatures themselves are checked by `verifySignatures`.
 */
import { backend } from '#crypto'
import { verifyDigitSignatures } from './digits.ts'
import { ErrorCode, fail, ok, type Result } from './errors.ts'
import { fromHex, toHex } from './hex.ts'
import type { Commitment, Fact } from './messages/index.ts'
import { requestKey } from './verify-report.ts'

/** Verifies that `fact` answers `commitment`'s request in the way the commitment promised. */
export function verifyAttestation(commitment: Commitment, fact: Fact): Result<true> {
  if (requestKey(fact.request) !== requestKey(commitment.request)) {
    return broken('/request', 'the fact answers another request than the commitment')
  }
  if (fact.scheme !== commitment.scheme) return broken('/scheme', 'the fact is signed with another scheme')
  const promised = commitment.attestation
  if (promised.type !== 'schnorr-digits' && fact.digitSignatures !== undefined) {
    return broken('/digitSignatures', 'only a numeric commitment promises digit signatures')
  }
  switch (promised.type) {
    case 'schnorr-digits':
      if (fact.scheme !== 'bip340') return broken('/scheme', 'a numeric fact is signed with bip340')
      return verifyDigitSignatures(commitment, fact)
    case 'schnorr':
      // A BIP340 signature is R.x ‖ s: the first 32 bytes must be the committed nonce point.
      if (fact.scheme !== 'bip340' || fact.signature.slice(0, 64) !== promised.nonce) {
        return broken('/signature', 'the fact is not signed with the committed nonce point R')
      }
      return ok(true)
    case 'hashlock': {
      const lock = promised.locks.find((candidate) => candidate.answer === fact.answer)
      if (!lock) return broken('/answer', 'the commitment holds no lock for this answer')
      if (fact.preimage === undefined) return broken('/preimage', 'a hash-lock fact must reveal the preimage')
      if (toHex(backend.sha256(fromHex(fact.preimage, 32, 'preimage'))) !== lock.hash) {
        return broken('/preimage', 'the preimage does not open the committed lock')
      }
      return ok(true)
    }
    case 'signature':
      return ok(true)
  }
}

function broken(path: string, reason: string): Result<never> {
  return fail(ErrorCode.EVIDENCE_INVALID, `${path}: ${reason}`, { path })
}
