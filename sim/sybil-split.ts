/**
 * Scenario 1 — Sybil split. Honest oracles with a spread of identity work and an attacker with
 * total work W split into k identities arrive at one real Mempool of capacity C. For each k we
 * measure what the attacker keeps: identities held, share of the visible identity strength,
 * share of the top-N of the ranking the REST API serves.
 *
 * Messages are real (signed, mined at low bits); the pool is the project's Mempool with its
 * rolling floor and byte budget. The clock advances one second per message.
 */
import { Mempool } from '../src/mempool/mempool.ts'
import type { MempoolOptions } from '../src/mempool/options.ts'
import { admitValue } from '../src/mempool/pipeline.ts'
import { listOracles } from '../src/mempool/queries.ts'
import type { Message } from '../src/protocol/messages/index.ts'
import { type IdentityMessages, mineIdentity, seededRandom, shuffled } from './world.ts'

export interface SybilConfig {
  seed: string
  minBits: MempoolOptions['minBits']
  /** Honest identities are drawn log-uniformly from 2^lo … 2^hi work. */
  honestBits: [number, number]
  honestCount: number
  /** Pool settings to compare: a name, a capacity, and how many of the honest oracles arrive. */
  pools: { name: string; capacity: number; honest: number }[]
  /** Attacker budgets, in bits of total work. */
  attackerBits: number[]
  splits: number[]
  /** Size of the ranking's head that counts as "top". */
  topN: number
  /** Capabilities an identity may spread its work over (the pool keeps up to 32). */
  maxCapabilities: number
}

export interface SybilRow {
  pool: string
  order: Order
  attackerBits: number
  k: number
  /** Work the attacker actually mined: W rounded down to claims the pool accepts. */
  minedWork: number
  /** Attacker identities created (those under the ad minimum cannot even be built). */
  built: number
  survivors: number
  /** Honest identities held, and how many the attacker pushed out (vs the same pool without it). */
  honestHeld: number
  honestDisplaced: number
  /** Attacker's share of the strength of all held identities. */
  strengthShare: number
  /** Attacker's held work over its mined work. */
  workKept: number
  /** Attacker identities in the top N of the ranking. */
  topSlots: number
  /** Bits of the weakest held identity at the end (0 when the pool is not full). */
  thresholdBits: number
  /** The same in the pool without the attacker: what each part had to beat. */
  baselineThresholdBits: number
}

/** In which order the identities arrive: attacker mixed with honest, or after them. */
export type Order = 'mixed' | 'late'
const ORDERS: Order[] = ['mixed', 'late']

/** Honest identities of log-uniform work, mined once and shared by every run. */
function buildHonest(config: SybilConfig): IdentityMessages[] {
  const random = seededRandom(`${config.seed}/honest-work`)
  const [lo, hi] = config.honestBits
  const honest: IdentityMessages[] = []
  for (let i = 0; i < config.honestCount; i++) {
    const work = BigInt(Math.round(2 ** (lo + (hi - lo) * random())))
    const identity = mineIdentity(config.seed, 'honest', i, work, config.minBits, config.maxCapabilities)
    if (identity) honest.push(identity)
  }
  return honest
}

/** The attacker's W split into k equal identities, mined for real. */
function buildAttacker(config: SybilConfig, bits: number, k: number): IdentityMessages[] {
  const share = (1n << BigInt(bits)) / BigInt(k)
  const identities: IdentityMessages[] = []
  for (let i = 0; i < k; i++) {
    const identity = mineIdentity(
      config.seed,
      `attacker-${bits}-${k}`,
      i,
      share,
      config.minBits,
      config.maxCapabilities,
    )
    if (identity) identities.push(identity)
  }
  return identities
}

