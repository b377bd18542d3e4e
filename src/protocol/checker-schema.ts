/**
 * A schema rewritten for the happy path of validation: every message a node receives is
 * checked against its kind's schema, and three of TypeBox's generic checks cost more than the
 * rest of the check together. Each is replaced by a refinement with exactly the same verdict
 * (TypeBox checks a schema's refinements after all its other keywords):
 * - `uniqueItems` of an array of strings: a set of the strings, where TypeBox hashes each item
 *   as a JSON value;
 * - a `pattern` of exactly N lowercase hex digits (keys, hashes, signatures): the length, then
 *   a lookup of each character (V8 runs a counted repetition several times slower, and even
 *   `^[0-9a-f]*$` takes twice the lookups' time);
 * - `additionalProperties: false` on an object with optional properties: a set of the property
 *   names, where TypeBox tests each name against an alternation of all of them (an object of
 *   required properties only keeps TypeBox's own check, a count of its names).
 * Failures are explained against the schema as it was written (validate.ts).
 */
import type { TSchema } from 'typebox'

/** A copy of `schema` with the rewrites above; the original is not changed. */
export function checkerSchema(schema: TSchema): TSchema {
  return rewrite(schema) as TSchema
}

function rewrite(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(rewrite)
  if (!isPlainObject(schema)) return schema
  const copy: Record<PropertyKey, unknown> = {}
  for (const key of Reflect.ownKeys(schema)) copy[key] = rewrite(schema[key as string])
  const refinements: Refinement[] = []
  if (copy.uniqueItems === true && isStringSchema(copy.items)) {
    delete copy.uniqueItems
    refinements.push(DISTINCT_STRINGS)
  }
  const hexDigits = copy.type === 'string' ? hexPatternLength(copy.pattern) : undefined
  if (hexDigits !== undefined) {
    delete copy.pattern
    refinements.push(hexOfLength(hexDigits))
  }
  const names = closedNames(copy)
  if (names !== undefined) {
    delete copy.additionalProperties
    refinements.push(onlyNames(names))
  }
  if (refinements.length > 0) copy['~refine'] = [...refinements, ...((copy['~refine'] as Refinement[]) ?? [])]
  return copy
}

interface Refinement {
  check(value: unknown): boolean
  error(value: unknown): string
}

const DISTINCT_STRINGS: Refinement = {
  check: (value) => !Array.isArray(value) || value.length < 2 || distinct(value),
  error: () => 'must have unique items',
}

/**
 * Whether no two items are the same (SameValueZero, as a Set counts them): short arrays (the
 * tags, answers and values of a message) by comparing each pair, without a Set to allocate.
 */
function distinct(items: unknown[]): boolean {
  if (items.length > 16) return new Set(items).size === items.length
  for (let i = 1; i < items.length; i++) {
    const item = items[i]
    for (let j = 0; j < i; j++) {
      const other = items[j]
      if (item === other || (Number.isNaN(item) && Number.isNaN(other))) return false
    }
  }
  return true
}

const HEX_PATTERN = /^\^\[0-9a-f\]\{(\d+)\}\$$/
/** 1 at the code of each lowercase hex digit. */
const HEX_DIGIT = new Uint8Array(0x80)
for (const digit of '0123456789abcdef') HEX_DIGIT[digit.charCodeAt(0)] = 1

/** Whether `text` is lowercase hex digits only: a lookup a character, faster than a pattern in V8. */
function isLowerHex(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if (c >= 0x80 || HEX_DIGIT[c] === 0) return false
  }
  return true
}

/** N for the pattern `^[0-9a-f]{N}$`, else undefined. */
function hexPatternLength(pattern: unknown): number | undefined {
  const match = typeof pattern === 'string' ? HEX_PATTERN.exec(pattern) : null
  return match ? Number(match[1]) : undefined
}

function hexOfLength(digits: number): Refinement {
  return {
    check: (value) => typeof value !== 'string' || (value.length === digits && isLowerHex(value)),
    error: () => `must match the pattern ^[0-9a-f]{${digits}}$`,
  }
}

/**
 * The property names of an object schema closed to others that has optional properties (and
 * no pattern properties), else undefined.
 */
function closedNames(schema: Record<PropertyKey, unknown>): Set<string> | undefined {
  if (schema.additionalProperties !== false || schema.patternProperties !== undefined) return undefined
  if (!isPlainObject(schema.properties)) return undefined
  const names = Object.keys(schema.properties)
  const required = Array.isArray(schema.required) ? schema.required : []
  if (names.every((name) => required.includes(name))) return undefined
  return new Set(names)
}

function onlyNames(names: Set<string>): Refinement {
  return {
    check: (value) => {
      if (typeof value !== 'object' || value === null || Array.isArray(value)) return true
      for (const name of Object.getOwnPropertyNames(value)) if (!names.has(name)) return false
      return true
    },
    error: () => 'must have no other properties',
  }
}

function isStringSchema(schema: unknown): boolean {
  return isPlainObject(schema) && schema.type === 'string'
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false
  const prototype = Object.getPrototypeOf(value)
  return prototype === Object.prototype || prototype === null
}
