/**
 * The admission floor of a pool, after Bitcoin Core's rolling minimum fee: when the pool
 * evicts an entry, the floor rises to that entry's work plus an increment, so the same weak
 * entry cannot bounce straight back in; then it decays exponentially (one bit of work per
 * half-life) until it falls under the pool's own minimum and resets to nothing.
 *
 * Floors are kept in bits (log2 of work) because decay halves work per half-life, which is a
 * subtraction in bits. Time is passed in (seconds), so this stays pure and testable.
 */

/** Options of a {@link RollingFloor}. */
export interface RollingFloorInit {
  /** Seconds for the floor's work to halve (one bit). @default 600 */
  halfLifeSeconds?: number
  /** Bits added above the evicted entry's work, so a tie does not re-enter. @default 0.1 */
  incrementBits?: number
}

/** A persisted floor: its bits at `updatedAt` (Unix seconds). */
export interface FloorState {
  bits: number
  updatedAt: number
}

export const DEFAULT_FLOOR_HALF_LIFE_SECONDS = 600
export const DEFAULT_FLOOR_INCREMENT_BITS = 0.1

export class RollingFloor {
  readonly halfLifeSeconds: number
  readonly incrementBits: number
  #bits = 0
  #updatedAt = 0

  constructor(init: RollingFloorInit = {}, state?: FloorState) {
    this.halfLifeSeconds = init.halfLifeSeconds ?? DEFAULT_FLOOR_HALF_LIFE_SECONDS
    this.incrementBits = init.incrementBits ?? DEFAULT_FLOOR_INCREMENT_BITS
    if (state) {
      this.#bits = state.bits
      this.#updatedAt = state.updatedAt
    }
  }

  /** The floor in bits at `now`; 0 when no floor is in force. */
  bitsAt(now: number): number {
    if (this.#bits === 0) return 0
    const decayed = this.#bits - Math.max(0, now - this.#updatedAt) / this.halfLifeSeconds
    // Like Bitcoin Core, drop to zero once it has decayed to a negligible level.
    return decayed <= this.incrementBits ? 0 : decayed
  }

  /** Raises the floor after evicting an entry worth `evictedBits`. */
  raise(evictedBits: number, now: number): void {
    const current = this.bitsAt(now)
    this.#bits = Math.max(current, evictedBits + this.incrementBits)
    this.#updatedAt = now
  }

  /** Returns true when an entry worth `bits` clears the floor at `now`. */
  admits(bits: number, now: number): boolean {
    return bits > this.bitsAt(now)
  }

  /** Replaces the floor with a persisted state. */
  restore(state: FloorState): void {
    this.#bits = state.bits
    this.#updatedAt = state.updatedAt
  }

  /** The state to persist; restoring it gives the same floor at every later time. */
  state(): FloorState {
    return { bits: this.#bits, updatedAt: this.#updatedAt }
  }
}

/** Floors by pool name: `oracles`, `offers`, `capabilities:<oracle>`, `reports:<oracle>`, `offers:<capability>`. */
export type FloorRecords = Record<string, FloorState>
