/**
 * The durability promise at the client's level: a message the REST API acknowledged survives
 * kill -9 of the node process, right after the acknowledgement.
 */
import assert from 'node:assert/strict'
import { type ChildProcess, spawn } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, describe, it } from 'node:test'
import { NodeClient } from '../../../src/client/node-client.ts'
import * as fx from '../../support/messages.ts'
import { freePort } from '../../support/ports.ts'

const MEGA = new URL('../../../bin/mega.ts', import.meta.url).pathname
const children: ChildProcess[] = []
const dirs: string[] = []
after(async () => {
  for (const child of children) child.kill('SIGKILL')
  for (const dir of dirs) await rm(dir, { recursive: true, force: true })
})

async function startNode(
  dataDir: string,
  port: number,
): Promise<{ child: ChildProcess; client: NodeClient }> {
  const child = spawn(process.execPath, [MEGA, 'node', '--data', dataDir, '--http', `127.0.0.1:${port}`], {
    env: {
      ...process.env,
      MEGA_LOG_LEVEL: 'warn',
      MEGA_NETWORK__ENABLED: 'false',
      MEGA_MEMPOOL__MIN_BITS: '{"oracle":8,"capability":8,"report":8,"offer":8}',
    },
    stdio: 'ignore',
  })
  children.push(child)
  const client = new NodeClient({ url: `http://127.0.0.1:${port}`, timeoutMs: 2000 })
  for (let attempt = 0; attempt < 100; attempt++) {
    try {
      if ((await client.get('health')).status === 200) return { child, client }
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 100))
    }
  }
  throw new Error('node did not start')
}

describe('durability of acknowledged messages', () => {
  it('keeps every message acknowledged before kill -9', { timeout: 60_000 }, async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'mega-crash-'))
    dirs.push(dataDir)
    const port = await freePort()
    const first = await startNode(dataDir, port)
    const acknowledged: string[] = []
    for (let seed = 80; seed < 100; seed++) {
      const response = await first.client.post('oracle', fx.oracleAd({}, fx.testKey('ed25519', seed)))
      assert.equal(response.status, 201)
      acknowledged.push((response.body as { id: string }).id)
    }
    first.child.kill('SIGKILL')
    await new Promise((resolve) => first.child.once('exit', resolve))

    const second = await startNode(dataDir, port)
    const held = new Set<string>()
    let cursor: string | undefined
    do {
      const page = (await second.client.get('oracles', { limit: '100', ...(cursor && { cursor }) })).body as {
        items: { id: string }[]
        next?: string
      }
      for (const item of page.items) held.add(item.id)
      cursor = page.next
    } while (cursor)
    for (const id of acknowledged) assert.ok(held.has(id), `acknowledged ${id} was lost`)
    second.child.kill('SIGTERM')
    await new Promise((resolve) => second.child.once('exit', resolve))
  })
})
