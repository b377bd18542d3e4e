/**
 * The `relay` and `facts` sections of the node's configuration file: schemas whose
 * descriptions and defaults are the documentation (docs/configuration.md).
 */
import Type from 'typebox'
import { defaultFactPoolOptions } from './fact-pool.ts'
import { defaultRelayOptions } from './relay.ts'

const Count = (description: string, value: number, maximum = 100_000_000) =>
  Type.Integer({ minimum: 1, maximum, default: value, description })
const r = defaultRelayOptions
const f = defaultFactPoolOptions

export const RelayConfig = Type.Object(
  {
    clients: Type.Union([Type.Literal('loopback'), Type.Literal('any'), Type.Literal('none')], {
      default: r.clients,
      description:
        'Whose requests /relay/commitment and /relay/fact forward to oracles: clients on this host only, any client, or none. A web page open on this host is such a client: api.corsOrigins keeps pages of other origins off.',
    }),
    maxInFlightPerClient: Count(
      'Relayed requests in flight per client address (503 RELAY_BUSY beyond).',
      r.maxInFlightPerClient,
      1024,
    ),
    maxInFlightPerOracle: Count(
      'Calls in flight to one oracle (503 RELAY_BUSY beyond).',
      r.maxInFlightPerOracle,
      1024,
    ),
    maxPerOraclePerMinute: Count(
      'Calls to one oracle per minute (503 RELAY_BUSY beyond).',
      r.maxPerOraclePerMinute,
      1_000_000,
    ),
    timeoutMs: Type.Integer({
      minimum: 100,
      maximum: 120_000,
      default: r.timeoutMs,
      description: 'Milliseconds a call to an oracle may take (502 UPSTREAM_FAILED beyond).',
    }),
    localAddress: Type.String({
      minLength: 2,
      maxLength: 64,
      description: 'Local address calls to oracles leave from (an egress address of the node’s own).',
    }),
    minCommitmentSeconds: Type.Integer({
      minimum: 0,
      maximum: 10 * 365 * 86_400,
      default: r.minCommitmentSeconds,
      description: 'A held commitment is handed to another trader only while its deadline is this far ahead.',
    }),
  },
  { additionalProperties: false },
)

export const FactsConfig = Type.Object(
  {
    maxRecords: Count('Commitments and facts kept in all; the least recently used go first.', f.maxRecords),
    maxPerCapability: Count('Commitments and facts kept per capability key.', f.maxPerCapability),
    maxBytes: Type.Integer({
      minimum: 1024,
      default: f.maxBytes,
      description: 'Bytes of commitments and facts kept in all.',
    }),
    sync: Type.Boolean({
      default: true,
      description: 'Reconcile the fact pool with peers (its own sync protocol; see docs/sync.md).',
    }),
  },
  { additionalProperties: false },
)
