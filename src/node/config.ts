/**
 * The node's configuration: one JSON file, validated by one schema, with environment
 * variables on top. The schema's descriptions and defaults are the documentation
 * (docs/configuration.md is generated from them).
 */
import { readFile } from 'node:fs/promises'
import Type from 'typebox'
import { defaultApiOptions } from '../api/index.ts'
import { FactsConfig, RelayConfig } from '../facts/index.ts'
import { defaultMempoolOptions, type MempoolOptions } from '../mempool/index.ts'
import { MESH_DEGREE_ORDER, meshDegreeProblem, type NetworkInit } from '../network/index.ts'
import { validateSchema } from '../protocol/index.ts'
import { type BidsConfig, defaultBidsConfig } from './bids.ts'
import { ConfigError, ConfigErrorCode, schemaAt, typeOf } from './config-error.ts'
import { NetworkConfig } from './config-network.ts'

/** The `network.sync` options given. */
export type SyncConfig = NonNullable<NetworkConfig['sync']>

const d = defaultMempoolOptions
const b = defaultBidsConfig
const Bits = (description: string, value: number) =>
  Type.Integer({ minimum: 0, maximum: 64, default: value, description })
const Count = (description: string, value: number) =>
  Type.Integer({ minimum: 1, maximum: 100_000_000, default: value, description })

const MempoolConfig = Type.Object(
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
 * {@link ConfigError} naming the option and the file or variable its value came from.
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
      const reason = (error as NodeJS.ErrnoException).code ?? (error as Error).message
      throw new ConfigError(
        ConfigErrorCode.CONFIG_UNREADABLE,
        `cannot read config ${file}: ${reason}`,
        { source: file, reason },
        { cause: error },
      )
    }
    try {
      fromFile = JSON.parse(text)
    } catch (error) {
      throw new ConfigError(
        ConfigErrorCode.CONFIG_NOT_JSON,
        `config ${file} is not JSON: ${(error as Error).message}`,
        { source: file },
      )
    }
  }
  const origins = new Map<string, string>()
  const merged = applyEnv(structuredClone(fromFile) as Record<string, unknown>, env, origins)
  return resolveConfig(merged, file ?? 'environment', origins)
}

/**
 * Validates a raw configuration object and fills in every default. `source` names where the
 * values came from, `origins` the `MEGA_*` variable behind each option the environment set
 * (from {@link applyEnv}), so an error names the one at fault.
 */
export function resolveConfig(
  raw: unknown,
  source = 'config',
  origins: ReadonlyMap<string, string> = new Map(),
): NodeConfig {
  const checked = validateSchema<NodeConfigFile>(NodeConfigFile, raw, 'config')
  if (!checked.ok) {
    const at = String(checked.error.details.path)
    // The schema's message starts with the path it names; an unknown option is named after it.
    const problem = checked.error.message.slice(at.length + 1)
    const unknown = /^has unknown property "([^"]+)"$/.exec(problem)?.[1]
    const path = unknown === undefined ? at : `${at === '/' ? '' : at}/${unknown}`
    const text = unknown === undefined ? problem : 'is not an option (docs/configuration.md lists them)'
    throw invalidOption(path, text, originOf(path, origins) ?? source)
  }
  const config = checked.value
  const gossip = config.network?.gossip ?? {}
  const meshProblem = meshDegreeProblem(gossip)
  if (meshProblem) {
    const paths = ['meshDegreeLow', 'meshDegree', 'meshDegreeHigh'].map((name) => `/network/gossip/${name}`)
    const origin = paths.map((path) => originOf(path, origins)).find((name) => name !== undefined)
    throw invalidOption('/network/gossip', meshProblem, origin ?? source, MESH_DEGREE_ORDER)
  }
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
    bids: bidsConfig(bids, source, origins),
    store: config.store ?? {},
    api: config.api ?? {},
    network: { ...network, enabled, sync },
    relay: config.relay ?? {},
    facts: config.facts ?? {},
  }
}

/** The bid verifier's options over the defaults; a verifier needs its command or URL. */
function bidsConfig(
  given: Partial<BidsConfig>,
  source: string,
  origins: ReadonlyMap<string, string>,
): BidsConfig {
  const bids = { ...defaultBidsConfig, ...given }
  const needed = bids.verifier === 'command' ? 'command' : bids.verifier === 'http' ? 'url' : undefined
  if (needed && bids[needed] === undefined) {
    const problem = `is required with verifier ${bids.verifier}`
    throw invalidOption(`/mempool/bids/${needed}`, problem, origins.get('/mempool/bids/verifier') ?? source)
  }
  return bids
}

/** `CONFIG_INVALID` for the option at `path`: `<source>: option <key> <problem> (expected …)`. */
function invalidOption(path: string, problem: string, source: string, rule?: string): ConfigError {
  const key = path === '/' ? '(top level)' : path.slice(1).replaceAll('/', '.')
  const schema = schemaAt(NodeConfigFile, path)
  const expected = rule ?? (schema ? typeOf(schema).replaceAll('`', '') : undefined)
  // The schema's list of allowed values names their types only: name the values instead.
  const text = problem.startsWith('must be one of') && expected ? `must be one of ${expected}` : problem
  const hint = expected && !text.includes(expected) ? ` (expected ${expected})` : ''
  return new ConfigError(ConfigErrorCode.CONFIG_INVALID, `${source}: option ${key} ${text}${hint}`, {
    source,
    key,
    path,
    ...(expected && { expected }),
  })
}

/** The variable that set the value at `path` or above it; undefined when it is the file's. */
function originOf(path: string, origins: ReadonlyMap<string, string>): string | undefined {
  for (let at = path; at !== ''; at = at.slice(0, at.lastIndexOf('/'))) {
    const origin = origins.get(at)
    if (origin) return origin
  }
  return undefined
}

/**
 * Applies `MEGA_*` variables onto a raw config object (values parsed as JSON when they parse).
 * `origins`, when given, receives the variable behind each JSON pointer set.
 */
export function applyEnv(
  raw: Record<string, unknown>,
  env: NodeJS.ProcessEnv,
  origins?: Map<string, string>,
): Record<string, unknown> {
  let variable = ''
  const set = (path: string[], value: unknown) => {
    let target = raw
    for (const segment of path.slice(0, -1)) {
      if (typeof target[segment] !== 'object' || target[segment] === null) target[segment] = {}
      target = target[segment] as Record<string, unknown>
    }
    target[path.at(-1)!] = value
    origins?.set(`/${path.join('/')}`, variable)
  }
  for (const [name, value] of Object.entries(env)) {
    if (value === undefined || !name.startsWith('MEGA_') || name === 'MEGA_CONFIG') continue
    variable = name
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

/**
 * Parses `host:port` (IPv6 in brackets: `[::1]:8080`) given by `source` (a flag or variable)
 * for the option `key`.
 */
export function parseHostPort(
  text: string,
  source = 'address',
  key = 'http',
): { host: string; port: number } {
  const match = /^(?:\[([^\]]+)\]|([^:]+)):(\d{1,5})$/.exec(text)
  const port = Number(match?.[3])
  if (!match || port > 65_535) {
    const expected = 'host:port, port ≤ 65535 (e.g. 127.0.0.1:8080)'
    throw new ConfigError(ConfigErrorCode.CONFIG_INVALID, `${source} must be ${expected}, got "${text}"`, {
      source,
      key,
      expected,
    })
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
