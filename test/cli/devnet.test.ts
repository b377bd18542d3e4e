/**
 * `mega devnet` end to end: separate node processes on loopback, demo data posted to different
 * nodes, every node ends with the same contents; SIGINT stops them all.
 */
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { describe, it } from 'node:test'
import { NodeClient } from '../../src/client/node-client.ts'

const MEGA = new URL('../../bin/mega.ts', import.meta.url).pathname

describe('mega devnet', () => {
  it('starts 3 connected nodes that converge on the demo data, and stops them on SIGINT', {
    timeout: 90_000,
  }, async () => {
    const data = await mkdtemp(join(tmpdir(), 'mega-devnet-'))
    // Fixed ports below Linux's ephemeral range (32768+), where tests listening on port 0 live.
    const httpPort = 15_000 + Math.floor(Math.random() * 8_000)
    const child = spawn(
      process.execPath,
      [
        MEGA,
        'devnet',
        '--nodes',
        '3',
        '--seed-demo',
        '--json',
        '--data',
        data,
        '--http-port',
        String(httpPort),
        '--p2p-port',
        String(httpPort + 9_000),
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    )
    try {
      const [line] = await Promise.race([
        (async () => {
          for await (const text of createInterface({ input: child.stdout! })) return [text]
          return []
        })(),
        new Promise<string[]>((_, reject) =>
          child.once('exit', (code) => reject(new Error(`devnet exited ${code}`))),
        ),
      ])
      const { nodes } = JSON.parse(line!) as { nodes: { url: string; peerId: string }[] }
      assert.equal(nodes.length, 3)
      assert.ok(nodes.every((node) => node.peerId.startsWith('12D3')))
      const contents = async (url: string) => {
        const { body } = await new NodeClient({ url }).get('stats')
        const pools = (body as { mempool: Record<string, { count: number }> }).mempool
        return ['oracles', 'capabilities', 'reports', 'offers'].map((pool) => pools[pool]!.count).join('/')
      }
      let seen: string[] = []
      for (let attempt = 0; attempt < 100; attempt++) {
        seen = await Promise.all(nodes.map((node) => contents(node.url)))
        if (seen.every((counts) => counts === '3/3/3/3')) break
        await new Promise((done) => setTimeout(done, 200))
      }
      assert.deepEqual(seen, ['3/3/3/3', '3/3/3/3', '3/3/3/3'])
      child.kill('SIGINT')
      const code = await new Promise((done) => child.once('exit', done))
      assert.equal(code, 0)
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL')
      await rm(data, { recursive: true, force: true })
    }
  })
})
