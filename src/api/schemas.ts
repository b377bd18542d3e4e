/**
 * The schemas of the API: the message schemas of the protocol and the query views of the
 * mempool, reused as they are, plus the few shapes only HTTP has (problems, admission
 * results, health, stats). {@link sharedSchemas} turns every schema with an `$id`, however
 * deeply nested, into one shared schema referenced by `$ref` (src/http/schemas.ts), so Fastify
 * validates and serializes with them and the OpenAPI document lists each once under `components`.
 */
import Type, { type TSchema } from 'typebox'
import { ProblemSchema, shareSchemas } from '../http/index.ts'
import {
  CapabilityView,
  OfferView,
  OracleDetail,
  OracleSummary,
  PageOf,
  PoolStats,
  ReportView,
} from '../mempool/index.ts'
import { NetworkStats, PeerList } from '../network/index.ts'
import { Hex32, MESSAGE_SCHEMAS, POOL_KINDS, strict } from '../protocol/index.ts'

export { idOf, ref } from '../http/index.ts'

/** A message the node took (added, updated), already held (duplicate) or left to other shards (skipped). */
export const AdmissionResult = Type.Object(
  {
    status: Type.Union([
      Type.Literal('added'),
      Type.Literal('updated'),
      Type.Literal('duplicate'),
      Type.Literal('skipped'),
    ]),
    kind: Type.Union(POOL_KINDS.map((kind) => Type.Literal(kind))),
    id: Type.Optional(Hex32),
    reason: Type.Optional(Type.Object({ code: Type.String(), message: Type.String() })),
  },
  { ...strict, $id: 'AdmissionResult' },
)

export const Health = Type.Object(
  { status: Type.Literal('ok'), uptime: Type.Number({ description: 'seconds since the API started' }) },
  { ...strict, $id: 'Health' },
)

/** The mempool's stats with the API's own, and the network's when the node has one. */
export const Stats = Type.Object(
  {
    uptime: Type.Number({ description: 'seconds since the API started' }),
    mempool: PoolStats,
    events: Type.Object({ clients: Type.Integer(), maxClients: Type.Integer() }, strict),
    network: Type.Optional(NetworkStats),
    facts: Type.Optional(
      Type.Object(
        {
          records: Type.Integer({ description: 'commitments and facts in the fact pool' }),
          bytes: Type.Integer(),
          conflicts: Type.Integer({ description: 'conflicts whose evidence the pool holds' }),
          pinned: Type.Integer({ description: 'of which no held report covers yet' }),
        },
        strict,
      ),
    ),
    relay: Type.Optional(
      Type.Object(
        {
          oracle: Type.Integer({ description: 'relayed answers the oracle gave' }),
          shared: Type.Integer({ description: 'answers shared with a call in flight' }),
          pool: Type.Integer({ description: 'answers served from the fact pool' }),
          refused: Type.Integer({ description: 'requests refused before reaching the oracle' }),
        },
        strict,
      ),
    ),
  },
  { ...strict, $id: 'Stats' },
)

export const OraclePage = PageOf(OracleSummary, 'OraclePage')
export const CapabilityPage = PageOf(CapabilityView, 'CapabilityPage')
export const ReportPage = PageOf(ReportView, 'ReportPage')
export const OfferPage = PageOf(OfferView, 'OfferPage')

/** Every root schema of the API; nested `$id` schemas are found and shared by {@link sharedSchemas}. */
const ROOTS: TSchema[] = [
  ...POOL_KINDS.map((kind) => MESSAGE_SCHEMAS[kind]),
  ProblemSchema,
  AdmissionResult,
  Health,
  Stats,
  PeerList,
  OracleDetail,
  OraclePage,
  CapabilityPage,
  ReportPage,
  OfferPage,
]

/** Shared copies of the API's schemas, one per `$id` (see {@link shareSchemas}). */
export function sharedSchemas(roots: readonly TSchema[] = ROOTS): Record<string, unknown>[] {
  return shareSchemas(roots)
}
