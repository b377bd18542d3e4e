/**
 * How the node wires its network: plugged-in libp2p services (the sync protocol's hook), a
 * node without a network, and a node key that survives restarts.
 */
import assert from 'node:assert/strict'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, it } from 'node:test'
import { startNode, stopNodes } from './helpers.ts'

describe('node wiring of the network', { timeout: 30_000 }, () => {
  it('runs plugged-in libp2p services made from the node', async () => {
    let started = false
    const n = await startNode({}, {}, undefined, {
      libp2pServices: (node) => ({
        probe: (components: { peerId: unknown }) => ({
          node,
          peerId: components.peerId,
          start: () => {
            started = true
          },
          stop: () => {},
        }),
      }),
    })
    try {
      const probe = n.node.network!.libp2p!.services.probe as { node: unknown; peerId: unknown }
      assert.equal(probe.node, n.node)
      assert.equal(probe.peerId, n.node.network!.peerId)
      assert.equal(started, true, 'started with libp2p')
    } finally {
      await stopNodes([n])
    }
  })

  it('keeps its peer id across restarts; without a network it serves an empty /peers', async () => {
    const first = await startNode()
    const id = first.node.network!.peerId!.toString()
    await first.node.stop()
    const again = await startNode({}, {}, first.dataDir)
    assert.equal(again.node.network!.peerId!.toString(), id)
    await again.node.stop()
    const standalone = await startNode({ enabled: false }, {}, first.dataDir)
    try {
      assert.equal(standalone.node.network, undefined)
      const peers = await standalone.client.get('peers')
      assert.deepEqual(peers.body, { self: { id: '', addresses: [] }, items: [] })
      const stats = (await standalone.client.get('stats')).body as Record<string, unknown>
      assert.equal(stats.network, undefined)
    } finally {
      await standalone.node.stop()
      await rm(first.dataDir, { recursive: true, force: true })
    }
  })

  it('refuses to start on a corrupted node key, naming the file', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'mega-net-'))
    try {
      await writeFile(join(dataDir, 'node-key'), 'garbage')
      await assert.rejects(startNode({}, {}, dataDir), { name: 'NetworkError', code: 'NODE_KEY_CORRUPT' })
    } finally {
      await rm(dataDir, { recursive: true, force: true })
    }
  })
})
