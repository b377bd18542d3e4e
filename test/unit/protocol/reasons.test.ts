/**
 * The catalogue of reasons is the one source of codes: every code constant and every code
 * literal in src is in it, the HTTP and gossip tables derive from it, and the error tables of
 * the documents are what `npm run docs:errors` renders from it.
 */
import assert from 'node:assert/strict'
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, it } from 'node:test'
import { CliErrorCode } from '../../../src/cli/command.ts'
import { EndpointErrorCode } from '../../../src/client/endpoint-client.ts'
import { ClientErrorCode } from '../../../src/client/node-client.ts'
import { ContractErrorCode } from '../../../src/contracts/errors.ts'
import { FactErrorCode } from '../../../src/facts/errors.ts'
import { ApiErrorCode } from '../../../src/http/errors.ts'
import { STATUS_BY_CODE } from '../../../src/http/problem.ts'
import { MempoolErrorCode } from '../../../src/mempool/admission.ts'
import { NetworkErrorCode } from '../../../src/network/errors.ts'
import { verdictOf } from '../../../src/network/verdicts.ts'
import { ConfigErrorCode } from '../../../src/node/config-error.ts'
import { OracleErrorCode } from '../../../src/oracle/errors.ts'
import { ErrorCode } from '../../../src/protocol/errors.ts'
import {
  ERRORS_DOC,
  REASON_DOCS,
  renderErrorsDoc,
  renderReasonTables,
} from '../../../src/protocol/reason-docs.ts'
import { REASON_FIXES } from '../../../src/protocol/reason-fixes.ts'
import {
  NODE_AREAS,
  REASONS,
  type ReasonArea,
  type ReasonCode,
  reasonsOf,
} from '../../../src/protocol/reasons.ts'
import { StoreErrorCode } from '../../../src/store/errors.ts'
import { SyncErrorCode } from '../../../src/sync/errors.ts'
import { TraderErrorCode } from '../../../src/trader/errors.ts'

const root = new URL('../../../', import.meta.url)

const codesOf = (...areas: ReasonArea[]) => new Set(reasonsOf(...areas).map((reason) => reason.code))

/** Each area's code constant, as the code that raises them exports it. */
const CONSTANTS: [ReasonArea[], Record<string, string>][] = [
  [['protocol'], ErrorCode],
  [['mempool'], MempoolErrorCode],
  [[...NODE_AREAS], { ...ApiErrorCode, ...FactErrorCode }],
  [['sync'], SyncErrorCode],
  [['store'], StoreErrorCode],
  [['network'], NetworkErrorCode],
  [['oracle'], OracleErrorCode],
  [['endpoint-client'], EndpointErrorCode],
  [['trader'], TraderErrorCode],
  [['contract'], ContractErrorCode],
  [['config'], ConfigErrorCode],
  [['client'], ClientErrorCode],
  [['cli'], CliErrorCode],
]

/** Upper-case string literals in src that are not codes, and why. */
const NOT_CODES = new Set([
  ...['SIGINT', 'SIGTERM', 'SIGKILL', 'SIGHUP'], // signals
  ...['ENOENT', 'EEXIST', 'ECONNRESET', 'EPIPE', 'EADDRINUSE', 'EACCES', 'EROFS', 'EPERM', 'EADDRNOTAVAIL'], // system error codes
  ...['ERR_HTTP_REQUEST_TIMEOUT', 'HPE_HEADER_OVERFLOW', 'HPE_CHUNK_EXTENSIONS_OVERFLOW'], // node:http's
  ...['GET', 'HEAD', 'POST', 'OPTIONS', 'HTTP'], // HTTP methods, a table header
  'PBKDF2', // a WebCrypto algorithm name
  ...['BEGIN', 'COMMIT', 'ROLLBACK', 'NORMAL', 'FULL'], // SQL and SQLite pragma values
  'NFKC', // Unicode normalization form
  ...['ARS', 'CHE'], // demo data
])

function sourceFiles(dir: URL): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((name) => /\.tsx?$/.test(name))
    .map((name) => join(dir.pathname, name))
}

/**
 * The same at compile time: a code added to a constant without its catalogue row fails
 * `npm run typecheck`, naming the code.
 */
type Uncatalogued =
  | Exclude<ErrorCode, ReasonCode<'protocol'>>
  | Exclude<MempoolErrorCode, ReasonCode<'mempool'>>
  | Exclude<ApiErrorCode | FactErrorCode, ReasonCode<'protocol' | 'mempool' | 'api'>>
  | Exclude<SyncErrorCode, ReasonCode<'sync'>>
  | Exclude<StoreErrorCode, ReasonCode<'store'>>
  | Exclude<NetworkErrorCode, ReasonCode<'network'>>
  | Exclude<OracleErrorCode, ReasonCode<'oracle'>>
  | Exclude<EndpointErrorCode, ReasonCode<'endpoint-client'>>
  | Exclude<TraderErrorCode, ReasonCode<'trader'>>
  | Exclude<ContractErrorCode, ReasonCode<'contract'>>
  | Exclude<ConfigErrorCode, ReasonCode<'config'>>
  | Exclude<ClientErrorCode, ReasonCode<'client'>>
  | Exclude<CliErrorCode, ReasonCode<'cli'>>
const everyCodeCatalogued: [Uncatalogued] extends [never] ? true : Uncatalogued = true

