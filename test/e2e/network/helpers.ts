/**
 * Test helpers of the network: in-process nodes on loopback (ports picked by the OS), fast
 * peer exchange and maintenance, and polling with a deadline.
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import pino from 'pino'
import { NodeClient } from '../../../src/client/node-client.ts'
import { resolveConfig } from '../../../src/node/config.ts'
import { MegaNode, type NodeComponents } from '../../../src/node/node.ts'
import type { PoolKind } from '../../../src/protocol/messages/index.ts'

export const LOW = { oracle: 8, capability: 8, report: 8, offer: 8 }

export interface TestNode {
  node: MegaNode
  client: NodeClient
  dataDir: string
  /** The node's TCP multiaddr with /p2p/<id>. */
  address: string
}

/** Starts a node; `network` and `mempool` are merged over fast test settings. */
export async function startNode(
  network: Record<string, unknown> = {},
  mempool: Record<string, unknown> = {},
  dataDir?: string,
  components: NodeComponents = {},
): Promise<TestNode> {
  const dir = dataDir ?? (await mkdtemp(join(tmpdir(), 'mega-net-')))
  const config = resolveConfig({
    dataDir: dir,
    http: { host: '127.0.0.1', port: 0 },
    mempool: { minBits: LOW, ...mempool },
    network: {
      listen: ['/ip4/127.0.0.1/tcp/0'],
      peerExchangeIntervalMs: 250,
      maintenanceIntervalMs: 250,
      ...network,
    },
  })
  const node = new MegaNode(config, {
    logger: pino({ level: process.env.TEST_LOG ?? 'silent' }),
    ...components,
  })
  await node.start()
  const address = node.network?.addresses.find((a) => a.includes('/tcp/') && !a.includes('/ws')) ?? ''
  return { node, client: new NodeClient({ url: node.url! }), dataDir: dir, address }
}

/** Stops the nodes and removes their data directories. */
export async function stopNodes(nodes: TestNode[]): Promise<void> {
  await Promise.all(nodes.map((n) => n.node.stop()))
  await Promise.all(nodes.map((n) => rm(n.dataDir, { recursive: true, force: true })))
}

/** Polls `check` every 50 ms until it returns true; fails after `timeoutMs` with `what`. */
export async function waitFor(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 10_000) {
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    if (await check()) return
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`)
}

/**
 * Waits until every node has at least `peers` peers in the gossip mesh of each kind's topic: a
 * message published earlier would reach a peer only by a later sync.
 */
export async function waitForMesh(nodes: TestNode[], kinds: PoolKind[], peers = 1): Promise<void> {
  await waitFor(`the gossip mesh of ${kinds.join(', ')}`, () =>
    nodes.every(({ node }) => {
      const { mesh } = node.network!.stats()
      return kinds.every((kind) => (mesh[kind] ?? 0) >= peers)
    }),
  )
}
