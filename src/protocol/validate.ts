/**
 * Parsing and schema validation of messages, with errors that name the JSON path at fault.
 *
 * The happy path runs one compiled validator per kind. Only when it fails do we walk the
 * schema to explain *where*: JSON Schema validators report every branch of a union, which
 * buries the one mistake a person made under the branches they never meant.
 */
import type { TSchema } from 'typebox'
import { Compile, type Validator } from 'typebox/compile'
import { checkCanonical, checkCanonicalBytes } from './canonical.ts'
import { checkerSchema } from './checker-schema.ts'
import { ErrorCode, fail, ok, type Result } from './errors.ts'
import { wireText } from './hex.ts'
import { KIND_SPECS } from './kinds.ts'
import {
  isMessageKind,
  LIMITS,
  MESSAGE_SCHEMAS,
  type Message,
  type MessageByKind,
  type MessageKind,
} from './messages/index.ts'
import { reportKindsVersion } from './report-kinds.ts'
import { checkMessageRules } from './rules.ts'

declare const VALIDATED: unique symbol

/**
 * A message the validator passed: its kind's schema and the intrinsic rules (rules.ts), checked
 * once where it came in (REST, gossip, sync). Only {@link validate} (and
 * {@link parseCanonicalMessage}, built on it) makes one, so a function that takes a `Validated`
 * message need not (and does not) check it again.
 */
export type Validated<M extends Message = Message> = M & { readonly [VALIDATED]: true }

type Schema = TSchema & Record<string, unknown>

const validators = new WeakMap<object, { validator: Validator; version: number }>()

/** The compiled validator of `schema`, compiled again once a report kind was registered since. */
function validatorOf(schema: TSchema): Validator {
  const version = reportKindsVersion()
  let compiled = validators.get(schema)
  if (compiled?.version !== version) {
    compiled = { validator: Compile(schema), version }
    validators.set(schema, compiled)
  }
  return compiled.validator
}

/** The byte limit of a message of `kind` as sent. */
export function maxBytesOf(kind: MessageKind | undefined): number {
  return kind === undefined ? LIMITS.messageBytes : KIND_SPECS[kind].maxBytes
}

/**
 * Validates `value` against the schema of its `kind` (or of `expected`, which it must match).
 * Fails with `UNKNOWN_KIND` or `SCHEMA_VIOLATION` (details: `path`, `kind`).
 */
export function validateMessage<K extends MessageKind = MessageKind>(
  value: unknown,
  expected?: K,
): Result<MessageByKind[K]> {
  const kind = (value as { kind?: unknown } | null)?.kind
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return fail(ErrorCode.SCHEMA_VIOLATION, 'a message must be a JSON object', { path: '/' })
  }
  if (!isMessageKind(kind)) {
    return fail(ErrorCode.UNKNOWN_KIND, `/kind must be one of ${Object.keys(MESSAGE_SCHEMAS).join(', ')}`, {
      path: '/kind',
    })
  }
  if (expected !== undefined && kind !== expected) {
    return fail(ErrorCode.UNKNOWN_KIND, `/kind must be "${expected}" here, got "${kind}"`, {
      path: '/kind',
      kind,
    })
  }
  return validateSchema(KIND_SPECS[kind].schema, value, kind) as Result<MessageByKind[K]>
}

/**
 * The check a message passes once, where it comes in: {@link validateMessage}, then the
 * intrinsic rules of its kind (rules.ts). Fails with `UNKNOWN_KIND` or `SCHEMA_VIOLATION`
 * (details: `path`, `kind`).
 */
export function validate<K extends MessageKind = MessageKind>(
  value: unknown,
  expected?: K,
): Result<Validated<MessageByKind[K]>> {
  const shaped = validateMessage(value, expected)
  if (!shaped.ok) return shaped
  const rules = checkMessageRules(shaped.value)
  if (rules.ok) return shaped as Result<Validated<MessageByKind[K]>>
  const { code, message, details } = rules.error
  return fail(code, message, { ...details, kind: shaped.value.kind })
}