describe('catalogue of reasons', () => {
  it('holds every code constant of every area, and no code they lack', () => {
    assert.equal(everyCodeCatalogued, true)
    for (const [areas, constant] of CONSTANTS) {
      const catalogued = codesOf(...areas)
      for (const code of Object.values(constant))
        assert.ok(catalogued.has(code), `${code} (${areas}) missing`)
    }
    for (const area of [
      'protocol',
      'mempool',
      'sync',
      'store',
      'network',
      'oracle',
      'trader',
      'contract',
      'config',
      'client',
      'cli',
    ] as const) {
      const [, constant] = CONSTANTS.find(([areas]) => areas.length === 1 && areas[0] === area)!
      for (const code of codesOf(area))
        assert.ok(Object.values(constant).includes(code), `${code} (${area}) stale`)
    }
    for (const code of codesOf('api'))
      assert.ok(
        Object.hasOwn(ApiErrorCode, code) || Object.hasOwn(FactErrorCode, code),
        `${code} (api) stale`,
      )
  })

  it('has each code once in its namespace', () => {
    const namespaces: ReasonArea[][] = [
      [...NODE_AREAS],
      ...(
        [
          'sync',
          'store',
          'network',
          'oracle',
          'endpoint-client',
          'trader',
          'contract',
          'config',
          'client',
          'cli',
        ] as const
      ).map((area) => [area]),
    ]
    for (const areas of namespaces) {
      const codes = reasonsOf(...areas).map((reason) => reason.code)
      assert.deepEqual(codes, [...new Set(codes)], `a code twice in ${areas}`)
    }
    for (const reason of REASONS) assert.ok(reason.meaning.length > 0, reason.code)
  })

  it('holds every code literal of src', () => {
    const known = new Set<string>(REASONS.map((reason) => reason.code))
    const literal = /'([A-Z][A-Z0-9_]{2,})'/g
    const missing: string[] = []
    for (const file of sourceFiles(new URL('src/', root))) {
      for (const [, code] of readFileSync(file, 'utf8').matchAll(literal)) {
        if (!known.has(code!) && !NOT_CODES.has(code!) && !code!.startsWith('MEGA_'))
          missing.push(`${code} in ${file}`)
      }
    }
    assert.deepEqual(missing, [])
  })

  it('gives the REST API its statuses and gossip its verdicts', () => {
    for (const reason of reasonsOf(...NODE_AREAS)) {
      assert.equal(STATUS_BY_CODE[reason.code], reason.http ?? undefined, reason.code)
      const admission = { status: 'invalid', reason: { code: reason.code, message: '' } } as const
      assert.equal(verdictOf(admission), reason.gossip === null ? 'ignore' : reason.gossip, reason.code)
    }
    assert.equal(STATUS_BY_CODE.TOO_LARGE, 413)
    assert.equal(STATUS_BY_CODE.LOW_POW, 409)
  })

  it('strikes a sync peer for wire faults only (docs/sync.md), not for slowness or another release', () => {
    const struck = reasonsOf('sync')
      .filter((reason) => reason.gossip === 'reject')
      .map((reason) => reason.code)
    assert.deepEqual(struck.sort(), [
      'BAD_BOUND',
      'BAD_FRAME',
      'BAD_ID_LIST',
      'BAD_MODE',
      'BAD_VARINT',
      'SESSION_LIMIT',
      'TOO_LARGE',
      'TRAILING_BYTES',
      'TRUNCATED',
    ])
  })

  it('follows the action the failing check decided, else the catalogue’s: no JSON path decides', () => {
    const at = (code: string, gossip?: 'ignore') =>
      verdictOf({
        status: 'invalid',
        reason: { code, message: '', path: '/content/commitment/deadline', ...(gossip && { gossip }) },
      })
    assert.equal(at(ErrorCode.EVIDENCE_INVALID, 'ignore'), 'ignore')
    assert.equal(at(ErrorCode.EVIDENCE_INVALID), 'reject')
    // A deadline that is not a time breaks the schema on every node, at every time.
    assert.equal(at(ErrorCode.SCHEMA_VIOLATION), 'reject')
  })
})

describe('generated error tables', () => {
  it(`${ERRORS_DOC} is what \`npm run docs:errors\` writes, with every code and what to do`, () => {
    const text = readFileSync(new URL(ERRORS_DOC, root), 'utf8')
    assert.equal(text, renderErrorsDoc(), 'run npm run docs:errors')
    for (const reason of REASONS) {
      const fix = (REASON_FIXES[reason.area] as Record<string, string>)[reason.code]
      assert.ok(fix, `${reason.code} (${reason.area}) has no fix`)
      assert.ok(text.includes(`| \`${reason.code}\` | ${reason.http ?? '—'} |`), reason.code)
      assert.ok(text.includes(fix.replaceAll('|', '\\|')), reason.code)
    }
  })

  for (const [path, tables] of Object.entries(REASON_DOCS)) {
    it(`${path} is what \`npm run docs:errors\` writes`, () => {
      const text = readFileSync(new URL(path, root), 'utf8')
      assert.equal(text, renderReasonTables(text, tables), `run npm run docs:errors`)
      for (const reason of reasonsOf('protocol', 'mempool')) {
        if (path === 'docs/protocol.md') assert.ok(text.includes(`| \`${reason.code}\` |`), reason.code)
      }
    })
  }
})
