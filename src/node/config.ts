/**
 * The node's configuration: one JSON file, validated by one schema, with environment
 * variables on top. The schema's descriptions and defaults are the documentation
 * (docs/configuration.md is generated from them).
 */
import { readFile } from 'node:fs/promises'
import Type from 'typebox'
import { defaultApiOptions } from '../api/options.ts'
import { FactsConfig, RelayConfig } from '../facts/config.ts'
import { defaultMempoolOptions, type MempoolOptions } from '../mempool/options.ts'
import type { NetworkInit } from '../network/options.ts'
import { ErrorCode, ProtocolError } from '../protocol/errors.ts'
import { validateSchema } from '../protocol/validate.ts'
import { type BidsConfig, defaultBidsConfig } from './bids.ts'
import { NetworkConfig } from './config-network.ts'

/** The `network.sync` options given. */
export type SyncConfig = NonNullable<NetworkConfig['sync']>

const d = defaultMempoolOptions
const b = defaultBidsConfig
const Bits = (description: string, value: number) =>
  Type.Integer({ minimum: 0, maximum: 64, default: value, description })
const Count = (description: string, value: number) =>
  Type.Integer({ minimum: 1, maximum: 100_000_000, default: value, description })

export const MempoolConfig = Type.Object(
  {
    maxOracles: Count('Oracles kept, ranked by verified bid then identity strength.', d.maxOracles),
    maxCapabilitiesPerOracle: Count('Capabilities kept per oracle.', d.maxCapabilitiesPerOracle),
    maxReportsPerOracle: Count('Reports kept per oracle.', d.maxReportsPerOracle),
    maxOffers: Count('Offers kept in all.', d.maxOffers),
    maxOffersPerCapability: Count('Offers kept per capability.', d.maxOffersPerCapability),
    maxBytes: Type.Integer({
      minimum: 1024,
      default: d.maxBytes,
      description: 'Bytes of messages kept in all; the least work per byte is evicted first.',
    }),
    minBits: Type.Partial(
      Type.Object({
        oracle: Bits('Minimum identity PoW bits of an oracle ad.', d.minBits.oracle),
        capability: Bits('Minimum PoW bits of a capability.', d.minBits.capability),
        report: Bits('Minimum PoW bits of a report.', d.minBits.report),
        offer: Bits('Minimum PoW bits of an offer.', d.minBits.offer),
      }),
      { additionalProperties: false, default: d.minBits, description: 'Below these a message is invalid.' },
    ),
    shard: Type.Partial(
      Type.Object({
        index: Type.Integer({
          minimum: 0,
          default: 0,
          description: 'This node keeps ids with id mod count = index.',
        }),
        count: Type.Integer({
          minimum: 1,
          maximum: 1024,
          default: 1,
          description: 'Number of shards (1: keep all).',
        }),
      }),
      { additionalProperties: false, default: d.shard, description: 'Keep a share of reports and offers.' },
    ),
    randomEvictionRate: Type.Number({
      minimum: 0,
      maximum: 1,
      default: d.randomEvictionRate,
      description: 'Probability that an eviction picks a random entry instead of the weakest.',
    }),
    floorHalfLifeSeconds: Type.Number({
      exclusiveMinimum: 0,
      default: d.floorHalfLifeSeconds,
      description: 'Half-life of the rolling admission floors after an eviction.',
    }),
    floorIncrementBits: Type.Number({
      minimum: 0,
      maximum: 8,
      default: d.floorIncrementBits,
      description: 'Bits a floor rises above the work of the entry it evicted.',
    }),
    countSubjectiveReports: Type.Boolean({
      default: d.countSubjectiveReports,
      description: 'Count subjective reports (free-form, disagreements) in the scores this node serves.',
    }),
    clockSkewSeconds: Type.Integer({
      minimum: 0,
      maximum: 86_400,
      default: d.clockSkewSeconds,
      description:
        'Clock skew tolerated, in favour of the accused and of offers: a fact-missing report is taken once its deadline has passed by more than this, an offer is kept (and synced) until this long after it expires.',
    }),
    bids: Type.Partial(
      Type.Object({
        verifier: Type.Union([Type.Literal('none'), Type.Literal('command'), Type.Literal('http')], {
          default: b.verifier,
          description:
            'Who verifies oracle bids: none (every bid counts 0), command or http (see docs/operations.md).',
        }),
        command: Type.Array(Type.String({ minLength: 1 }), {
          minItems: 1,
          description: 'Verifier program and fixed arguments (verifier command), run without a shell.',
        }),
        url: Type.String({
          pattern: '^https?://',
          description: 'URL the bid is POSTed to as JSON (verifier http).',
        }),
        timeoutMs: Type.Integer({
          minimum: 1,
          maximum: 600_000,
          default: b.timeoutMs,
          description: 'Time one verification may take; beyond, the bid counts 0 (retried later).',
        }),
        cacheSize: Count('Bids whose verification outcome is remembered.', b.cacheSize),
        cacheTtlMs: Type.Integer({
          minimum: 1,
          default: b.cacheTtlMs,
          description: 'How long an outcome is remembered (failures at most 30 s).',
        }),
        concurrency: Type.Integer({
          minimum: 1,
          maximum: 256,
          default: b.concurrency,
          description: 'Verifications running at once.',
        }),
        queueSize: Type.Integer({
          minimum: 0,
          default: b.queueSize,
          description: 'Verifications waiting; beyond, a bid stays unverified until its ad comes again.',
        }),
      }),
      {
        additionalProperties: false,
        default: { verifier: b.verifier },
        description: 'Bid verification: admission never waits; a bid counts once verified.',
      },
    ),
  },
  { additionalProperties: false },
)

