/**
 * Scenario 3 — Eviction churn. A stream of oracle ads at random work arrives, one per
 * few seconds, at a real Mempool that the first `capacity` ads filled; run once with the
 * rolling floor as configured by default and once with it switched off (a half-life so short
 * that the floor is gone before the next arrival). We count evictions per admission attempt and
 * how long entries of each work survive.
 *
 * Work per ad: `minBits + j` with P(j) = 2^-(j+1), capped: each extra bit is half as likely, so
 * the number of senders willing to pay a work w falls as 1/w (many small, few large), and the
 * expected spend is the same at every bit level.
 */
import { Mempool } from '../src/mempool/mempool.ts'
import type { MempoolOptions } from '../src/mempool/options.ts'
import { admitValue } from '../src/mempool/pipeline.ts'
import type { OracleId } from '../src/protocol/messages/index.ts'
import { mineOracleAd, seededRandom, simKey } from './world.ts'

export interface ChurnConfig {
  seed: string
  minBits: MempoolOptions['minBits']
  capacity: number
  /** Ads after the pool is full. */
  stream: number
  /** Largest number of bits above the minimum an ad gets. */
  spanBits: number
  /** Seconds between arrivals, one run per value (the floor decays with time, not arrivals). */
  intervalsSeconds: number[]
  /** Windows the stream is cut into for the time series. */
  windows: number
}

export type FloorMode = 'rolling floor' | 'no floor'
export const FLOOR_MODES: FloorMode[] = ['rolling floor', 'no floor']

export interface ChurnResult {
  mode: FloorMode
  intervalSeconds: number
  attempts: number
  added: number
  lowPow: number
  evicted: number
  /** Per window of the stream: evictions per attempt, the floor and the weakest held, in bits. */
  series: { arrivals: number; evictionsPerAttempt: number; floorBits: number; weakestBits: number }[]
  /** Per bits of an ad admitted during the stream: how many, how many evicted, median seconds held. */
  survival: { bits: number; admitted: number; evicted: number; medianSeconds: number | undefined }[]
}

/** The stream of ads, mined once and replayed into each pool. */
export function buildStream(config: ChurnConfig): { ad: OracleId; bits: number }[] {
  const random = seededRandom(`${config.seed}/churn-work`)
  return Array.from({ length: config.capacity + config.stream }, (_, i) => {
    let extra = 0
    while (extra < config.spanBits && random() < 0.5) extra++
    const bits = config.minBits.oracle + extra
    return { ad: mineOracleAd(simKey('ed25519', config.seed, 'churn', i), bits, 'churn'), bits }
  })
}

export function runChurn(
  config: ChurnConfig,
  stream: { ad: OracleId; bits: number }[],
  mode: FloorMode,
  intervalSeconds: number,
): ChurnResult {
  let clock = 1_800_000_000
  const pool = new Mempool(
    {
      maxOracles: config.capacity,
      minBits: config.minBits,
      // Off: the floor decays a full bit every nanosecond, so it is zero when the next ad arrives.
      ...(mode === 'no floor' && { floorHalfLifeSeconds: 1e-9 }),
    },
    { now: () => clock },
  )
  const admittedAt = new Map<string, { at: number; bits: number }>()
  const heldFor = new Map<number, number[]>()
  const admittedByBits = new Map<number, number>()
  const result: ChurnResult = {
    mode,
    intervalSeconds,
    attempts: 0,
    added: 0,
    lowPow: 0,
    evicted: 0,
    series: [],
    survival: [],
  }
  const window = Math.max(1, Math.floor(config.stream / config.windows))
  let windowEvictions = 0
  for (const [i, { ad, bits }] of stream.entries()) {
    clock += intervalSeconds
    const { admission, changes } = admitValue(pool, ad)
    if (i < config.capacity) continue // filling the pool
    result.attempts++
    if (admission.status === 'added') {
      result.added++
      admittedAt.set(ad.pubkey, { at: clock, bits })
      admittedByBits.set(bits, (admittedByBits.get(bits) ?? 0) + 1)
    } else if (admission.status === 'low-pow') result.lowPow++
    for (const removed of changes.removed) {
      if (removed.kind !== 'oracle') continue
      result.evicted++
      windowEvictions++
      const since = admittedAt.get(removed.key)
      if (!since) continue
      const times = heldFor.get(since.bits)
      if (times) times.push(clock - since.at)
      else heldFor.set(since.bits, [clock - since.at])
    }
    if (result.attempts % window === 0) {
      const weakest = pool.oracles.weakest()?.[0].work
      result.series.push({
        arrivals: result.attempts,
        evictionsPerAttempt: windowEvictions / window,
        floorBits: pool.oracles.floor.bitsAt(clock),
        weakestBits: weakest ? Math.log2(Number(weakest)) : 0,
      })
      windowEvictions = 0
    }
  }
  result.survival = [...admittedByBits.entries()]
    .sort(([a], [b]) => a - b)
    .map(([bits, admitted]) => {
      const times = (heldFor.get(bits) ?? []).toSorted((a, b) => a - b)
      return { bits, admitted, evicted: times.length, medianSeconds: times[Math.floor(times.length / 2)] }
    })
  return result
}
