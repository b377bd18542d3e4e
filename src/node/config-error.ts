/**
 * Errors of the node's configuration: each names the option (`details.key`), where its value
 * came from (`details.source`: the file, a `MEGA_*` variable or a `mega node` flag) and what the
 * option takes (`details.expected`), so the command line can say all of it in one line.
 */
import { CodedError } from '../protocol/index.ts'

/** Stable codes of the configuration (the catalogue's `config` area). */
export const ConfigErrorCode = {
  /** The configuration file cannot be read. */
  CONFIG_UNREADABLE: 'CONFIG_UNREADABLE',
  /** The configuration file is not JSON. */
  CONFIG_NOT_JSON: 'CONFIG_NOT_JSON',
  /** An option breaks the configuration schema. */
  CONFIG_INVALID: 'CONFIG_INVALID',
} as const
export type ConfigErrorCode = (typeof ConfigErrorCode)[keyof typeof ConfigErrorCode]

/** What a configuration error names: the option, its origin and what it takes. */
export type ConfigErrorDetails = {
  /** The file, `MEGA_*` variable or flag the value came from. */
  source: string
  /** The option, dotted (`mempool.maxBytes`); absent when the whole file is at fault. */
  key?: string
  /** The option's JSON pointer in the configuration (`/mempool/maxBytes`). */
  path?: string
  /** What the option takes, e.g. `integer (≥ 1024)`. */
  expected?: string
  /** The system's error code when the file cannot be read. */
  reason?: string
}

/** The one error class of the configuration. */
export class ConfigError extends CodedError<ConfigErrorCode> {
  static override name = 'ConfigError'
  override readonly name = 'ConfigError'
  declare readonly details: ConfigErrorDetails

  constructor(code: ConfigErrorCode, message: string, details: ConfigErrorDetails, options?: ErrorOptions) {
    super(code, message, details, options)
  }
}

type Schema = Record<string, unknown>

/** The schema of the option at JSON pointer `path` (`/mempool/maxBytes`), if the schema has one. */
export function schemaAt(root: unknown, path: string): Schema | undefined {
  let schema = root as Schema | undefined
  for (const segment of path.split('/').slice(1)) {
    if (segment === '') continue
    const properties = schema?.properties as Record<string, Schema> | undefined
    schema = schema?.type === 'array' ? (schema.items as Schema) : properties?.[segment]
  }
  return schema
}

/** What a schema takes, in words: `integer (≥ 0, ≤ 64)`, `` `info` | `debug` ``, `string[]`. */
export function typeOf(schema: Schema): string {
  if (schema.type === 'array') {
    const items = schema.items as Schema
    return Array.isArray(items.anyOf) ? `(${typeOf(items)})[]` : `${items.type}[]`
  }
  if (Array.isArray(schema.anyOf))
    return (schema.anyOf as Schema[]).map((option) => `\`${option.const}\``).join(' | ')
  if (schema.type === 'object') return 'only the options docs/configuration.md lists'
  const range: string[] = []
  if (schema.minimum !== undefined) range.push(`≥ ${schema.minimum}`)
  if (schema.exclusiveMinimum !== undefined) range.push(`> ${schema.exclusiveMinimum}`)
  if (schema.maximum !== undefined) range.push(`≤ ${schema.maximum}`)
  return `${schema.type}${range.length > 0 ? ` (${range.join(', ')})` : ''}`
}
