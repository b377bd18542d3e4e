/**
 * Schemas of the HTTP servers (the node's API and the oracle endpoint): the problem document
 * both answer errors with, and {@link shareSchemas}, which turns every schema with an `$id`,
 * however deeply nested, into one shared schema referenced by `$ref`, so Fastify validates and
 * serializes with them and an OpenAPI document lists each once under `components`.
 */
import Type, { type TSchema } from 'typebox'
import { strict } from '../protocol/index.ts'

/** An error, as `application/problem+json` (RFC 9457) with our code and facts. */
export const ProblemSchema = Type.Object(
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

type Json = Record<string, unknown>

/**
 * Copies of `roots`, one per `$id`, each nested `$id` schema replaced by a `$ref` to its
 * shared copy. Throws when two different schemas claim the same `$id`.
 */
export function shareSchemas(roots: readonly TSchema[]): Json[] {
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
