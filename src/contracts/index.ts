/**
 * Bitcoin contracts (Discreet Log Contracts) on Mega attestations. Enumerated outcomes: a
 * finalized offer and the oracle's Schnorr commitment become a funding transaction, one CET per
 * answer adaptor-signed under the answer's attestation point, and a refund. Numeric outcomes: a
 * payout curve over a `schnorr-digits` answer, one CET per digit prefix (docs/contracts.md).
 *
 * @packageDocumentation
 */
export * from './bitcoin.ts'
export * from './contract.ts'
export {
  adaptorPoints,
  decryptAdaptorSignature,
  digitAdaptorPoints,
  dlcLibraryVersion,
  type PartyFunding,
} from './dlc.ts'
export * from './dlcspecs.ts'
export * from './errors.ts'
export * from './keys.ts'
export * from './messages.ts'
export * from './numeric.ts'
export * from './numeric-contract.ts'
export * from './quorum.ts'
export * from './settle.ts'
export * from './terms.ts'
