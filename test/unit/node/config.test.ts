import assert from 'node:assert/strict'
import { mkdtemp, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, it } from 'node:test'
import { loadConfig, parseHostPort, resolveConfig } from '../../../src/node/config.ts'
import { isProtocolError } from '../../../src/protocol/errors.ts'

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

  it('names the option at fault and where it came from', async () => {
    const cases: [unknown, string][] = [
      [{ mempool: { maxOracles: 0 } }, '/mempool/maxOracles'],
      [{ mempool: { maxOracle: 5 } }, '/mempool'],
      [{ http: { port: 'eighty' } }, '/http/port'],
      [{ log: { level: 'loud' } }, '/log/level'],
    ]
    for (const [raw, path] of cases) {
      assert.throws(
        () => resolveConfig(raw, 'mega.json'),
        (error) =>
          isProtocolError(error, 'SCHEMA_VIOLATION') &&
          error.details.path === path &&
          /^mega.json: option/.test(error.message),
        path,
      )
    }
    await assert.rejects(loadConfig('/nonexistent/mega.json', {}), /cannot read config/)
    assert.throws(() => parseHostPort('localhost'), /host:port/)
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