/** The configuration file's schema: every option optional, defaults in `default`. */
export const NodeConfigFile = Type.Object(
  {
    dataDir: Type.Optional(
      Type.String({
        minLength: 1,
        default: './data',
        description: 'Directory of the database and node key.',
      }),
    ),
    http: Type.Optional(
      Type.Partial(
        Type.Object({
          host: Type.String({
            minLength: 1,
            default: '127.0.0.1',
            description: 'Address the REST API listens on.',
          }),
          port: Type.Integer({
            minimum: 0,
            maximum: 65_535,
            default: 8080,
            description: 'Port of the REST API (0: any).',
          }),
        }),
        { additionalProperties: false, default: { host: '127.0.0.1', port: 8080 } },
      ),
    ),
    log: Type.Optional(
      Type.Partial(
        Type.Object({
          level: Type.Union(
            ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].map((level) =>
              Type.Literal(level),
            ),
            { default: 'info', description: 'Log level.' },
          ),
          pretty: Type.Boolean({ description: 'Human-readable logs (default: when stderr is a TTY).' }),
        }),
        { additionalProperties: false, default: { level: 'info' } },
      ),
    ),
    mempool: Type.Optional(Type.Partial(MempoolConfig, { additionalProperties: false, default: {} })),
    store: Type.Optional(
      Type.Partial(
        Type.Object({
          durability: Type.Union([Type.Literal('normal'), Type.Literal('fsync')], {
            default: 'normal',
            description:
              'normal: an acknowledged message survives a crash of the node (kill -9); fsync: also a power loss, at ~4× the write cost.',
          }),
          checkPowOnLoad: Type.Boolean({
            default: true,
            description: 'Re-check every stored PoW at start (about 2× the start-up time).',
          }),
        }),
        { additionalProperties: false, default: {} },
      ),
    ),
    api: Type.Optional(
      Type.Partial(
        Type.Object({
          bodyLimit: Type.Integer({
            minimum: 1024,
            maximum: 16 * 1024 * 1024,
            default: defaultApiOptions.bodyLimit,
            description: 'Largest request body in bytes (413 beyond).',
          }),
          requestTimeoutMs: Type.Integer({
            minimum: 100,
            maximum: 600_000,
            default: defaultApiOptions.requestTimeoutMs,
            description:
              'Milliseconds for a request’s headers and body to arrive whole; later it is answered 408 and its connection closed. A connection that sends nothing is closed after the same time.',
          }),
          maxConnectionsPerAddress: Type.Integer({
            minimum: 0,
            default: defaultApiOptions.maxConnectionsPerAddress,
            description:
              'Open connections per client address (IPv6: per /64); more are answered 503 TOO_MANY_CONNECTIONS and closed. 0: no cap (behind a reverse proxy, which connects from one address).',
          }),
          rateLimitMax: Type.Integer({
            minimum: 1,
            default: defaultApiOptions.rateLimit.max,
            description: 'POST requests allowed per client address per rate-limit window (429 beyond).',
          }),
          rateLimitWindowMs: Type.Integer({
            minimum: 1,
            default: defaultApiOptions.rateLimit.timeWindow,
            description: 'Rate-limit window in milliseconds.',
          }),
          maxEventClients: Type.Integer({
            minimum: 0,
            default: defaultApiOptions.events.maxClients,
            description: 'Concurrent /events (server-sent events) clients (503 beyond).',
          }),
          maxEventClientsPerAddress: Type.Integer({
            minimum: 1,
            default: defaultApiOptions.events.maxClientsPerAddress,
            description: 'Concurrent /events clients per client address (503 beyond).',
          }),
          docs: Type.Boolean({
            default: defaultApiOptions.docs,
            description: 'Serve /openapi.json and Swagger UI at /docs.',
          }),
          dashboard: Type.Boolean({
            default: defaultApiOptions.dashboard,
            description:
              'Serve the dashboard at / (built by esbuild when the node starts; see docs/dashboard.md).',
          }),
          trustProxy: Type.Boolean({
            default: defaultApiOptions.trustProxy,
            description: 'Take client addresses from X-Forwarded-For (only behind a reverse proxy).',
          }),
          corsOrigins: Type.Array(Type.String({ minLength: 1, maxLength: 2048 }), {
            maxItems: 256,
            default: [...defaultApiOptions.corsOrigins],
            description:
              'Origins whose pages may use the API (CORS, e.g. a static trader page; see docs/browser-trader.md). "*" lets any origin read; POST (submitting messages, the relay) only from an origin named here.',
          }),
        }),
        { additionalProperties: false, default: {} },
      ),
    ),
    network: Type.Optional(Type.Partial(NetworkConfig, { additionalProperties: false, default: {} })),
    relay: Type.Optional(Type.Partial(RelayConfig, { additionalProperties: false, default: {} })),
    facts: Type.Optional(Type.Partial(FactsConfig, { additionalProperties: false, default: {} })),
  },
  { additionalProperties: false },
)
type NodeConfigFile = Type.Static<typeof NodeConfigFile>

