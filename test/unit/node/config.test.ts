import assert from 'node:assert/strict'
import { mkdtemp, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, it } from 'node:test'
import { p2pListenAddresses } from '../../../src/cli/commands/node-start.ts'
import { loadConfig, parseHostPort, resolveConfig } from '../../../src/node/config.ts'
import { ConfigError, type ConfigErrorDetails } from '../../../src/node/config-error.ts'
import { CodedError } from '../../../src/protocol/errors.ts'

/** Asserts `error` is a ConfigError of `code` whose details include `details`. */
function isConfigError(error: unknown, code: string, details: Partial<ConfigErrorDetails>): boolean {
  assert.ok(error instanceof ConfigError, String(error))
  assert.ok(error instanceof CodedError)
  assert.equal(error.code, code)
  for (const [name, value] of Object.entries(details))
    assert.equal(error.details[name as keyof ConfigErrorDetails], value, name)
  return true
}

describe('node configuration', () => {
  it('needs nothing: every option has a default', async () => {
    const config = await loadConfig(undefined, {})
    assert.deepEqual(config.http, { host: '127.0.0.1', port: 8080 })
    assert.equal(config.dataDir, './data')
    assert.deepEqual(config.mempool, {})
  })

  it('reads a file, then lets environment variables override it', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'mega-config-'))
    const file = join(dir, 'mega.json')
    await writeFile(
      file,
      JSON.stringify({ http: { port: 9000 }, mempool: { maxOracles: 50, minBits: { report: 20 } } }),
    )
    const config = await loadConfig(file, {
      MEGA_HTTP: '[::1]:9100',
      MEGA_MEMPOOL__MAX_ORACLES: '70',
      MEGA_MEMPOOL__SHARD__COUNT: '2',
      MEGA_LOG_LEVEL: 'debug',
    })
    assert.deepEqual(config.http, { host: '::1', port: 9100 })
    assert.equal(config.mempool.maxOracles, 70)
    assert.deepEqual(config.mempool.minBits, { oracle: 16, capability: 12, report: 20, offer: 12 })
    assert.deepEqual(config.mempool.shard, { index: 0, count: 2 })
    assert.equal(config.log.level, 'debug')
  })

  it('names the option at fault, where it came from and what it takes', async () => {
    const cases: [unknown, string, string | undefined, RegExp][] = [
      [{ mempool: { maxOracles: 0 } }, 'mempool.maxOracles', 'integer (≥ 1, ≤ 100000000)', /must be >= 1/],
      [{ mempool: { maxOracle: 5 } }, 'mempool.maxOracle', undefined, /is not an option/],
      [{ http: { port: 'eighty' } }, 'http.port', 'integer (≥ 0, ≤ 65535)', /must be integer/],
      [
        { log: { level: 'loud' } },
        'log.level',
        'fatal | error | warn | info | debug | trace | silent',
        /one of fatal/,
      ],
      [
        { mempool: { bids: { verifier: 'http' } } },
        'mempool.bids.url',
        'string',
        /required with verifier http/,
      ],
    ]
    for (const [raw, key, expected, problem] of cases) {
      assert.throws(
        () => resolveConfig(raw, 'mega.json'),
        (error: Error) =>
          isConfigError(error, 'CONFIG_INVALID', { source: 'mega.json', key, expected }) &&
          error.message.startsWith(`mega.json: option ${key} `) &&
          problem.test(error.message),
        key,
      )
    }
  })

  it('refuses gossip mesh degrees out of order before the node starts', () => {
    assert.throws(
      () => resolveConfig({ network: { gossip: { meshDegreeLow: 9 } } }, 'mega.json'),
      (error: Error) =>
        isConfigError(error, 'CONFIG_INVALID', {
          source: 'mega.json',
          key: 'network.gossip',
          expected: '1 ≤ meshDegreeLow ≤ meshDegree ≤ meshDegreeHigh',
        }) && /got 9, 4, 8/.test(error.message),
    )
  })

  it('refuses a forward hold of more than a second (every hop would be slower than heartbeat gossip)', () => {
    assert.equal(
      resolveConfig({ network: { gossip: { forwardDelayMs: 1000 } } }).network.gossip?.forwardDelayMs,
      1000,
    )
    assert.throws(
      () => resolveConfig({ network: { gossip: { forwardDelayMs: 5000 } } }, 'mega.json'),
      (error: Error) =>
        isConfigError(error, 'CONFIG_INVALID', {
          source: 'mega.json',
          key: 'network.gossip.forwardDelayMs',
          expected: 'integer (≥ 0, ≤ 1000)',
        }),
    )
  })

  it('refuses a bad file: unreadable, not JSON, or a bad option in it', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'mega-config-'))
    const missing = join(dir, 'missing.json')
    await assert.rejects(loadConfig(missing, {}), (error) =>
      isConfigError(error, 'CONFIG_UNREADABLE', { source: missing, reason: 'ENOENT' }),
    )
    const broken = join(dir, 'broken.json')
    await writeFile(broken, '{ "http": ')
    await assert.rejects(loadConfig(broken, {}), (error) =>
      isConfigError(error, 'CONFIG_NOT_JSON', { source: broken }),
    )
    const wrong = join(dir, 'wrong.json')
    await writeFile(wrong, JSON.stringify({ mempool: { maxBytes: 10 } }))
    await assert.rejects(loadConfig(wrong, { MEGA_LOG_LEVEL: 'debug' }), (error) =>
      isConfigError(error, 'CONFIG_INVALID', { source: wrong, key: 'mempool.maxBytes' }),
    )
  })

  it('names the environment variable a bad value came from, not the file', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'mega-config-'))
    const file = join(dir, 'mega.json')
    await writeFile(file, JSON.stringify({ mempool: { maxOracles: 50 } }))
    const cases: [NodeJS.ProcessEnv, string, string][] = [
      [{ MEGA_MEMPOOL__MAX_BYTES: '10' }, 'MEGA_MEMPOOL__MAX_BYTES', 'mempool.maxBytes'],
      [{ MEGA_MEMPOOL__MAX_BYTE: '10' }, 'MEGA_MEMPOOL__MAX_BYTE', 'mempool.maxByte'],
      [{ MEGA_LOG_LEVEL: 'loud' }, 'MEGA_LOG_LEVEL', 'log.level'],
      [{ MEGA_HTTP: 'localhost' }, 'MEGA_HTTP', 'http'],
      [{ MEGA_MEMPOOL__BIDS__VERIFIER: 'command' }, 'MEGA_MEMPOOL__BIDS__VERIFIER', 'mempool.bids.command'],
      [{ MEGA_NETWORK__GOSSIP__MESH_DEGREE: '20' }, 'MEGA_NETWORK__GOSSIP__MESH_DEGREE', 'network.gossip'],
    ]
    for (const [env, source, key] of cases) {
      await assert.rejects(loadConfig(file, env), (error: Error) => {
        isConfigError(error, 'CONFIG_INVALID', { source, key })
        assert.ok(error.message.startsWith(source), error.message)
        return true
      })
    }
  })

  it('names the flag a bad address came from', () => {
    assert.throws(
      () => parseHostPort('localhost', '--http'),
      (error: Error) =>
        isConfigError(error, 'CONFIG_INVALID', { source: '--http', key: 'http' }) &&
        /^--http must be host:port/.test(error.message),
    )
    assert.throws(
      () => p2pListenAddresses('127.0.0.1:65535'),
      (error) => isConfigError(error, 'CONFIG_INVALID', { source: '--p2p', key: 'network.listen' }),
    )
  })
})

describe('docs/configuration.md', () => {
  it('is generated from the schema (run `npm run docs:config` after changing an option)', async () => {
    const { readFile } = await import('node:fs/promises')
    const { renderConfigDocs } = await import('../../../src/node/config-docs.ts')
    const committed = await readFile(new URL('../../../docs/configuration.md', import.meta.url), 'utf8')
    assert.equal(committed, renderConfigDocs())
  })
})
