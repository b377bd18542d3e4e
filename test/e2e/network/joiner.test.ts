/**
 * A node that joins a settled network: the nodes there have their peers and wait
 * `peerExchange.maxIntervalMs` between announcements, yet the newcomer hears from each of them
 * within `peerExchangeIntervalMs` and dials them; after answering it they go back to the long
 * wait, rather than announcing again and again while nothing changes.
 */
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { PEER_EXCHANGE_TOPIC } from '../../../src/network/topics.ts'
import { startNode, stopNodes, type TestNode, waitFor } from './helpers.ts'

/** Settled: two peers each (minConnections 2), announcements a minute apart. */
const SETTLED = { minConnections: 2, peerExchange: { maxIntervalMs: 60_000 } }

describe('a node joining a settled network', { timeout: 30_000 }, () => {
  let nodes: TestNode[] = []

  before(async () => {
    const first = await startNode(SETTLED)
    const rest = await Promise.all([1, 2, 3].map(() => startNode({ ...SETTLED, bootstrap: [first.address] })))
    nodes = [first, ...rest]
    await waitFor('every node with its 2 peers', () =>
      nodes.every((n) => n.node.network!.peers().items.length >= 2),
    )
    // Each node announces once more at the short interval (250 ms) after it has its peers.
    await new Promise((resolve) => setTimeout(resolve, 1000))
  })
  after(() => stopNodes(nodes))

  it('hears from every node, dials them, and is not announced to again and again', async () => {
    // Announcements each settled node makes (its peer-exchange publishes).
    const announced = nodes.map(() => 0)
    nodes.forEach((n, i) => {
      const pubsub = n.node.network!.libp2p!.services.pubsub
      const publish = pubsub.publish.bind(pubsub)
      pubsub.publish = (topic: string, data?: Uint8Array) => {
        if (topic === PEER_EXCHANGE_TOPIC) announced[i]!++
        return publish(topic, data)
      }
    })
    const joiner = await startNode({ ...SETTLED, minConnections: 4, bootstrap: [nodes[0]!.address] })
    const settled = nodes.length
    nodes.push(joiner)
    const network = joiner.node.network!
    await waitFor('the newcomer connected to the 4 nodes', () => network.peers().items.length === 4, 5_000)
    const before = [...announced]
    await new Promise((resolve) => setTimeout(resolve, 2000))
    // Each node answers the newcomer once (the answer of its bootstrap node may still be due when
    // the newcomer has dialled the others), then waits the long wait again: a node that went back
    // to the short interval would announce at +250, +500, +1000 ms…
    const more = announced.slice(0, settled).map((count, i) => count - before[i]!)
    assert.ok(
      more.every((count) => count <= 1),
      `announcements per settled node in the 2 s after the newcomer had its peers: ${more}`,
    )
  })
})