/** The resolved configuration: file and environment over the defaults. */
export interface NodeConfig {
  dataDir: string
  http: { host: string; port: number }
  log: { level: string; pretty?: boolean }
  /** Mempool options given (the mempool fills in the rest). */
  mempool: Partial<MempoolOptions>
  /** Bid verification (`mempool.bids` in the file). */
  bids: BidsConfig
  store: NonNullable<NodeConfigFile['store']>
  api: NonNullable<NodeConfigFile['api']>
  /** Network options given (the network fills in the rest), whether to join at all, and sync's. */
  network: NetworkInit & { enabled: boolean; sync: SyncConfig }
  /** Relay options given (the relay fills in the rest). */
  relay: Partial<Type.Static<typeof RelayConfig>>
  /** Fact pool options given (the pool fills in the rest). */
  facts: Partial<Type.Static<typeof FactsConfig>>
}

/** Environment variables read, besides `MEGA_<SECTION>__<OPTION>` for every option. */
export const ENV_SHORTCUTS = {
  MEGA_DATA_DIR: 'dataDir',
  MEGA_HTTP: 'http (host:port)',
  MEGA_LOG_LEVEL: 'log.level',
} as const

/**
 * Loads the configuration: defaults ← file (if given) ← environment. Throws a
 * `SCHEMA_VIOLATION` naming the option (JSON path) and where it came from.
 */
export async function loadConfig(
  file: string | undefined,
  env: NodeJS.ProcessEnv = process.env,
): Promise<NodeConfig> {
  let fromFile: unknown = {}
  if (file !== undefined) {
    let text: string
    try {
      text = await readFile(file, 'utf8')
    } catch (error) {
      throw new ProtocolError(
        ErrorCode.BAD_JSON,
        `cannot read config ${file}: ${(error as NodeJS.ErrnoException).code}`,
      )
    }
    try {
      fromFile = JSON.parse(text)
    } catch (error) {
      throw new ProtocolError(ErrorCode.BAD_JSON, `config ${file} is not JSON: ${(error as Error).message}`)
    }
  }
  const merged = applyEnv(structuredClone(fromFile) as Record<string, unknown>, env)
  return resolveConfig(merged, file ?? 'environment')
}

