/**
 * The simulated worlds: a full one for docs/sybil.md and a quick one for the test suite. Both
 * run at the node's default minimum bits lowered by {@link SCALE_BITS}; see docs/sybil.md for
 * why every pool outcome is unchanged by that shift and how costs are converted back.
 */
import type { ChurnConfig } from './churn.ts'
import type { ReportSpamConfig } from './report-spam.ts'
import type { SybilConfig } from './sybil-split.ts'

/**
 * Bits every simulated PoW is below its real-world counterpart. 8 makes the node's default
 * minimums (oracle 16, others 12) into 8 and 4, so the whole full run mines in well under a
 * minute on one core, while a real identity of the spread (18–28 bits) would take minutes.
 */
export const SCALE_BITS = 8

/** Default minimum bits of the node (src/mempool/options.ts), scaled down. */
const SIM_MIN_BITS = {
  oracle: 16 - SCALE_BITS,
  capability: 12 - SCALE_BITS,
  report: 12 - SCALE_BITS,
  offer: 12 - SCALE_BITS,
}

export interface SimConfig {
  name: 'full' | 'quick'
  sybil: SybilConfig
  spam: ReportSpamConfig
  churn: ChurnConfig
  /** Seconds the miner's rate is measured for. */
  rateSeconds: number
}

const SEED = 'mega-peers/sim/1'

export const FULL: SimConfig = {
  name: 'full',
  rateSeconds: 3,
  sybil: {
    seed: SEED,
    minBits: SIM_MIN_BITS,
    honestBits: [10, 20],
    honestCount: 400,
    pools: [
      { name: 'full pool (C = 200, 400 honest)', capacity: 200, honest: 400 },
      { name: 'pool with room (C = 1000, 100 honest)', capacity: 1000, honest: 100 },
    ],
    attackerBits: [18, 21],
    splits: [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000],
    topN: 10,
    maxCapabilities: 4,
  },
  spam: {
    seed: SEED,
    minBits: SIM_MIN_BITS,
    oracleBits: 16,
    attackerBits: [10, 12, 14, 16, 18, 20, 22],
    reportsPerAttack: 16,
    washBits: 12,
    maxReportsPerOracle: 256,
  },
  churn: {
    seed: SEED,
    minBits: SIM_MIN_BITS,
    capacity: 1000,
    stream: 20_000,
    spanBits: 12,
    intervalsSeconds: [1, 10],
    windows: 20,
  },
}

export const QUICK: SimConfig = {
  name: 'quick',
  rateSeconds: 1,
  sybil: {
    ...FULL.sybil,
    honestBits: [10, 16],
    honestCount: 80,
    pools: [
      { name: 'full pool (C = 40, 80 honest)', capacity: 40, honest: 80 },
      { name: 'pool with room (C = 400, 20 honest)', capacity: 400, honest: 20 },
    ],
    attackerBits: [16],
    splits: [1, 2, 4, 8, 16, 32, 64, 100],
  },
  spam: { ...FULL.spam, oracleBits: 14, attackerBits: [8, 11, 14, 17], washBits: 8, maxReportsPerOracle: 32 },
  churn: { ...FULL.churn, capacity: 100, stream: 1000, spanBits: 10, intervalsSeconds: [1], windows: 10 },
}
