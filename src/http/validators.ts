/**
 * Request validators compiled on a route's first request instead of when the server starts.
 * Fastify's own compiler (`@fastify/ajv-compiler`: one Ajv per distinct set of shared schemas
 * and options) does the work, with the same options, so a request is validated and answered
 * exactly as before; an idle node holds no Ajv, no generated code and no copy of the schemas for
 * the routes nobody called. {@link compilePendingSchemas} compiles what is left, for a test that
 * wants every schema checked at once. One difference: Fastify lowercases the property names of a
 * route's `headers` schema for its own compiler, not for a custom one; no route of ours has one.
 */
import AjvCompiler from '@fastify/ajv-compiler'

/** Fastify's default validator factory, shared by every server of the process. */
const validatorPool = AjvCompiler()

type ValidatorOptions = Parameters<typeof validatorPool>[1]
type RouteSchema = Parameters<ReturnType<typeof validatorPool>>[0]
type Validator = ((data: unknown, parent?: unknown) => unknown) & { errors?: unknown; schemaEnv?: unknown }

/**
 * Compilations deferred and not yet done, of every server of the process (a closed server's stay
 * until compiled: a few closures over schemas its routes held).
 */
const pending = new Set<() => void>()

/** Registers a compilation to run later (once): returns the function that runs it now. */
export function deferCompilation(compile: () => void): () => void {
  const now = () => {
    pending.delete(now)
    compile()
  }
  pending.add(now)
  return now
}

/**
 * Compiles every validator and serializer not compiled yet (of every server of the process);
 * throws the first schema error. Returns how many it compiled.
 */
export function compilePendingSchemas(): number {
  const waiting = [...pending]
  for (const now of waiting) now()
  return waiting.length
}

/**
 * Fastify's `schemaController.compilersFactory.buildValidator`: Fastify's own, compiling each
 * route's validator on its first request.
 */
export function buildLazyValidator(
  externalSchemas: Parameters<typeof validatorPool>[0],
  options: ValidatorOptions,
): ReturnType<typeof validatorPool> {
  let compiler: ReturnType<typeof validatorPool> | undefined
  return (route: RouteSchema) => {
    let validate: Validator | undefined
    const now = deferCompilation(() => {
      compiler ??= validatorPool(externalSchemas, options)
      validate ??= compiler(route) as Validator
    })
    const compiled = (): Validator => {
      if (!validate) now()
      return validate!
    }
    // Fastify gives Ajv's validators (those with a `schemaEnv`) the request as the data's parent,
    // so that Ajv may replace a whole part (coercion, defaults): the lazy one passes it on.
    const lazy: Validator = (data, parent) => {
      const check = compiled()
      const result = check(data, parent)
      // Fastify reads the errors of a failed check from the function it was given.
      lazy.errors = check.errors
      return result
    }
    Object.defineProperty(lazy, 'schemaEnv', { get: () => compiled().schemaEnv })
    return lazy as unknown as ReturnType<ReturnType<typeof validatorPool>>
  }
}
