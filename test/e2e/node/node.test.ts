import assert from 'node:assert/strict'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, describe, it } from 'node:test'
import pino from 'pino'
import { NodeClient } from '../../../src/client/node-client.ts'
import { resolveConfig } from '../../../src/node/config.ts'
import { MegaNode } from '../../../src/node/node.ts'
import * as fx from '../../support/messages.ts'
import { assertProblem, dropAll, hold, partialPost, within } from '../api/raw-http.ts'

const dirs: string[] = []
after(async () => {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true })
})

async function startNode(dataDir: string, api = {}) {
  const config = resolveConfig({
    dataDir,
    http: { host: '127.0.0.1', port: 0 },
    api,
    mempool: { minBits: { oracle: 8, capability: 8, report: 8, offer: 8 } },
    network: { enabled: false },
  })
  const node = new MegaNode(config, { logger: pino({ level: 'silent' }) })
  await node.start()
  return { node, client: new NodeClient({ url: node.url! }) }
}

describe('MegaNode', () => {
  it('serves the REST API, persists what it acknowledges, and restores it after a restart', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'mega-node-'))
    dirs.push(dataDir)
    const first = await startNode(dataDir)
    assert.equal((await first.client.post('oracle', fx.oracleAd())).status, 201)
    assert.equal((await first.client.post('capability', fx.capabilityAd())).status, 201)
    const weak = await first.client.post('oracle', fx.oracleAd({}, fx.OTHER_ORACLE, 4))
    assert.equal(weak.status, 422, 'under the minimum bits')
    const before = (await first.client.get('oracles')).body
    await first.node.stop()
    await first.node.stop() // idempotent

    const second = await startNode(dataDir)
    try {
      assert.deepEqual((await second.client.get('oracles')).body, before)
      assert.equal(
        (await second.client.post('oracle', fx.oracleAd())).status,
        200,
        'a duplicate after restart',
      )
    } finally {
      await second.node.stop()
    }
  })

  it('cuts slow bodies at api.requestTimeoutMs and stops without waiting on held connections', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'mega-node-'))
    dirs.push(dataDir)
    const { node } = await startNode(dataDir, { requestTimeoutMs: 500, maxConnectionsPerAddress: 100 })
    try {
      const port = Number(new URL(node.url!).port)
      const slow = await hold(port, partialPost(100, 10))
      await within(slow.closed, 3000, 'the deadline to close a partial body')
      assertProblem(slow.text(), 408, 'REQUEST_TIMEOUT')
      const held = await Promise.all(Array.from({ length: 50 }, () => hold(port, partialPost(100, 10))))
      const started = performance.now()
      await within(node.stop(), 3000, 'the node to stop')
      assert.ok(performance.now() - started < 2000, 'stop waits on no slow client')
      for (const connection of held) await within(connection.closed, 1000, 'every connection to close')
    } finally {
      dropAll()
      await node.stop()
    }
  })
})
