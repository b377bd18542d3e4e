/**
 * The rules that turn a message into bytes: what is signed, what the id hashes, what the PoW
 * is bound to, and which entity an update replaces. One function per rule; everything that
 * signs, verifies, hashes or mines goes through here.
 */
import { backend } from '#crypto'
import { canonicalBytes, canonicalize, canonicalObjectTexts, canonicalString } from './canonical.ts'
import { utf8, utf8Length } from './hex.ts'
import type { Message, MessageKind, Offer, PublicKey } from './messages/index.ts'

type Body = Record<string, unknown>

/** Drops the proof fields (`signature`, `pow`) from a message: what ids and signatures cover. */
export function withoutProofs(message: Message): Body {
  const { signature: _signature, pow: _pow, ...body } = message as Body
  return body
}

/**
 * The object whose canonical bytes the message's signer signs.
 *
 * Every kind signs itself minus `signature` and `pow`, except offers: the originator signs
 * `{ kind: 'offer', terms }` once, and later stages add signatures of their own
 * (see {@link acceptanceBody} and {@link finalizationBody}).
 */
export function signedBody(message: Message): Body {
  if (message.kind === 'offer') return { kind: 'offer', terms: message.terms }
  return withoutProofs(message)
}

/** Canonical bytes the signer signs (ed25519 signs them, bip340 signs their SHA-256). */
export function signingBytes(message: Message): Uint8Array {
  let bytes = signingBytesCache.get(message)
  if (!bytes) {
    bytes = canonicalBytes(signedBody(message))
    signingBytesCache.set(message, bytes)
  }
  return bytes
}

// Admission needs an offer's signed bytes three times (offer key, PoW bound, signature) and a
// report's twice: remembered per message object. Messages are never mutated after they are
// built (every helper returns a new object), so the bytes cannot go stale. Whoever keeps a
// message long after checking it (the mempool) forgets its bytes, which would otherwise live
// as long as the message.
const signingBytesCache = new WeakMap<Message, Uint8Array>()

/**
 * Hands {@link signingBytes} the text of the message's signed body, computed with its id
 * ({@link canonicalTexts}), so it need not be serialized twice.
 */
export function primeSigningBytes(message: Message, signedText: string): void {
  if (!signingBytesCache.has(message)) signingBytesCache.set(message, utf8(signedText))
}

/** Drops the signed bytes remembered for `message` (see {@link signingBytes}). */
export function forgetSigningBytes(message: Message): void {
  signingBytesCache.delete(message)
}

/**
 * The canonical texts a message's checks hash, from one serialization of its members:
 * - `withoutProofs`: `JCS(m)` without proofs, what its id hashes;
 * - `signed`: the text of {@link signedBody} (the same but for offers: `{kind, terms}`);
 * - `powBound`: the text of {@link powBoundBody} when it is made of the message's members
 *   (capabilities, reports, offers), else undefined (an oracle's is three short members).
 * Each is exactly `canonicalize` of the body the rule names.
 */
export interface CanonicalTexts {
  withoutProofs: string
  signed: string
  powBound: string | undefined
}

const PROOFS = ['signature', 'pow'] as const
// The members that powBoundBody keeps of a capability and signedBody of an offer (a property
// test holds each text to `canonicalize` of the body).
const BOUND_BY_CAPABILITY_WORK = [(key: string) => key !== 'seqNo' && key !== 'off']
const SIGNED_BY_OFFER_ORIGINATOR = [(key: string) => key === 'kind' || key === 'terms']

