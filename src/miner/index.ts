/**
 * Multi-core proof-of-work mining for Node (worker_threads).
 *
 * @example
 * ```ts
 * import { mine } from './src/miner/index.ts'
 * const controller = new AbortController()
 * const pow = await mine({
 *   bound: oraclePublicKey,
 *   bits: 24,
 *   signal: controller.signal,
 *   onProgress: ({ rate, etaMs, checkpoint }) => console.log(`${(rate / 1e6).toFixed(1)} MH/s, eta ${etaMs} ms, resume at ${checkpoint}`),
 * })
 * ```
 *
 * @packageDocumentation
 */
export type { MineOptions, MinerEvents, MinerInit, MineTask, MiningProgress } from './miner.ts'
export { Miner, mine } from './miner.ts'
