/**
 * Schemas of what the mempool's queries return. One schema per view gives its TypeScript type
 * (below), the REST API's response serialization and its OpenAPI document. Message schemas are
 * embedded as they are (with their `$id`), never redefined.
 */
import Type from 'typebox'
import {
  Dispute,
  Hex32,
  Offer,
  OracleCapability,
  OracleId,
  REPORT_KIND_TYPES,
  Report,
  type ReportType,
  Scheme,
  strict,
  Tags,
} from '../protocol/index.ts'

const Count = Type.Integer({ minimum: 0 })
const Seconds = Type.Number({ description: 'Unix time, seconds' })
const Bits = Type.Number({ description: 'log2 of an amount of work' })

/** An amount of work: log2 for people and comparisons, exact decimal for arithmetic. */
export const WorkView = Type.Object(
  {
    bits: Type.Number({ description: 'log2(work); negative for a negative score' }),
    work: Type.String({ pattern: '^-?[0-9]+$', description: 'the exact amount, a decimal integer' }),
  },
  { ...strict, $id: 'WorkView' },
)
export type WorkView = Type.Static<typeof WorkView>

/**
 * An oracle in a ranking: its ad's facts and how much hangs on it. `identity` is the work of
 * the ad's own PoW, `strength` identity + Σ capability work, `score` strength − Σ work of the
 * reports that count under the node's policy.
 */
export const OracleSummary = Type.Object(
  {
    key: Hex32,
    scheme: Scheme,
    id: Type.String({ ...Hex32, description: 'id of the ad held' }),
    seqNo: Type.Integer({ minimum: 0 }),
    tags: Tags,
    manifestUri: Type.Optional(Type.String()),
    bid: Type.String({ pattern: '^[0-9]+$', description: 'verified bid amount (0 without a bid verifier)' }),
    identity: WorkView,
    strength: WorkView,
    score: WorkView,
    capabilityCount: Count,
    reportCount: Count,
    receivedAt: Seconds,
  },
  { ...strict, $id: 'OracleSummary' },
)
export type OracleSummary = Type.Static<typeof OracleSummary>

/** A capability with its facts and the signed ad. */
export const CapabilityView = Type.Object(
  { key: Hex32, oracle: Hex32, id: Hex32, work: WorkView, receivedAt: Seconds, message: OracleCapability },
  { ...strict, $id: 'CapabilityView' },
)
export type CapabilityView = Type.Static<typeof CapabilityView>

const reportSummaryProperties = {
  id: Hex32,
  oracle: Hex32,
  type: Type.Unsafe<ReportType>({ type: 'string', enum: REPORT_KIND_TYPES as string[] }),
  work: WorkView,
  verdict: Type.Union([Type.Literal('verified'), Type.Literal('subjective')], {
    description: 'verified: the node checked the evidence; subjective: for people to judge',
  }),
  counts: Type.Boolean({ description: 'counts against the oracle’s score under this node’s policy' }),
  disputed: Type.Boolean({ description: 'the oracle answered it with a valid dispute' }),
  reporter: Type.Optional(Type.String({ ...Hex32, description: 'absent for anonymous reports' })),
  receivedAt: Seconds,
}

/** A report without its evidence: what a ranking needs to show. */
export const ReportSummary = Type.Object(reportSummaryProperties, { ...strict, $id: 'ReportSummary' })
export type ReportSummary = Type.Static<typeof ReportSummary>

/** A report with its signed message and the dispute that answered it, if any. */
export const ReportView = Type.Object(
  { ...reportSummaryProperties, message: Report, dispute: Type.Optional(Dispute) },
  { ...strict, $id: 'ReportView' },
)
export type ReportView = Type.Static<typeof ReportView>

/** Stage of an offer: open, accepted by someone, or finalized by its originator. */
export const OfferStage = Type.Union([
  Type.Literal('open'),
  Type.Literal('accepted'),
  Type.Literal('finalized'),
])
export type OfferStage = Type.Static<typeof OfferStage>

/** An offer with its stage and signed message. */
export const OfferView = Type.Object(
  {
    key: Hex32,
    id: Hex32,
    capability: Hex32,
    stage: OfferStage,
    work: WorkView,
    receivedAt: Seconds,
    message: Offer,
  },
  { ...strict, $id: 'OfferView' },
)
export type OfferView = Type.Static<typeof OfferView>

/** An oracle with its ad, its capabilities and a summary of the reports against it. */
export const OracleDetail = Type.Object(
  {
    ...OracleSummary.properties,
    ad: OracleId,
    floors: Type.Object(
      { capabilities: Bits, reports: Bits },
      { ...strict, description: 'rolling admission floors of its capability and report pools' },
    ),
    capabilities: Type.Array(CapabilityView),
    reports: Type.Array(ReportSummary),
  },
  { ...strict, $id: 'OracleDetail' },
)
export type OracleDetail = Type.Static<typeof OracleDetail>

const Pool = (extra: string) =>
  Type.Object({ count: Count, capacity: Count, floorBits: Bits }, { ...strict, description: extra })
const Counters = Type.Record(Type.String(), Count)

/** Sizes, budgets, floors and outcome counters of a mempool. */
export const PoolStats = Type.Object(
  {
    oracles: Pool('oracle ads held, capacity, rolling floor in bits'),
    capabilities: Type.Object({ count: Count }, strict),
    reports: Type.Object({ count: Count }, strict),
    offers: Pool('offers held, capacity, rolling floor in bits'),
    bytes: Type.Object({ used: Count, max: Count }, strict),
    minBits: Type.Object(
      { oracle: Bits, capability: Bits, report: Bits, offer: Bits },
      { ...strict, description: 'fixed minimum PoW bits per kind: below it a message is invalid (422)' },
    ),
    shard: Type.Object({ index: Count, count: Count }, strict),
    counters: Type.Object(
      { status: Counters, reason: Counters },
      { ...strict, description: 'admission outcomes since start, by status and by reason code' },
    ),
  },
  { ...strict, $id: 'PoolStats' },
)
export type PoolStats = Type.Static<typeof PoolStats>

/** A page of items; `next` is the cursor of the following page, absent on the last. */
export function PageOf<T extends Type.TSchema>(items: T, $id: string) {
  return Type.Object(
    {
      items: Type.Array(items),
      next: Type.Optional(Type.String({ description: 'cursor of the next page; absent on the last page' })),
    },
    { ...strict, $id },
  )
}
