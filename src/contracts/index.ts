/**
 * Bitcoin contracts (Discreet Log Contracts) on Mega attestations, enumerated outcomes: a
 * finalized offer and the oracle's Schnorr commitment become a funding transaction, one CET per
 * answer adaptor-signed under the answer's attestation point, and a refund (docs/contracts.md).
 *
 * @packageDocumentation
 */
export * from './bitcoin.ts'
export * from './contract.ts'
export { adaptorPoints, decryptAdaptorSignature, dlcLibraryVersion } from './dlc.ts'
export * from './errors.ts'
export * from './keys.ts'
export * from './messages.ts'
export * from './settle.ts'
export * from './terms.ts'
