/**
 * Response serializers compiled once per process, on a route's first response. fast-json-stringify
 * turns each route's response schema into code, the costliest step of building a server (two
 * thirds of the ~0.4 s the node's API took); a process that builds several servers (a node beside
 * an oracle endpoint, a test suite) compiles each distinct schema once, and an idle node holds
 * no code (nor its source text) for the routes nobody called. The cache key is the schema's and
 * the shared schemas' JSON, so a server whose schemas differ never gets another's serializer.
 */
import fastJsonStringify, { type Options } from 'fast-json-stringify'
import { deferCompilation } from './validators.ts'

type Serializer = (data: unknown) => string

/** Serializers by their context's number and the route schema's JSON. */
const compiled = new Map<string, Serializer>()
/**
 * The JSON of the shared schemas and options (~65 kB for the node's API) by a number, so that
 * the cache's keys do not each hold a copy of it.
 */
const contexts = new Map<string, number>()

/**
 * Fastify's `schemaController.compilersFactory.buildSerializer`, with the cache in front: each
 * serializer is compiled on its first call (or by {@link compilePendingSchemas}).
 */
export function buildCachedSerializer(externalSchemas?: unknown, serializerOpts: Options = {}) {
  const shared = (externalSchemas ?? {}) as Record<string, unknown>
  let context: number | undefined
  const contextOf = () => {
    const text = JSON.stringify([shared, serializerOpts])
    const number = contexts.get(text)
    if (number !== undefined) return number
    contexts.set(text, contexts.size)
    return contexts.size - 1
  }
  const compile = (schema: unknown): Serializer => {
    context ??= contextOf()
    const key = `${context}\n${JSON.stringify(schema)}`
    let serializer = compiled.get(key)
    if (!serializer) {
      // As Fastify's own factory does: a route schema with an $id is not its own external.
      const external = { ...shared }
      const id = (schema as { $id?: unknown } | undefined)?.$id
      if (typeof id === 'string') delete external[id]
      serializer = fastJsonStringify(schema as never, {
        ...serializerOpts,
        schema: external as never,
      }) as Serializer
      compiled.set(key, serializer)
    }
    return serializer
  }
  return ({ schema }: { schema?: unknown }): Serializer => {
    let serializer: Serializer | undefined
    const now = deferCompilation(() => {
      serializer ??= compile(schema)
    })
    return (data) => {
      if (!serializer) now()
      return serializer!(data)
    }
  }
}
