/**
 * Signing and signature verification of whole messages, following the rules of message.ts:
 * the signer's key is named by the message itself, the signed bytes are its signed body.
 */
import { canonicalBytes } from './canonical.ts'
import { ErrorCode, fail, ok, ProtocolError, type Result } from './errors.ts'
import {
  acceptanceBody,
  capabilityKeyBody,
  finalizationBody,
  keyLinkBody,
  signedBody,
  signerOf,
  signingBytes,
} from './message.ts'
import type {
  Message,
  Offer,
  OfferAcceptance,
  OfferFinalization,
  OracleCapability,
} from './messages/index.ts'
import { signMessage, verifyMessage } from './signature.ts'

/** A message before its proofs: what you fill in, then sign and mine. */
export type Draft<M extends Message> = Omit<M, 'signature' | 'pow'> &
  Partial<Pick<M, Extract<keyof M, 'pow'>>>

/** A capability before its capability key has signed it: see {@link proveCapabilityKey}. */
export type CapabilityDraft = Omit<Draft<OracleCapability>, 'keyProof'>

/**
 * Adds the capability key's proof of possession (`keyProof`, signed with `capabilitySecretKey`
 * over {@link capabilityKeyBody}) to a capability draft; the oracle then mines and signs it.
 * Throws a coded error for a bad key.
 */
export function proveCapabilityKey<D extends CapabilityDraft>(
  draft: D,
  capabilitySecretKey: string,
  auxRand?: Uint8Array,
): D & Pick<OracleCapability, 'keyProof'> {
  const body = canonicalBytes(capabilityKeyBody(draft))
  const keyProof = signMessage(draft.capabilityScheme, body, capabilitySecretKey, auxRand)
  return { ...draft, keyProof }
}

/**
 * Signs a capability draft with both its keys: the capability key's proof, then the oracle's
 * signature (mine afterwards; the work covers the proof). See {@link proveCapabilityKey}.
 */
export function signCapability(
  draft: CapabilityDraft & { pow?: OracleCapability['pow'] },
  oracleSecretKey: string,
  capabilitySecretKey: string,
  auxRand?: Uint8Array,
): OracleCapability {
  return sign<OracleCapability>(
    proveCapabilityKey(draft, capabilitySecretKey, auxRand),
    oracleSecretKey,
    auxRand,
  )
}

/**
 * Signs `draft` with `secretKey` (hex), returning a new message with `signature` set.
 * The scheme is the one the message names for its signer. Throws a coded error for a bad key,
 * and `SIGNATURE_MISSING` for a report without `reporter` (nobody to sign as).
 */
export function sign<M extends Message>(draft: Draft<M> | M, secretKey: string, auxRand?: Uint8Array): M {
  const message = draft as M
  const signer = signerOf(message)
  if (!signer) throw missing(message.kind)
  const signature = signMessage(signer.scheme, canonicalBytes(signedBody(message)), secretKey, auxRand)
  return { ...message, signature }
}

/** Adds the acceptor's signature to an offer whose `acceptance` (minus signature) and `seqNo` are set. */
export function signAcceptance(
  offer: Omit<Offer, 'acceptance'> & {
    acceptance: Omit<OfferAcceptance, 'signature'> & { signature?: string }
  },
  secretKey: string,
  auxRand?: Uint8Array,
): Offer {
  const unsigned = { ...offer, acceptance: { ...offer.acceptance, signature: '' } } as Offer
  const body = acceptanceBody(unsigned)!
  const signature = signMessage(offer.acceptance.scheme, canonicalBytes(body), secretKey, auxRand)
  return { ...offer, acceptance: { ...offer.acceptance, signature } }
}

