/**
 * Options of the mempool: limits, minimum work, sharding, eviction and scoring policy.
 * Plain data (structuredClone-able); every option optional; defaults below say why.
 */
import { DEFAULT_CLOCK_SKEW_SECONDS } from '../protocol/index.ts'
import { DEFAULT_FLOOR_HALF_LIFE_SECONDS, DEFAULT_FLOOR_INCREMENT_BITS } from './rolling-floor.ts'

export interface MempoolOptions {
  /** Oracles kept, ranked by verified bid then identity strength. @default 10_000 */
  maxOracles: number
  /** Capabilities kept per oracle. @default 32 */
  maxCapabilitiesPerOracle: number
  /** Reports kept per oracle. @default 256 */
  maxReportsPerOracle: number
  /** Offers kept in all. @default 10_000 */
  maxOffers: number
  /** Offers kept per capability. @default 256 */
  maxOffersPerCapability: number
  /** Bytes of messages (as received) kept in all; the least work per byte goes first. @default 256 MiB */
  maxBytes: number
  /** Minimum PoW bits per kind: below it a message is invalid whatever the pool's state. */
  minBits: { oracle: number; capability: number; report: number; offer: number }
  /** Keep only reports and offers whose id mod `count` = `index` (design §5). @default 0 of 1 */
  shard: { index: number; count: number }
  /** Probability that an eviction picks a random entry instead of the weakest. @default 0 */
  randomEvictionRate: number
  /** Half-life of the rolling admission floors, seconds. @default 600 */
  floorHalfLifeSeconds: number
  /** Bits a floor rises above the evicted entry's work. @default 0.1 */
  floorIncrementBits: number
  /** Count subjective reports (free-form, disagreements) against the node's scores. @default false */
  countSubjectiveReports: boolean
  /** Clock skew tolerated on deadlines and expiries, seconds. @default 300 */
  clockSkewSeconds: number
}

/**
 * Defaults sized for a laptop node: 10k oracles with their capabilities and reports fit in a
 * few hundred MB. Minimum bits are low enough for a demo on one core in well under a second
 * (2^16 trials at ~12 M/s) and high enough to make junk cost more than it takes to reject.
 */
export const defaultMempoolOptions: MempoolOptions = {
  maxOracles: 10_000,
  maxCapabilitiesPerOracle: 32,
  maxReportsPerOracle: 256,
  maxOffers: 10_000,
  maxOffersPerCapability: 256,
  maxBytes: 256 * 1024 * 1024,
  minBits: { oracle: 16, capability: 12, report: 12, offer: 12 },
  shard: { index: 0, count: 1 },
  randomEvictionRate: 0,
  floorHalfLifeSeconds: DEFAULT_FLOOR_HALF_LIFE_SECONDS,
  floorIncrementBits: DEFAULT_FLOOR_INCREMENT_BITS,
  countSubjectiveReports: false,
  clockSkewSeconds: DEFAULT_CLOCK_SKEW_SECONDS,
}
