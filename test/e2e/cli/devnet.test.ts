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
import { NodeClient } from '../../../src/client/node-client.ts'
import { freePortRanges } from '../../support/ports.ts'

const MEGA = new URL('../../../bin/mega.ts', import.meta.url).pathname

describe('mega devnet', () => {
  it('starts 3 connected nodes that converge on the demo data, and stops them on SIGINT', {
    timeout: 90_000,
  }, async () => {
    const data = await mkdtemp(join(tmpdir(), 'mega-devnet-'))
    // One HTTP port per node, a TCP and a WebSocket port per node.
    const [httpPort, p2pPort] = await freePortRanges(3, 6)
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
        String(p2pPort),
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    )
    let again: ReturnType<typeof spawn> | undefined
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
      const { nodes, seeded } = JSON.parse(line!) as {
        nodes: { url: string; peerId: string }[]
        seeded: { posted: boolean; summary: string }
      }
      assert.equal(nodes.length, 3)
      assert.deepEqual(seeded, {
        posted: true,
        summary: '3 oracles, 3 capabilities, 3 reports, 1 dispute, 3 offers',
      })
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

      // Started again on the same data, --seed-demo adds no second demo set, and says so.
      again = spawn(
        process.execPath,
        [
          MEGA,
          'devnet',
          '--nodes',
          '1',
          '--seed-demo',
          '--data',
          data,
          '--http-port',
          String(httpPort),
          '--p2p-port',
          String(p2pPort),
        ],
        { stdio: ['ignore', 'pipe', 'inherit'] },
      )
      let text = ''
      again.stdout!.on('data', (chunk) => (text += chunk))
      for (let waited = 0; !text.includes('Ctrl-C stops all nodes.') && waited < 60_000; waited += 100)
        await new Promise((done) => setTimeout(done, 100))
      assert.match(text, /^Seeding the demo data…$/m)
      assert.match(
        text,
        /^Demo data not posted again: the nodes already hold 3 oracles \(remove .+ for a fresh devnet\)\.$/m,
      )
      assert.equal(await contents(`http://127.0.0.1:${httpPort}`), '3/3/3/3')
      const restarted = again
      restarted.kill('SIGINT')
      assert.equal(await new Promise((done) => restarted.once('exit', done)), 0)
      assert.match(text, /Stopping the node…\nMega devnet stopped\.\n$/)
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL')
      if (again && again.exitCode === null) again.kill('SIGKILL')
      await rm(data, { recursive: true, force: true })
    }
  })
})