/** Adds the originator's finalization signature to an accepted offer. */
export function signFinalization(
  offer: Omit<Offer, 'finalization'> & {
    finalization: Omit<OfferFinalization, 'signature'> & { signature?: string }
  },
  secretKey: string,
  auxRand?: Uint8Array,
): Offer {
  const unsigned = { ...offer, finalization: { ...offer.finalization, signature: '' } } as Offer
  const body = finalizationBody(unsigned)
  if (!body) throw missing('offer finalization')
  const signature = signMessage(offer.terms.scheme, canonicalBytes(body), secretKey, auxRand)
  return { ...offer, finalization: { ...offer.finalization, signature } }
}

/** Signature by `secretKey` (the previous key) linking it to the new key `to`. */
export function signKeyLink(
  scheme: Parameters<typeof signMessage>[0],
  from: string,
  to: string,
  secretKey: string,
) {
  return signMessage(scheme, canonicalBytes(keyLinkBody(from, to)), secretKey)
}

/**
 * Verifies every signature a message carries: its signer's, and for offers the acceptance and
 * finalization, for oracle ads the previous-key link, for capabilities the capability key's
 * proof of possession. Fails with `SIGNATURE_MISSING`,
 * `SIGNATURE_INVALID` or a key/encoding code; `details.path` names the signature at fault.
 */
export function verifySignatures(message: Message): Result<true> {
  const signer = signerOf(message)
  const signature = (message as { signature?: string }).signature
  if (signer) {
    if (signature === undefined) {
      return fail(ErrorCode.SIGNATURE_MISSING, `${message.kind} must be signed by ${signer.pubkey}`, {
        path: '/signature',
      })
    }
    const checked = at(
      '/signature',
      verifyMessage(signer.scheme, signingBytes(message), signature, signer.pubkey),
    )
    if (!checked.ok) return checked
  } else if (signature !== undefined) {
    return fail(ErrorCode.SIGNATURE_INVALID, `${message.kind} carries a signature but names no signer`, {
      path: '/signature',
    })
  }
  if (message.kind === 'capability') return verifyKeyProof(message)
  if (message.kind === 'oracle' && message.previousKey) {
    const link = message.previousKey
    const body = canonicalBytes(keyLinkBody(link.pubkey, message.pubkey))
    return at('/previousKey/signature', verifyMessage(link.scheme, body, link.signature, link.pubkey))
  }
  if (message.kind === 'offer') return verifyOfferStages(message)
  return ok(true)
}

/**
 * The capability key's proof that it serves this oracle: without it, any oracle could advertise
 * another's capability key and have that oracle's facts attributed to itself.
 */
function verifyKeyProof(capability: OracleCapability): Result<true> {
  const { capabilityScheme, capabilityKey, keyProof } = capability
  const body = canonicalBytes(capabilityKeyBody(capability))
  return at('/keyProof', verifyMessage(capabilityScheme, body, keyProof, capabilityKey))
}

function verifyOfferStages(offer: Offer): Result<true> {
  if (offer.acceptance) {
    const { scheme, acceptor, signature } = offer.acceptance
    const checked = verifyMessage(scheme, canonicalBytes(acceptanceBody(offer)!), signature, acceptor)
    if (!checked.ok) return at('/acceptance/signature', checked)
  }
  if (offer.finalization) {
    const body = finalizationBody(offer)
    if (!body) {
      return fail(ErrorCode.SIGNATURE_INVALID, 'a finalized offer must carry the acceptance it finalizes', {
        path: '/finalization',
      })
    }
    const { scheme, originator } = offer.terms
    return at(
      '/finalization/signature',
      verifyMessage(scheme, canonicalBytes(body), offer.finalization.signature, originator),
    )
  }
  return ok(true)
}

function at(path: string, result: Result<true>): Result<true> {
  if (result.ok) return result
  const { code, message, details } = result.error
  return fail(code, `${path}: ${message}`, { ...details, path })
}

function missing(what: string): ProtocolError {
  return new ProtocolError(
    ErrorCode.SIGNATURE_MISSING,
    `${what} names no signer: set the signer's public key first`,
  )
}
