/**
 * Report: a malleability report against an oracle key, backed by the reporter's work.
 * The PoW is bound to the whole report including the targeted oracle, so one report's work
 * cannot be aimed at another oracle.
 */
import Type from 'typebox'
import { OracleCapability } from './capability.ts'
import { Hex32, HttpUrl, Pow, PublicKey, SignatureHex, strict, Text } from './common.ts'
import { Commitment, Fact } from './fact.ts'
import { LIMITS } from './limits.ts'
import { OracleId } from './oracle-id.ts'

const Links = Type.Array(HttpUrl, { maxItems: LIMITS.links })

/**
 * Two facts for the same request with different answers. When both are signed by the
 * capability key of `capability` (an ad the oracle signed), the oracle equivocated: fully
 * machine-checkable. When the second fact comes from another oracle's capability
 * (`counterCapability`), the oracles disagree: verifiable signatures, subjective verdict.
 */
export const FactConflict = Type.Object(
  {
    type: Type.Literal('fact-conflict'),
    capability: OracleCapability,
    facts: Type.Tuple([Fact, Fact]),
    counterCapability: Type.Optional(OracleCapability),
  },
  { ...strict, $id: 'FactConflict' },
)
export type FactConflict = Type.Static<typeof FactConflict>

/** A signed commitment whose deadline passed without the fact; cancelled by a valid dispute. */
export const FactMissing = Type.Object(
  { type: Type.Literal('fact-missing'), capability: OracleCapability, commitment: Commitment },
  { ...strict, $id: 'FactMissing' },
)
export type FactMissing = Type.Static<typeof FactMissing>

/**
 * A fact that contradicts public knowledge: for people to review. `capability` (signed by the
 * reported oracle) ties the fact to that oracle, as in `fact-missing`.
 */
export const FactDisagreesWithPublic = Type.Object(
  {
    type: Type.Literal('fact-disagrees-with-public'),
    capability: OracleCapability,
    fact: Fact,
    links: Links,
    comment: Text,
  },
  { ...strict, $id: 'FactDisagreesWithPublic' },
)
export type FactDisagreesWithPublic = Type.Static<typeof FactDisagreesWithPublic>

/** Two different ads with the same `seqNo`, both signed by the oracle key. */
export const AdCollision = Type.Object(
  {
    type: Type.Literal('ad-collision'),
    ads: Type.Union([Type.Tuple([OracleId, OracleId]), Type.Tuple([OracleCapability, OracleCapability])]),
  },
  { ...strict, $id: 'AdCollision' },
)
export type AdCollision = Type.Static<typeof AdCollision>

/** Anything else, for people to judge. */
export const FreeForm = Type.Object(
  {
    type: Type.Literal('free-form'),
    comment: Type.String({ minLength: 1, maxLength: LIMITS.textLength }),
    links: Links,
  },
  { ...strict, $id: 'FreeForm' },
)
export type FreeForm = Type.Static<typeof FreeForm>

export const ReportContent = Type.Union(
  [FactConflict, FactMissing, FactDisagreesWithPublic, AdCollision, FreeForm],
  {
    $id: 'ReportContent',
  },
)
export type ReportContent = Type.Static<typeof ReportContent>

/** The five content kinds, in the order the design lists them. */
export const REPORT_TYPES = [
  'fact-conflict',
  'fact-missing',
  'fact-disagrees-with-public',
  'ad-collision',
  'free-form',
] as const
export type ReportType = (typeof REPORT_TYPES)[number]

export const Report = Type.Object(
  {
    kind: Type.Literal('report'),
    oracle: Hex32,
    content: ReportContent,
    reporter: Type.Optional(PublicKey),
    pow: Pow,
    /** Required when `reporter` is present: the reporter's signature. */
    signature: Type.Optional(SignatureHex),
  },
  { ...strict, $id: 'Report', description: 'A malleability report against an oracle' },
)
export type Report = Type.Static<typeof Report>
