/**
 * Shared by the store tests: temporary data directories, a reproducible stream of real
 * messages that makes every pool evict (so floors rise), and a comparable view of a mempool.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { TestContext } from 'node:test'
import { scoreOf } from '../../src/mempool/entries.ts'
import { Mempool } from '../../src/mempool/mempool.ts'
import type { MempoolOptions } from '../../src/mempool/options.ts'
import { floorRecords, toRecord } from '../../src/mempool/snapshot.ts'
import type { Fact, Message } from '../../src/protocol/messages/index.ts'
import * as fx from './messages.ts'

export const NOW = 1_850_000_000

/** Tight limits so that a few dozen messages exercise every pool's eviction and floor. */
export const TIGHT: Partial<MempoolOptions> = {
  minBits: { oracle: 8, capability: 8, report: 8, offer: 8 },
  maxOracles: 4,
  maxCapabilitiesPerOracle: 3,
  maxReportsPerOracle: 2,
  maxOffers: 3,
  maxOffersPerCapability: 2,
}

/** A fresh data directory under the OS temp dir, removed after the test. */
export function tempDataDir(t: TestContext): string {
  const dir = mkdtempSync(join(tmpdir(), 'mega-store-'))
  t.after(() => rmSync(dir, { recursive: true, force: true }))
  return dir
}

/** A mempool on a fixed clock that can be advanced. */
export function mempool(options: Partial<MempoolOptions> = TIGHT, start = NOW) {
  let now = start
  const pool = new Mempool(options, { now: () => now })
  return { pool, advance: (seconds: number) => (now += seconds) }
}

let cached: Message[] | undefined

/**
 * Oracles (one strong: fx.ORACLE), capabilities of several oracles, reports and offers, with
 * work varied so that pools fill and evict; the same messages on every call.
 */
export function messageStream(): Message[] {
  if (cached) return cached
  const messages: Message[] = [
    fx.oracleAd({}, fx.ORACLE, 14),
    fx.capabilityAd({}, fx.ORACLE, fx.CAPABILITY, 13),
  ]
  for (let i = 0; i < 8; i++) {
    const oracle = fx.testKey('ed25519', 60 + i)
    messages.push(fx.oracleAd({}, oracle, 8 + (i % 4)))
    messages.push(fx.capabilityAd({}, oracle, fx.testKey('bip340', 110 + i), 8 + (i % 3)))
    messages.push(fx.capabilityAd({}, fx.ORACLE, fx.testKey('bip340', 130 + i), 8 + ((i + 1) % 3)))
    const capability = fx.capabilityAd()
    const facts: [Fact, Fact] = [fx.fact('home'), fx.fact('away')]
    messages.push(
      fx.report({ type: 'fact-conflict', capability, facts }, fx.testKey('ed25519', 150 + i), 8 + (i % 3)),
    )
    messages.push(fx.offer(fx.testKey('bip340', 170 + i), 8 + ((i + 2) % 3)))
  }
  cached = messages
  return messages
}

/** Everything a restart must give back: ranking, bytes, pools' order, entries and floors. */
export function stateOf(pool: Mempool) {
  return {
    ranking: [...pool.byScore()].map(([, o]) => [o.key, scoreOf(o), o.strength, o.penalty]),
    bytes: pool.bytes,
    oracles: [...pool.oracles.strongestFirst()].map(([rank]) => rank),
    offers: [...pool.offers.strongestFirst()].map(([rank]) => rank),
    entries: [...pool.entries()].map(toRecord),
    floors: floorRecords(pool),
  }
}