/** Feeds identities (ad, then its capabilities) into a fresh pool, one message per second. */
function runPool(config: SybilConfig, capacity: number, arrivals: IdentityMessages[]): Mempool {
  let clock = 1_800_000_000
  const pool = new Mempool(
    { maxOracles: capacity, minBits: config.minBits, maxCapabilitiesPerOracle: 32 },
    { now: () => clock },
  )
  for (const identity of arrivals) {
    for (const message of [identity.ad, ...identity.capabilities] as Message[]) {
      admitValue(pool, message)
      clock += 1
    }
  }
  return pool
}

function arrivalsOf(
  config: SybilConfig,
  honest: IdentityMessages[],
  attacker: IdentityMessages[],
  order: Order,
) {
  // The honest order is the same in every run, so runs differ only by the attacker.
  const arrivals = shuffled(honest, seededRandom(`${config.seed}/order`))
  if (order === 'late') return [...arrivals, ...attacker]
  const random = seededRandom(`${config.seed}/order/${attacker.length}`)
  for (const identity of attacker) arrivals.splice(Math.floor(random() * (arrivals.length + 1)), 0, identity)
  return arrivals
}

/** Runs every (pool, order, W, k) combination; mining each attacker split once. */
export function runSybilSplit(config: SybilConfig): SybilRow[] {
  const honestAll = buildHonest(config)
  const rows: SybilRow[] = []
  // Without the attacker a pool's end state depends only on its setting and the order.
  const baselines = new Map<string, Mempool>()
  const baselineOf = (setting: SybilConfig['pools'][number], honest: IdentityMessages[], order: Order) => {
    const key = `${setting.name}/${order}`
    if (!baselines.has(key))
      baselines.set(key, runPool(config, setting.capacity, arrivalsOf(config, honest, [], order)))
    return baselines.get(key)!
  }
  for (const bits of config.attackerBits) {
    for (const k of config.splits) {
      const attacker = buildAttacker(config, bits, k)
      const attackerKeys = new Set(attacker.map((identity) => identity.key))
      const minedWork = Number(attacker.reduce((sum, identity) => sum + identity.work, 0n))
      for (const setting of config.pools) {
        const honest = honestAll.slice(0, setting.honest)
        for (const order of ORDERS) {
          const baseline = baselineOf(setting, honest, order)
          const pool = runPool(config, setting.capacity, arrivalsOf(config, honest, attacker, order))
          rows.push(
            measure(pool, baseline, attackerKeys, config.topN, {
              pool: setting.name,
              order,
              attackerBits: bits,
              k,
              minedWork,
              built: attacker.length,
            }),
          )
        }
      }
    }
  }
  return rows
}

function measure(
  pool: Mempool,
  baseline: Mempool,
  attackerKeys: Set<string>,
  topN: number,
  row: Pick<SybilRow, 'pool' | 'order' | 'attackerBits' | 'k' | 'minedWork' | 'built'>,
): SybilRow {
  let attackerStrength = 0n
  let totalStrength = 0n
  let survivors = 0
  for (const [rank] of pool.oracles.strongestFirst()) {
    totalStrength += rank.work
    if (attackerKeys.has(rank.id)) {
      survivors++
      attackerStrength += rank.work
    }
  }
  const honestHeld = pool.oracles.size - survivors
  // The ranking as the REST API serves it (GET /oracles?limit=N).
  const top = listOracles(pool, { limit: topN }).items
  return {
    ...row,
    survivors,
    honestHeld,
    honestDisplaced: baseline.oracles.size - honestHeld,
    strengthShare: totalStrength > 0n ? Number(attackerStrength) / Number(totalStrength) : 0,
    workKept: row.minedWork > 0 ? Number(attackerStrength) / row.minedWork : 0,
    topSlots: top.filter((item) => attackerKeys.has(item.key)).length,
    thresholdBits: thresholdBits(pool),
    baselineThresholdBits: thresholdBits(baseline),
  }
}

/** Bits of the weakest held identity when the pool is full; 0 while there is room (only minBits applies). */
function thresholdBits(pool: Mempool): number {
  const weakest = pool.oracles.size >= pool.oracles.capacity ? pool.oracles.weakest()?.[0].work : undefined
  return weakest ? Math.log2(Number(weakest)) : 0
}