export function canonicalTexts(message: Message): CanonicalTexts {
  const record = message as unknown as Body
  switch (message.kind) {
    case 'capability': {
      const [withoutProofs, powBound] = canonicalObjectTexts(record, PROOFS, BOUND_BY_CAPABILITY_WORK)
      return { withoutProofs: withoutProofs!, signed: withoutProofs!, powBound }
    }
    case 'report': {
      const [withoutProofs] = canonicalObjectTexts(record, PROOFS)
      return { withoutProofs: withoutProofs!, signed: withoutProofs!, powBound: withoutProofs }
    }
    case 'offer': {
      const [withoutProofs, signed] = canonicalObjectTexts(record, PROOFS, SIGNED_BY_OFFER_ORIGINATOR)
      return { withoutProofs: withoutProofs!, signed: signed!, powBound: signed }
    }
    default: {
      const [withoutProofs] = canonicalObjectTexts(record, PROOFS)
      return { withoutProofs: withoutProofs!, signed: withoutProofs!, powBound: undefined }
    }
  }
}

/** Id of a message: hex SHA-256 of its canonical bytes without `signature` and `pow`. */
export function messageId(message: Message): string {
  return idOfCanonical(canonicalize(withoutProofs(message)))
}

/**
 * Size of a message: the UTF-8 bytes of its canonical form with its proofs, `JCS(m)`, which is
 * what a node publishes. One measure for every entry point, whatever whitespace or escapes the
 * sender used (docs/protocol.md §9, `TOO_LARGE`).
 */
export function messageSize(message: Message): number {
  return canonicalSize(canonicalize(withoutProofs(message)), message)
}

/**
 * {@link messageSize} from `JCS(withoutProofs(m))`, which admission computes for the id anyway:
 * the proof members add `,"pow":{"bits":…,"hash":"…","nonce":"…"}` and `,"signature":"…"`
 * (hex, so one byte a character), counted without serializing them again.
 */
export function canonicalSize(canonicalWithoutProofs: string, message: Message): number {
  const { pow, signature } = message as {
    pow?: { bits: number; hash: string; nonce: string }
    signature?: string
  }
  let size = utf8Length(canonicalWithoutProofs)
  // ,"pow":{"bits":  ,"hash":"  ","nonce":"  "}
  if (pow) size += 15 + String(pow.bits).length + 9 + pow.hash.length + 11 + pow.nonce.length + 2
  // ,"signature":"  "
  if (signature !== undefined) size += 14 + signature.length + 1
  return size
}

/** The id of a message from its canonical JSON without proofs, for callers that keep that text. */
export function idOfCanonical(canonical: string): string {
  return backend.sha256Hex(canonical)
}

/**
 * The object the message's PoW is bound to (its canonical bytes are `bound`):
 * - oracle: `{ kind, scheme, pubkey }` — identity work survives every update of the ad;
 * - capability: the signed body minus `seqNo` and `off` — work survives off/on switches;
 * - report: the whole report without proofs, including the targeted oracle key;
 * - offer: `{ kind: 'offer', terms }` — work survives acceptance and finalization.
 * Disputes, commitments, facts and manifests carry no PoW.
 */
export function powBoundBody(message: Message): Body | undefined {
  switch (message.kind) {
    case 'oracle':
      return { kind: 'oracle', scheme: message.scheme, pubkey: message.pubkey }
    case 'capability': {
      const { seqNo: _seqNo, off: _off, ...rest } = withoutProofs(message)
      return rest
    }
    case 'report':
      return withoutProofs(message)
    case 'offer':
      return { kind: 'offer', terms: message.terms }
    default:
      return undefined
  }
}

/** Bytes the PoW of `message` is bound to, or undefined for kinds without PoW. */
export function powBound(message: Message): Uint8Array | undefined {
  const input = powBoundInput(message)
  return typeof input === 'string' ? utf8(input) : input
}

/**
 * What the PoW of `message` is bound to, as canonical JSON text (whose UTF-8 bytes are the
 * bound) or as bytes: verifying hashes the text as it is, without encoding it first.
 */