const checkers = new WeakMap<object, { checker: Validator; version: number }>()

/**
 * The validator of the happy path, compiled from {@link checkerSchema}: it passes exactly the
 * values `validatorOf(schema)` passes, in half the time; failures are explained with
 * {@link validatorOf}.
 */
function checkerOf(schema: TSchema): Validator {
  const version = reportKindsVersion()
  let compiled = checkers.get(schema)
  if (compiled?.version !== version) {
    compiled = { checker: Compile(checkerSchema(schema)), version }
    checkers.set(schema, compiled)
  }
  return compiled.checker
}

/** Validates `value` against any schema, failing with the first precise `SCHEMA_VIOLATION`. */
export function validateSchema<T>(schema: TSchema, value: unknown, what = 'value'): Result<T> {
  if (checkerOf(schema).Check(value)) return ok(value as T)
  const problem = explain(schema as Schema, value, '') ?? { path: '/', message: 'does not match the schema' }
  return fail(ErrorCode.SCHEMA_VIOLATION, `${problem.path || '/'} ${problem.message}`, {
    path: problem.path || '/',
    kind: what,
  })
}

/**
 * Parses a message from text or UTF-8 bytes: size limit, then JSON, then schema, cheapest
 * first. Fails with `TOO_LARGE`, `BAD_JSON`, `UNKNOWN_KIND` or `SCHEMA_VIOLATION`.
 */
export function parseMessage<K extends MessageKind = MessageKind>(
  input: string | Uint8Array,
  expected?: K,
): Result<MessageByKind[K]> {
  const parsed = parseText(input, expected)
  return parsed.ok ? validateMessage(parsed.value.value, expected) : parsed
}

/**
 * Parses a message as it travels between nodes (gossip, sync: §2 of docs/protocol.md): as
 * {@link parseMessage} with the intrinsic rules ({@link validate}), and then the bytes must be
 * exactly the canonical form of the parsed value, else `NOT_CANONICAL`. Every message has one
 * such form, so a peer cannot make one message many (each a new gossip id that costs a parse)
 * by spacing or key order.
 */
export function parseCanonicalMessage<K extends MessageKind = MessageKind>(
  input: string | Uint8Array,
  expected?: K,
): Result<Validated<MessageByKind[K]>> {
  const parsed = parseText(input, expected)
  if (!parsed.ok) return parsed
  const { text, value } = parsed.value
  const message = validate(value, expected)
  if (!message.ok) return message
  const canonical =
    typeof input === 'string' ? checkCanonical(text, value) : checkCanonicalBytes(input, text, value)
  return canonical.ok ? message : canonical
}

/** Size limit, UTF-8 and JSON, cheapest first: the text and its value. */
function parseText(
  input: string | Uint8Array,
  expected: MessageKind | undefined,
): Result<{ text: string; value: unknown }> {
  const limit = maxBytesOf(expected)
  const size = typeof input === 'string' ? byteLengthUpTo(input, limit) : input.length
  if (size > limit) {
    return fail(ErrorCode.TOO_LARGE, `message is larger than ${limit} bytes`, { limit })
  }
  let text: string
  try {
    text = typeof input === 'string' ? input : wireText(input)
  } catch {
    return fail(ErrorCode.BAD_JSON, 'message is not valid UTF-8')
  }
  if (text.charCodeAt(0) === BYTE_ORDER_MARK) {
    return fail(ErrorCode.BAD_JSON, 'message starts with a byte order mark (U+FEFF), which is not JSON here')
  }
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch (error) {
    return fail(ErrorCode.BAD_JSON, `message is not valid JSON: ${(error as Error).message}`)
  }
  return ok({ text, value })
}

const BYTE_ORDER_MARK = 0xfeff

// A string's UTF-8 length is at most 3 bytes per UTF-16 unit; skip the count when that bound fits.
function byteLengthUpTo(text: string, limit: number): number {
  if (text.length * 3 <= limit) return text.length
  return new TextEncoder().encode(text).length
}

