/**
 * The Mega protocol core: messages and their schemas, canonical form, ids, signatures, proof
 * of work, report evidence and scores. Pure functions without I/O; platform cryptography sits
 * behind the `#crypto` adapter, so this runs under Node and in browsers alike.
 *
 * @example
 * ```ts
 * import { generateKeyPair, sign, mineMessageSync, validateMessage, verifySignatures } from 'mega-peers/protocol'
 *
 * const key = generateKeyPair('ed25519')
 * const ad = mineMessageSync(sign({ kind: 'oracle', scheme: 'ed25519', pubkey: key.publicKey, seqNo: 1, tags: [] }, key.secretKey), 16)
 * validateMessage(ad).ok && verifySignatures(ad).ok // true
 * ```
 *
 * @packageDocumentation
 */

export * from './attestation.ts'
export * from './canonical.ts'
export * from './canonical-bytes.ts'
export {
  checkDigitCount,
  digitMessage,
  numericValue,
  recoverSecretFromDigitFacts,
  toDigits,
} from './digits.ts'
export * from './errors.ts'
export * from './hex.ts'
export * from './kdf.ts'
export * from './kinds.ts'
export * from './message.ts'
export * from './message-pow.ts'
export * from './messages/index.ts'
export { curveCapabilityProblem, curveTotal } from './offer-curve.ts'
export * from './oracle-attestation.ts'
export {
  leadingZeroBits,
  MAX_POW_BITS,
  mineSync,
  nonceFromHex,
  nonceToHex,
  powHash,
  powPrefix,
  reclaimPow,
  verifyPow,
  workOf,
} from './pow.ts'
export * from './reasons.ts'
export * from './report-kinds.ts'
export * from './report-text.ts'
export * from './rules.ts'
export * from './schnorr-nonce.ts'
export * from './score.ts'
export * from './settlement.ts'
export { createSearchKernel, type SearchHit, type SearchKernel } from './sha256-kernel.ts'
export * from './sign.ts'
export * from './signature.ts'
export { TypedEventTarget } from './typed-event-target.ts'
export * from './validate.ts'
export * from './verify-dispute.ts'
export * from './verify-manifest.ts'
export * from './verify-report.ts'
