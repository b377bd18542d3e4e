/**
 * Test nodes for sync over real libp2p: TCP on 127.0.0.1 (ports from the OS), Noise, Yamux,
 * identify and the sync service, each with its own mempool admitting what sync fetches.
 * Their messages come from test/support/sync-messages.ts.
 */
import { identify } from '@libp2p/identify'
import type { Libp2p } from '@libp2p/interface'
import { noise } from '@libp2p/noise'
import { tcp } from '@libp2p/tcp'
import { yamux } from '@libp2p/yamux'
import { createLibp2p } from 'libp2p'
import { Mempool } from '../../../src/mempool/mempool.ts'
import { admitValue } from '../../../src/mempool/pipeline.ts'
import { type SyncService, type SyncServiceInit, syncService } from '../../../src/network/sync-service.ts'
import { MempoolSyncSource } from '../../../src/network/sync-source.ts'
import { LOW } from '../../support/sync-messages.ts'

export { LOW, messages } from '../../support/sync-messages.ts'

export interface SyncTestNode {
  libp2p: Libp2p<{ identify: unknown; sync: SyncService }>
  mempool: Mempool
  source: MempoolSyncSource
  sync: SyncService
}

export async function syncNode(
  held: unknown[] = [],
  init: Partial<SyncServiceInit> = {},
): Promise<SyncTestNode> {
  const mempool = new Mempool({ minBits: LOW, maxOracles: 100_000, maxOffers: 100_000 })
  for (const message of held) {
    const { admission } = admitValue(mempool, message)
    if (admission.status !== 'added') throw new Error(`fixture not admitted: ${JSON.stringify(admission)}`)
  }
  const source = new MempoolSyncSource(mempool, (message) => mempool.admit(message).admission, {
    minSnapshotIntervalMs: 0,
  })
  const libp2p = await createLibp2p({
    addresses: { listen: ['/ip4/127.0.0.1/tcp/0'] },
    transports: [tcp()],
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()],
    services: { identify: identify(), sync: syncService({ source, ...init }) },
  })
  return { libp2p, mempool, source, sync: libp2p.services.sync }
}

/** Ids of everything a node holds, sorted. */
export function heldIds(node: SyncTestNode): string[] {
  return [...node.source.refresh()].map((item) => `${item.key}:${item.id}`)
}

/** Resolves with the next `sync:complete` of `node` with `peer` (any peer when absent). */
export function nextSync(node: SyncTestNode, peer?: SyncTestNode, timeoutMs = 30_000) {
  return new Promise<import('../../../src/sync/initiator.ts').SyncStats>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('no sync:complete in time')), timeoutMs)
    const onComplete = (event: Event) => {
      const { detail } = event as CustomEvent<{ peer: { equals(other: unknown): boolean }; stats: never }>
      if (peer && !detail.peer.equals(peer.libp2p.peerId)) return
      clearTimeout(timer)
      node.sync.removeEventListener('sync:complete', onComplete)
      resolve(detail.stats)
    }
    node.sync.addEventListener('sync:complete', onComplete)
  })
}

export async function connect(a: SyncTestNode, b: SyncTestNode): Promise<void> {
  await a.libp2p.dial(b.libp2p.getMultiaddrs()[0]!)
}

export async function stopAll(nodes: SyncTestNode[]): Promise<void> {
  await Promise.all(nodes.map((node) => node.libp2p.stop()))
}

/** Polls until `check` holds, or fails after `timeoutMs`. */
export async function waitFor(what: string, check: () => boolean, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}
