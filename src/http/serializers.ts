/**
 * Response serializers compiled once per process. fast-json-stringify turns each route's
 * response schema into code, the costliest step of building a server (two thirds of the
 * ~0.4 s the node's API takes); a process that builds several servers (a node beside an oracle
 * endpoint, a test suite) compiles each distinct schema once. The cache key is the schema's and
 * the shared schemas' JSON, so a server whose schemas differ never gets another's serializer.
 */
import fastJsonStringify, { type Options } from 'fast-json-stringify'

type Serializer = (data: unknown) => string

/** Serializers by the JSON of their shared schemas, options and route schema. */
const compiled = new Map<string, Serializer>()

/** Fastify's `schemaController.compilersFactory.buildSerializer`, with the cache in front. */
export function buildCachedSerializer(externalSchemas?: unknown, serializerOpts: Options = {}) {
  const shared = (externalSchemas ?? {}) as Record<string, unknown>
  const context = JSON.stringify([shared, serializerOpts])
  return ({ schema }: { schema?: unknown }): Serializer => {
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
}
