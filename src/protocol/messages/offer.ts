/**
 * Offer: trade terms on fact requests (a binary option: who wins on which answers, or a payout
 * curve over a numeric answer; amounts, chain, contact). The originator signs the terms once; acceptance and finalization are signed
 * updates with a higher `seqNo`, by the acceptor and then by the originator.
 */
import Type from 'typebox'
import { Hex32, Pow, SafeInteger, Scheme, SeqNo, SignatureHex, strict, UnixTime, Value } from './common.ts'
import { FactRequest } from './fact.ts'
import { LIMITS } from './limits.ts'

// At least one answer each unless the offer states a payout curve (then none): the offer rule.
const Answers = Type.Array(Value, { maxItems: LIMITS.answers, uniqueItems: true })

/** Most points of an offer's payout curve. */
export const CURVE_POINTS = 64

/** A point of a payout curve: at `value` the originator is paid `originator` satoshis. */
export const CurvePoint = Type.Object(
  {
    value: Type.Integer({ minimum: 0, maximum: 2 ** LIMITS.digits - 1 }),
    originator: SafeInteger,
  },
  { ...strict, $id: 'CurvePoint' },
)

/**
 * A payout curve over a numeric (`schnorr-digits`) answer: linear between consecutive points,
 * rounded to the nearest multiple of `rounding` satoshis (halves up); the acceptor is paid the
 * rest of both stakes.
 */
export const OfferCurve = Type.Object(
  {
    /** The capability's digits: the curve spans 0 … 2^digits − 1. */
    digits: Type.Integer({ minimum: 1, maximum: LIMITS.digits }),
    rounding: Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER }),
    points: Type.Array(CurvePoint, { minItems: 2, maxItems: CURVE_POINTS }),
  },
  { ...strict, $id: 'OfferCurve' },
)
export type OfferCurve = Type.Static<typeof OfferCurve>

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
    /** Answers on which the originator wins; the acceptor wins on `acceptorBets`. Empty with a curve. */
    originatorBets: Answers,
    acceptorBets: Answers,
    /** A numeric question's payout curve, in place of bets. */
    curve: Type.Optional(OfferCurve),
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
