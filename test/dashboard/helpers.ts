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
import { buildDemoData } from '../../src/client/demo-data.ts'
import { NodeClient } from '../../src/client/node-client.ts'
import { resolveConfig } from '../../src/node/config.ts'
import { MegaNode } from '../../src/node/node.ts'

/** Where the browser is: `MEGA_CHROMIUM`, else Debian's package. */
export const CHROMIUM = process.env.MEGA_CHROMIUM ?? '/usr/bin/chromium'

/** Screenshots land here (gitignored; CI keeps them as artifacts). */
export const ARTIFACTS = new URL('../../test-artifacts/dashboard/', import.meta.url).pathname

export const LOW_BITS = { oracle: 8, capability: 8, report: 8, offer: 8 }

export interface SeededNode {
  node: MegaNode
  url: string
  client: NodeClient
  stop(): Promise<void>
}

/** Starts a node on 127.0.0.1 (any free port) and posts the demo data to it through REST. */
export async function startSeededNode(init: { network?: boolean } = {}): Promise<SeededNode> {
  const dataDir = await mkdtemp(join(tmpdir(), 'mega-dashboard-'))
  const config = resolveConfig({
    dataDir,
    http: { host: '127.0.0.1', port: 0 },
    mempool: { minBits: LOW_BITS },
    network: init.network
      ? { listen: ['/ip4/127.0.0.1/tcp/0'], bootstrap: [], mdns: false }
      : { enabled: false },
  })
  const node = new MegaNode(config, { logger: pino({ level: 'silent' }) })
  await node.start()
  const url = node.url!
  const client = new NodeClient({ url })
  for (const { kind, message } of buildDemoData({ oracleBits: 12, bits: 8 })) {
    const { status, body } = await client.post(kind, message)
    if (status >= 300) throw new Error(`seeding ${kind}: ${status} ${JSON.stringify(body)}`)
  }
  return {
    node,
    url,
    client,
    stop: async () => {
      await node.stop()
      await rm(dataDir, { recursive: true, force: true })
    },
  }
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
