/**
 * The schemas of the API: the message schemas of the protocol and the query views of the
 * mempool, reused as they are, plus the few shapes only HTTP has (problems, admission
 * results, health, stats). {@link sharedSchemas} turns every schema with an `$id`, however
 * deeply nested, into one shared schema referenced by `$ref`, so Fastify validates and
 * serializes with them and the OpenAPI document lists each once under `components`.
 */
import Type, { type TSchema } from 'typebox'
import {
  CapabilityView,
  OfferView,
  OracleDetail,
  OracleSummary,
  PageOf,
  PoolStats,
  ReportView,
} from '../mempool/view-schemas.ts'
import { NetworkStats, PeerList } from '../network/view-schemas.ts'
import { Hex32, MESSAGE_SCHEMAS, POOL_KINDS, strict } from '../protocol/messages/index.ts'

/** An error, as `application/problem+json` (RFC 9457) with our code and facts. */
export const Problem = Type.Object(
  {
    type: Type.String({ description: 'URI naming the problem: `urn:mega:problem:<code>`' }),
    title: Type.String({ description: 'the HTTP reason phrase of the status' }),
    status: Type.Integer({ minimum: 400, maximum: 599 }),
    detail: Type.String({ description: 'what went wrong, for people' }),
    instance: Type.String({ description: 'the request path' }),
    code: Type.String({ description: 'stable error code to match on (never match the text)' }),
    path: Type.Optional(Type.String({ description: 'JSON pointer into the request body at fault' })),
    kind: Type.Optional(Type.String()),
    id: Type.Optional(Type.String({ description: 'id of the message, when admission got that far' })),
    floorBits: Type.Optional(Type.Number({ description: 'LOW_POW: the pool’s rolling floor in bits' })),
    requiredBits: Type.Optional(
      Type.Integer({ description: 'LOW_POW: PoW bits that would enter now; mine at least this many' }),
    ),
  },
  { ...strict, $id: 'Problem' },
)

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
  Problem,
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

type Json = Record<string, unknown>

/**
 * Copies of the API's schemas, one per `$id`, each nested `$id` schema replaced by a `$ref`
 * to its shared copy. Throws when two different schemas claim the same `$id`.
 */
export function sharedSchemas(roots: readonly TSchema[] = ROOTS): Json[] {
  const shared = new Map<string, Json>()
  const seen = new Map<string, unknown>()
  const copy = (node: unknown, root: boolean): unknown => {
    if (Array.isArray(node)) return node.map((item) => copy(item, false))
    if (node === null || typeof node !== 'object') return node
    const id = (node as Json).$id
    if (typeof id === 'string') {
      const first = seen.get(id)
      if (first !== undefined && first !== node && JSON.stringify(first) !== JSON.stringify(node))
        throw new Error(`two schemas have the $id ${id}`)
      if (first === undefined) {
        seen.set(id, node)
        shared.set(id, Object.fromEntries(Object.entries(node).map(([k, v]) => [k, copy(v, false)])))
      }
      if (!root) return ref(id)
      return shared.get(id)
    }
    return Object.fromEntries(Object.entries(node).map(([key, value]) => [key, copy(value, false)]))
  }
  for (const schema of roots) copy(schema, true)
  return [...shared.values()]
}

/** A reference to a shared schema, for route schemas. */
export function ref(id: string): { $ref: string } {
  return { $ref: `${id}#` }
}

/** The `$id` of a shared schema. */
export function idOf(schema: TSchema): string {
  const id = (schema as { $id?: unknown }).$id
  if (typeof id !== 'string') throw new Error('schema has no $id')
  return id
}
