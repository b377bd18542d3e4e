/**
 * A peer floods peer announcements: made-up peers (a fresh key each, so each one signed as its
 * own) all at one address of the attacker's choosing. The node it floods and a node it never
 * touches keep bounded peer tables, dial that address at most `maxDialsPerAddress` times each,
 * and the flooder is struck and banned. Addresses outside a node's scopes are never kept.
 */
import assert from 'node:assert/strict'
import { createServer, type Server } from 'node:net'
import { after, before, describe, it } from 'node:test'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { startNode, stopNodes, type TestNode, waitFor } from './helpers.ts'
import { type RawPeer, rawPeer } from './raw-peer.ts'

const MAX_PEERS = 24

/** A TCP port that counts the connections made to it and drops each: no libp2p there. */
async function deadEnd(): Promise<{ server: Server; address: string; dials: () => number }> {
  let count = 0
  const server = createServer((socket) => {
    count++
    socket.destroy()
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as { port: number }
  return { server, address: `/ip4/127.0.0.1/tcp/${port}`, dials: () => count }
}

async function storedPeers(node: TestNode): Promise<number> {
  return (await node.node.network!.libp2p!.peerStore.all()).length
}

describe('a peer flooding peer announcements', { timeout: 60_000 }, () => {
  const network = {
    invalidThreshold: 5,
    banSeconds: 600,
    maxDialsPerAddress: 3,
    peerExchange: { maxPeers: MAX_PEERS, maxPerMinute: 60, maxPerPeerPerMinute: 120 },
  }
  let victim: TestNode
  let untouched: TestNode
  let flooder: RawPeer
  let dead: Awaited<ReturnType<typeof deadEnd>>

  before(async () => {
    dead = await deadEnd()
    victim = await startNode(network)
    untouched = await startNode({ ...network, bootstrap: [victim.address] })
    await waitFor('the two nodes connected', () => victim.node.network!.peers().items.length === 1)
    flooder = await rawPeer()
    await flooder.connect(victim.address)
  })
  after(async () => {
    await flooder?.stop()
    await stopNodes([victim, untouched].filter(Boolean))
    dead?.server.close()
  })

  it('keeps peer tables bounded, dials the chosen address at most 3 times, and bans the flooder', async () => {
    const flooderId = flooder.libp2p.peerId.toString()
    for (let i = 0; i < 300; i++) {
      if (victim.node.network!.bans.isBanned(flooderId)) break
      await flooder.announce(await generateKeyPair('Ed25519'), [dead.address]).catch(() => {})
    }
    await waitFor('the flooder banned and hung up on', () => {
      const banned = victim.node.network!.bans.isBanned(flooderId)
      return banned && !victim.node.network!.peers().items.some((peer) => peer.id === flooderId)
    })
    // Maintenance rounds (250 ms here) keep dialling candidates while the nodes lack peers.
    await new Promise((resolve) => setTimeout(resolve, 2_000))
    for (const node of [victim, untouched]) {
      const stored = await storedPeers(node)
      assert.ok(stored <= MAX_PEERS + 2, `${stored} peers in the peer store`)
      assert.ok(node.node.network!.candidates.size <= MAX_PEERS)
      assert.ok(node.node.network!.dialsOf(dead.address) <= 3)
    }
    assert.ok(dead.dials() <= 6, `${dead.dials()} dials of the chosen address by two nodes`)
    // The honest relay between them was not struck for relaying what the victim accepted.
    assert.equal(untouched.node.network!.bans.isBanned(victim.node.network!.peerId!.toString()), false)
    const stats = victim.node.network!.stats()
    assert.ok(stats.peerExchange.rejected >= 5)
    assert.ok(stats.peerExchange.accepted <= 60 + 5, `${stats.peerExchange.accepted} accepted`)
  })

  it('keeps no address outside its scopes', async () => {
    const peer = await rawPeer()
    try {
      await peer.connect(untouched.address)
      const identity = await generateKeyPair('Ed25519')
      const id = peerIdFromPrivateKey(identity)
      const ignored = untouched.node.network!.stats().peerExchange.ignored
      await peer.announce(identity, ['/ip4/8.8.8.8/tcp/9090', '/ip4/10.0.0.1/tcp/9090'])
      await waitFor(
        'the announcement ignored',
        () => untouched.node.network!.stats().peerExchange.ignored > ignored,
      )
      assert.equal(untouched.node.network!.candidates.get(id.toString()), undefined)
      assert.equal(await untouched.node.network!.libp2p!.peerStore.has(id), false)
    } finally {
      await peer.stop()
    }
  })
})