/** Validates a raw configuration object and fills in every default. */
export function resolveConfig(raw: unknown, source = 'config'): NodeConfig {
  const checked = validateSchema<NodeConfigFile>(NodeConfigFile, raw, 'config')
  if (!checked.ok) {
    const { code, message, details } = checked.error
    throw new ProtocolError(code, `${source}: option ${message}`, details)
  }
  const config = checked.value
  const { enabled = true, sync = {}, ...network } = config.network ?? {}
  const { bids = {}, ...mempool } = config.mempool ?? {}
  return {
    dataDir: config.dataDir ?? './data',
    http: { host: config.http?.host ?? '127.0.0.1', port: config.http?.port ?? 8080 },
    log: {
      level: config.log?.level ?? 'info',
      ...(config.log?.pretty !== undefined && { pretty: config.log.pretty }),
    },
    mempool: {
      ...(mempool as Partial<MempoolOptions>),
      ...(config.mempool?.minBits && {
        minBits: { ...defaultMempoolOptions.minBits, ...config.mempool.minBits },
      }),
      ...(config.mempool?.shard && { shard: { ...defaultMempoolOptions.shard, ...config.mempool.shard } }),
    },
    bids: bidsConfig(bids, source),
    store: config.store ?? {},
    api: config.api ?? {},
    network: { ...network, enabled, sync },
    relay: config.relay ?? {},
    facts: config.facts ?? {},
  }
}

/** The bid verifier's options over the defaults; a verifier needs its command or URL. */
function bidsConfig(given: Partial<BidsConfig>, source: string): BidsConfig {
  const bids = { ...defaultBidsConfig, ...given }
  const needed = bids.verifier === 'command' ? 'command' : bids.verifier === 'http' ? 'url' : undefined
  if (needed && bids[needed] === undefined) {
    const path = `/mempool/bids/${needed}`
    throw new ProtocolError(
      ErrorCode.SCHEMA_VIOLATION,
      `${source}: option ${path} is required with verifier ${bids.verifier}`,
      { path },
    )
  }
  return bids
}

/** Applies `MEGA_*` variables onto a raw config object (values parsed as JSON when they parse). */
export function applyEnv(raw: Record<string, unknown>, env: NodeJS.ProcessEnv): Record<string, unknown> {
  const set = (path: string[], value: unknown) => {
    let target = raw
    for (const segment of path.slice(0, -1)) {
      if (typeof target[segment] !== 'object' || target[segment] === null) target[segment] = {}
      target = target[segment] as Record<string, unknown>
    }
    target[path.at(-1)!] = value
  }
  for (const [name, value] of Object.entries(env)) {
    if (value === undefined || !name.startsWith('MEGA_') || name === 'MEGA_CONFIG') continue
    if (name === 'MEGA_DATA_DIR') set(['dataDir'], value)
    else if (name === 'MEGA_LOG_LEVEL') set(['log', 'level'], value)
    else if (name === 'MEGA_HTTP') {
      const { host, port } = parseHostPort(value, name)
      set(['http', 'host'], host)
      set(['http', 'port'], port)
    } else if (name.includes('__')) {
      set(name.slice('MEGA_'.length).split('__').map(camelCase), parseValue(value))
    }
  }
  return raw
}

/** Parses `host:port` (IPv6 in brackets: `[::1]:8080`). */
export function parseHostPort(text: string, what = 'address'): { host: string; port: number } {
  const match = /^(?:\[([^\]]+)\]|([^:]+)):(\d{1,5})$/.exec(text)
  const port = Number(match?.[3])
  if (!match || port > 65_535) {
    throw new ProtocolError(
      ErrorCode.SCHEMA_VIOLATION,
      `${what} must be host:port (e.g. 127.0.0.1:8080), got "${text}"`,
    )
  }
  return { host: (match[1] ?? match[2])!, port }
}

function camelCase(segment: string): string {
  return segment.toLowerCase().replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase())
}

function parseValue(value: string): unknown {
  try {
    return JSON.parse(value)
  } catch {
    return value
  }
}