interface Problem {
  path: string
  message: string
}

function explain(schema: Schema, value: unknown, path: string): Problem | undefined {
  const branches = schema.anyOf as Schema[] | undefined
  if (branches) return explainUnion(branches, value, path)
  if (schema.type === 'object' && isRecord(value) && schema.properties) {
    const problem = explainObject(schema, value, path)
    if (problem) return problem
  }
  if (schema.type === 'array' && Array.isArray(value)) {
    const problem = explainArray(schema, value, path)
    if (problem) return problem
  }
  const [first] = validatorOf(schema).Errors(value)
  if (!first) return undefined
  // Draft-2020 validators report a forbidden extra property as "schema is false".
  const message = first.keyword === 'boolean' ? 'is not allowed here' : first.message
  return { path: path + first.instancePath, message }
}

function explainObject(schema: Schema, value: Record<string, unknown>, path: string): Problem | undefined {
  const properties = schema.properties as Record<string, Schema>
  for (const key of (schema.required as string[] | undefined) ?? []) {
    if (!Object.hasOwn(value, key)) return { path, message: `must have property "${key}"` }
  }
  if (schema.additionalProperties === false) {
    for (const key of Object.keys(value)) {
      if (!Object.hasOwn(properties, key))
        return { path, message: `has unknown property "${key.slice(0, 64)}"` }
    }
  }
  for (const [key, propertySchema] of Object.entries(properties)) {
    if (!Object.hasOwn(value, key)) continue
    const problem = explain(propertySchema, value[key], `${path}/${key}`)
    if (problem) return problem
  }
  return undefined
}

function explainArray(schema: Schema, value: unknown[], path: string): Problem | undefined {
  const items = schema.items as Schema | Schema[] | undefined
  if (Array.isArray(items)) {
    if (value.length !== items.length) return { path, message: `must have exactly ${items.length} items` }
    for (let i = 0; i < items.length; i++) {
      const problem = explain(items[i]!, value[i], `${path}/${i}`)
      if (problem) return problem
    }
    return undefined
  }
  const limit = schema.maxItems as number | undefined
  if (limit !== undefined && value.length > limit)
    return { path, message: `must have at most ${limit} items` }
  if (items) {
    for (let i = 0; i < value.length; i++) {
      const problem = explain(items, value[i], `${path}/${i}`)
      if (problem) return problem
    }
  }
  return undefined
}

// Unions in our schemas are discriminated by a `type` or `kind` constant (or, for tuples, by
// that of their first item): explain against the branch the value claims to be.
function explainUnion(branches: Schema[], value: unknown, path: string): Problem | undefined {
  if (branches.some((branch) => validatorOf(branch).Check(value))) return undefined
  const tag = discriminatorOf(value)
  const chosen = tag === undefined ? undefined : branches.find((branch) => discriminatorOf(branch) === tag)
  if (chosen) return explain(chosen, value, path)
  const allowed = branches.map(discriminatorOf).filter((name) => name !== undefined)
  if (allowed.length === branches.length) {
    const at = Array.isArray(value) ? `${path}/0` : path
    return { path: at, message: `must be one of: ${allowed.join(', ')}` }
  }
  return explain(branches[0]!, value, path)
}

// For a value: its `type`/`kind` string (first item's, for arrays). For a schema: the const.
function discriminatorOf(subject: unknown): string | undefined {
  if (Array.isArray(subject)) return discriminatorOf(subject[0])
  if (!isRecord(subject)) return undefined
  if (subject.type === 'array' && Array.isArray(subject.items)) return discriminatorOf(subject.items[0])
  const properties = subject.properties as Record<string, Schema> | undefined
  if (properties) {
    const field = properties.type ?? properties.kind
    return typeof field?.const === 'string' ? field.const : undefined
  }
  const tag = subject.type ?? subject.kind
  return typeof tag === 'string' ? tag : undefined
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}