export function powBoundInput(message: Message): Uint8Array | string | undefined {
  // Offers and reports bind their work to exactly what their signer signs.
  if (message.kind === 'offer' || message.kind === 'report') return signingBytes(message)
  // An ad's bound is checked for every ad a node receives, before its rank or id: written
  // directly, in canonical order (the same text as `canonicalize` of its body).
  if (message.kind === 'oracle' && typeof message.pubkey === 'string' && typeof message.scheme === 'string')
    return `{"kind":"oracle","pubkey":${canonicalString(message.pubkey)},"scheme":${canonicalString(message.scheme)}}`
  const body = powBoundBody(message)
  return body && canonicalize(body)
}

/** Kinds whose messages carry a PoW. */
export const POW_KINDS: readonly MessageKind[] = ['oracle', 'capability', 'report', 'offer']

/**
 * The key that must have signed `message`, or undefined when nobody signs it
 * (disputes; reports filed anonymously).
 */
export function signerOf(message: Message): PublicKey | undefined {
  switch (message.kind) {
    case 'oracle':
      return { scheme: message.scheme, pubkey: message.pubkey }
    case 'capability':
      return { scheme: message.oracleScheme, pubkey: message.oracle }
    case 'report':
      return message.reporter
    case 'offer':
      return { scheme: message.terms.scheme, pubkey: message.terms.originator }
    case 'commitment':
    case 'fact':
      return { scheme: message.scheme, pubkey: message.request.capability }
    case 'manifest':
      return { scheme: message.oracle.scheme, pubkey: message.oracle.pubkey }
    case 'dispute':
      return undefined
  }
}

/** Key of an offer: hex SHA-256 of its signed terms; stays the same through all stages. */
export function offerKey(offer: Offer): string {
  return backend.sha256Hex(signingBytes(offer))
}

/**
 * What the acceptor signs: the offer key and the acceptance itself. `seqNo` is not part of it:
 * an offer's `seqNo` is its stage (0 open, 1 accepted, 2 finalized), which the signatures present
 * already prove, so finalizing does not invalidate the acceptance.
 */
export function acceptanceBody(offer: Offer): Body | undefined {
  if (!offer.acceptance) return undefined
  const { signature: _signature, ...acceptance } = offer.acceptance
  return { kind: 'offer-acceptance', offer: offerKey(offer), ...acceptance }
}

/** What the originator signs to finalize: the offer key and the one acceptance it confirms. */
export function finalizationBody(offer: Offer): Body | undefined {
  if (!offer.acceptance || !offer.finalization) return undefined
  const { signature: _signature, ...finalization } = offer.finalization
  return {
    kind: 'offer-finalization',
    offer: offerKey(offer),
    acceptor: offer.acceptance.acceptor,
    acceptance: offer.acceptance.signature,
    ...finalization,
  }
}

/**
 * What a capability key signs to prove it is held by, and serves, the oracle that advertises
 * it (`keyProof`): the binding of the two keys and their schemes, under its own `kind` so the
 * signature cannot be mistaken for any message's. Another oracle cannot reuse the proof, since
 * it names the oracle; the rest of the ad is the oracle's to sign.
 */
export function capabilityKeyBody(capability: {
  oracle: string
  oracleScheme: string
  capabilityKey: string
  capabilityScheme: string
}): Body {
  const { oracle, oracleScheme, capabilityKey, capabilityScheme } = capability
  return { kind: 'capability-key', oracle, oracleScheme, capabilityKey, capabilityScheme }
}

/** What a previous key signs to link an oracle to its new key. */
export function keyLinkBody(from: string, to: string): Body {
  return { kind: 'key-link', from, to }
}

/**
 * Identity of the entity a message updates: later messages with the same entity key and a
 * higher `seqNo` (or more work) replace earlier ones.
 */
export function entityKey(message: Message): string {
  switch (message.kind) {
    case 'oracle':
      return message.pubkey
    case 'capability':
      return message.capabilityKey
    case 'offer':
      return offerKey(message)
    case 'dispute':
      return message.report
    default:
      return messageId(message)
  }
}
