/**
 * Offer: trade terms on fact requests (a binary option: who wins on which answers, amounts,
 * chain, contact). The originator signs the terms once; acceptance and finalization are signed
 * updates with a higher `seqNo`, by the acceptor and then by the originator.
 */
import Type from 'typebox'
import { Hex32, Pow, SafeInteger, Scheme, SeqNo, SignatureHex, strict, UnixTime, Value } from './common.ts'
import { FactRequest } from './fact.ts'
import { LIMITS } from './limits.ts'

const Answers = Type.Array(Value, { minItems: 1, maxItems: LIMITS.answers, uniqueItems: true })

/**
 * Answers that count as the outcome `answer` (e.g. a quorum oracle that words it differently):
 * a fact answering one of `synonyms` settles as `answer`. With `capability` the mapping applies
 * only to facts of that capability key; without, to every request's facts.
 */
export const Synonym = Type.Object(
  {
    answer: Value,
    synonyms: Type.Array(Value, { minItems: 1, maxItems: LIMITS.answers, uniqueItems: true }),
    capability: Type.Optional(Hex32),
  },
  { ...strict, $id: 'Synonym' },
)

export const OfferTerms = Type.Object(
  {
    originator: Hex32,
    scheme: Scheme,
    /** Makes otherwise identical offers distinct (random, or a counter). */
    nonce: Type.String({ pattern: '^[0-9a-f]{16}$' }),
    expires: UnixTime,
    question: FactRequest,
    quorum: Type.Optional(Type.Array(FactRequest, { maxItems: LIMITS.quorum })),
    /** k of the n = 1 + quorum requests must agree to settle (default n: all of them). */
    threshold: Type.Optional(Type.Integer({ minimum: 1, maximum: LIMITS.quorum + 1 })),
    synonyms: Type.Optional(Type.Array(Synonym, { maxItems: LIMITS.synonyms })),
    /** Answers on which the originator wins; the acceptor wins on `acceptorBets`. */
    originatorBets: Answers,
    acceptorBets: Answers,
    originatorAmount: SafeInteger,
    acceptorAmount: SafeInteger,
    chain: Type.String({
      pattern: '^[a-z0-9][a-z0-9-]{0,31}$',
      description: 'e.g. `bitcoin`, `bitcoin-testnet`',
    }),
    contact: Type.String({ minLength: 1, maxLength: LIMITS.contactLength }),
  },
  { ...strict, $id: 'OfferTerms' },
)
export type OfferTerms = Type.Static<typeof OfferTerms>

/** The acceptor's signed acceptance of the terms at a given `seqNo`. */
export const OfferAcceptance = Type.Object(
  {
    acceptor: Hex32,
    scheme: Scheme,
    contact: Type.String({ minLength: 1, maxLength: LIMITS.contactLength }),
    /** Details sealed for the originator's eyes (encrypted, base64). */
    sealed: Type.Optional(Type.String({ pattern: '^[A-Za-z0-9+/=]*$', maxLength: LIMITS.sealedLength })),
    signature: SignatureHex,
  },
  { ...strict, $id: 'OfferAcceptance' },
)
export type OfferAcceptance = Type.Static<typeof OfferAcceptance>

/** The originator's signed confirmation of one acceptance. */
export const OfferFinalization = Type.Object(
  {
    sealed: Type.Optional(Type.String({ pattern: '^[A-Za-z0-9+/=]*$', maxLength: LIMITS.sealedLength })),
    signature: SignatureHex,
  },
  { ...strict, $id: 'OfferFinalization' },
)
export type OfferFinalization = Type.Static<typeof OfferFinalization>

export const Offer = Type.Object(
  {
    kind: Type.Literal('offer'),
    terms: OfferTerms,
    /** The originator's signature over `{ kind: 'offer', terms }`. */
    signature: SignatureHex,
    seqNo: SeqNo,
    acceptance: Type.Optional(OfferAcceptance),
    finalization: Type.Optional(OfferFinalization),
    pow: Pow,
  },
  { ...strict, $id: 'Offer', description: 'A trade offer, open, accepted or finalized' },
)
export type Offer = Type.Static<typeof Offer>
