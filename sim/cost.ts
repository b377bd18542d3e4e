/**
 * The real cost of work on this machine: the project's own miner (all cores, worker threads)
 * is run for a while against an unreachable target and its attempts per second measured, so
 * bits convert to seconds and, with an assumed power draw per core, to energy.
 *
 * The rate is the one number of the simulation that depends on timing (and on whatever else
 * the shared machine runs); the pool outcomes never use it.
 */
import { cpus, loadavg } from 'node:os'
import { Miner, type MiningProgress } from '../src/miner/index.ts'
import { isProtocolError } from '../src/protocol/errors.ts'

/**
 * Assumed power of one busy core, watts. A server core running SHA-256 SIMD flat out draws
 * roughly its package TDP divided by its core count: 10–20 W on current x86 parts.
 * @default 15
 */
export const DEFAULT_WATTS_PER_CORE = 15

export interface WorkCost {
  /** Miner attempts per second on all cores. */
  rate: number
  threads: number
  cpu: string
  wattsPerCore: number
  measuredSeconds: number
  /** 1-minute load average when the rate was measured: above the core count, others were busy. */
  loadAverage: number
}

/**
 * Runs the miner on every core and returns its attempts per second, counted between progress
 * events so that thread start-up is left out: it stops `seconds` after the first attempts were
 * reported (however long the threads took to start on a busy machine), at most after a minute.
 */
export async function measureMinerRate(
  seconds: number,
  wattsPerCore = DEFAULT_WATTS_PER_CORE,
): Promise<WorkCost> {
  const miner = new Miner({ progressIntervalMs: 100 })
  const stop = new AbortController()
  const progress: MiningProgress[] = []
  miner.addEventListener('mining:progress', ({ detail }) => {
    if (detail.attempts === 0) return
    progress.push(detail)
    if (detail.elapsedMs - progress[0]!.elapsedMs >= seconds * 1000 && progress.length >= 3) stop.abort()
  })
  try {
    // 200 bits: never found, so the miner searches until stopped.
    const bound = new TextEncoder().encode('sim/rate')
    await miner.mine({
      bound,
      bits: 200,
      signal: AbortSignal.any([stop.signal, AbortSignal.timeout(60_000)]),
    })
  } catch (error) {
    if (!isProtocolError(error)) throw error
  }
  const first = progress[0]
  const last = progress.at(-1)
  if (!first || !last || last.elapsedMs <= first.elapsedMs)
    throw new Error('the miner reported no progress in a minute')
  return {
    rate: ((last.attempts - first.attempts) * 1000) / (last.elapsedMs - first.elapsedMs),
    threads: miner.threads,
    cpu: cpus()[0]?.model.trim() ?? 'unknown',
    wattsPerCore,
    measuredSeconds: (last.elapsedMs - first.elapsedMs) / 1000,
    loadAverage: loadavg()[0]!,
  }
}

/** Seconds the miner needs on this machine for `work` expected trials. */
export function secondsFor(work: number, cost: WorkCost): number {
  return work / cost.rate
}

/** Joules for `work` trials: all cores busy for {@link secondsFor}, at the assumed watts each. */
export function joulesFor(work: number, cost: WorkCost): number {
  return secondsFor(work, cost) * cost.threads * cost.wattsPerCore
}

/** "3.2 s", "4.1 min", "2.0 h", "5.3 days", "1.2 years": a duration people read. */
export function formatSeconds(seconds: number): string {
  const units: [number, string][] = [
    [365 * 86_400, 'years'],
    [86_400, 'days'],
    [3_600, 'h'],
    [60, 'min'],
    [1, 's'],
    [1e-3, 'ms'],
  ]
  for (const [size, name] of units) if (seconds >= size) return `${round2(seconds / size)} ${name}`
  return `${round2(seconds * 1e6)} µs`
}

/** "12 J", "3.4 kJ", "1.2 kWh": energy people read (kWh above 1 MJ). */
export function formatJoules(joules: number): string {
  if (joules >= 3.6e6) return `${round2(joules / 3.6e6)} kWh`
  if (joules >= 1e3) return `${round2(joules / 1e3)} kJ`
  if (joules >= 1) return `${round2(joules)} J`
  return `${round2(joules * 1e3)} mJ`
}

/** Two significant digits, without exponent notation: 280, 2.8, 0.28. */
function round2(value: number): string {
  return String(Number(value.toPrecision(2)))
}
