/**
 * Helpers of the dashboard's browser tests: an in-process node on loopback seeded with the demo
 * data set (real keys, signatures and PoW, low bits so it mines in milliseconds), and Debian's
 * Chromium driven by playwright-core, with background networking off (the machine is offline).
 */
import { existsSync } from 'node:fs'
import { mkdir, mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import pino from 'pino'
import { type Browser, chromium } from 'playwright-core'
import { buildDemoData } from '../../../src/client/demo-data.ts'
import { NodeClient } from '../../../src/client/node-client.ts'
import { resolveConfig } from '../../../src/node/config.ts'
import { MegaNode } from '../../../src/node/node.ts'
import type { OracleId } from '../../../src/protocol/messages/index.ts'
import { generateKeyPair } from '../../../src/protocol/signature.ts'
import { LOW } from '../../support/api.ts'
import { oracleAd } from '../../support/messages.ts'

/** Where the browser is: `MEGA_CHROMIUM`, else Debian's package. */
export const CHROMIUM = process.env.MEGA_CHROMIUM ?? '/usr/bin/chromium'

/** Screenshots land here (gitignored; CI keeps them as artifacts). */
export const ARTIFACTS = new URL('../../../test-artifacts/dashboard/', import.meta.url).pathname

export interface SeededNode {
  node: MegaNode
  url: string
  client: NodeClient
  stop(): Promise<void>
}

export interface NodeInit {
  /** Join a libp2p network on loopback (a free TCP port). @default false */
  network?: boolean
  /** Multiaddr with `/p2p/<id>` to join through (implies `network`). */
  bootstrap?: string
  /** Post the demo data set. @default true */
  seed?: boolean
  /** The node's `api` configuration (e.g. `maxEventClients`). */
  api?: Record<string, unknown>
  /** The node's `mempool.clockSkewSeconds`. @default 300 */
  clockSkewSeconds?: number
}

/**
 * Starts a node on 127.0.0.1 (any free port) and posts the demo data to it through REST; with
 * `network`, it also listens for peers on a free loopback TCP port.
 */
export async function startSeededNode(init: NodeInit = {}): Promise<SeededNode> {
  const dataDir = await mkdtemp(join(tmpdir(), 'mega-dashboard-'))
  const networked = init.network || init.bootstrap !== undefined
  const config = resolveConfig({
    dataDir,
    http: { host: '127.0.0.1', port: 0 },
    mempool: {
      minBits: LOW,
      ...(init.clockSkewSeconds !== undefined && { clockSkewSeconds: init.clockSkewSeconds }),
    },
    // A browser opens many connections from one address (contexts, keep-alive, event streams);
    // the per-address cap has tests of its own (test/e2e/api), here it would only reset pages.
    api: { maxConnectionsPerAddress: 0, ...init.api },
    network: networked
      ? { listen: ['/ip4/127.0.0.1/tcp/0'], bootstrap: init.bootstrap ? [init.bootstrap] : [], mdns: false }
      : { enabled: false },
  })
  const node = new MegaNode(config, { logger: pino({ level: 'silent' }) })
  await node.start()
  const url = node.url!
  const client = new NodeClient({ url })
  const stop = async () => {
    await node.stop()
    await rm(dataDir, { recursive: true, force: true })
  }
  try {
    if (init.seed ?? true)
      for (const { kind, message } of buildDemoData({ oracleBits: 12, bits: 8 })) {
        const { status, body } = await client.post(kind, message)
        if (status >= 300) throw new Error(`seeding ${kind}: ${status} ${JSON.stringify(body)}`)
      }
  } catch (error) {
    await stop()
    throw error
  }
  return { node, url, client, stop }
}

/** Resolves once `node` lists `count` peers with a measured latency, or throws after `timeoutMs`. */
export async function waitForPeers(node: SeededNode, count: number, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    const { body } = await node.client.get('peers')
    const items = (body as { items: { latencyMs?: number }[] }).items
    if (items.filter((peer) => peer.latencyMs !== undefined).length >= count) return
    await new Promise((done) => setTimeout(done, 100))
  }
  throw new Error(`no ${count} peer(s) with a latency within ${timeoutMs} ms`)
}

/** Launches headless Chromium, or returns undefined when it is not installed. */
export async function launchBrowser(): Promise<Browser | undefined> {
  if (!existsSync(CHROMIUM)) return undefined
  await mkdir(ARTIFACTS, { recursive: true })
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    timeout: 30_000,
    args: [
      '--no-sandbox',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-default-apps',
      '--disable-sync',
      '--no-first-run',
      '--disable-dev-shm-usage',
    ],
  })
}

/** A new oracle ad with a fresh key, mined to `bits`. */
export function newOracleAd(init: { tags?: string[]; manifestUri?: string; bits?: number } = {}): OracleId {
  return oracleAd(
    { tags: init.tags ?? ['burst'], ...(init.manifestUri && { manifestUri: init.manifestUri }) },
    generateKeyPair('ed25519'),
    init.bits ?? LOW.oracle,
  )
}
