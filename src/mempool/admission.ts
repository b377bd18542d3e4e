/**
 * The outcome of admitting one message: exactly one status, with the reason when it is not
 * taken and the floor when it lacks work, so a client knows what to fix or how many bits to add.
 */
import type { GossipAction, PoolKind, ProtocolError } from '../protocol/index.ts'
import type { PoolCheck } from './bounded-pool.ts'

/** What happened to a message. */
export type AdmissionStatus =
  /** New entry stored. */
  | 'added'
  /** Replaced an entry: higher seqNo, more work, capability switched, report amended by a dispute, offer stage. */
  | 'updated'
  /** Already held with at least this much work. */
  | 'duplicate'
  /** Valid, but not enough work to enter the pool now (under its floor or its weakest entry). */
  | 'low-pow'
  /** Breaks a rule: schema, PoW, signature, semantics. */
  | 'invalid'
  /** Valid, but outside this node's shard: not stored here (other shards keep it). */
  | 'skipped'

/**
 * Codes of semantic rejections decided by the mempool (protocol codes cover the rest); each is
 * in the catalogue of reasons (src/protocol/reasons.ts) with its HTTP status and gossip verdict.
 */
export const MempoolErrorCode = {
  /** Valid, but not enough work to enter the pool now (status `low-pow`). */
  LOW_POW: 'LOW_POW',
  UNKNOWN_ORACLE: 'UNKNOWN_ORACLE',
  UNKNOWN_CAPABILITY: 'UNKNOWN_CAPABILITY',
  UNKNOWN_REPORT: 'UNKNOWN_REPORT',
  STALE_SEQNO: 'STALE_SEQNO',
  SEQNO_CONFLICT: 'SEQNO_CONFLICT',
  KEY_TAKEN: 'KEY_TAKEN',
  SCHEME_MISMATCH: 'SCHEME_MISMATCH',
  NOT_DISPUTABLE: 'NOT_DISPUTABLE',
  DISPUTE_MISMATCH: 'DISPUTE_MISMATCH',
  /** The report already holds another valid dispute, with a lower id: that one stays. */
  ALREADY_DISPUTED: 'ALREADY_DISPUTED',
  OFFER_TERMS: 'OFFER_TERMS',
  EXPIRED: 'EXPIRED',
} as const
export type MempoolErrorCode = (typeof MempoolErrorCode)[keyof typeof MempoolErrorCode]

/** Why a message was not taken. */
export interface AdmissionReason {
  code: string
  message: string
  path?: string
  /**
   * What gossip does with the message, when the check that failed decided it (its error's
   * `details.gossip`) rather than the code's entry in the catalogue of reasons.
   */
  gossip?: GossipAction
}

export interface Admission {
  status: AdmissionStatus
  kind?: PoolKind
  /** Message id (hex), when the message got that far. */
  id?: string
  reason?: AdmissionReason
  /** For `low-pow`: the pool's current floor and the bits that would enter now. */
  floorBits?: number
  requiredBits?: number
}

/** The reason of a protocol error, for an admission outcome. */
export function reasonOf(error: ProtocolError): AdmissionReason {
  const { path, gossip } = error.details
  return {
    code: error.code,
    message: error.message,
    ...(typeof path === 'string' && { path }),
    ...(isGossipAction(gossip) && { gossip }),
  }
}

function isGossipAction(value: unknown): value is GossipAction {
  return value === 'accept' || value === 'ignore' || value === 'reject' || value === 'orphan'
}

/** An `invalid` outcome. */
export function invalid(code: string, message: string, path?: string, id?: string): Admission {
  return { status: 'invalid', ...(id && { id }), reason: { code, message, ...(path && { path }) } }
}

/** A `low-pow` outcome from a pool check: the floor and the bits that would enter now. */
export function lowPow(check: Extract<PoolCheck, { fits: false }>, kind: PoolKind, id?: string): Admission {
  const needed = Math.max(check.floorBits, check.weakestBits)
  return {
    status: 'low-pow',
    kind,
    ...(id && { id }),
    floorBits: check.floorBits,
    requiredBits: Math.floor(needed) + 1,
    reason: {
      code: MempoolErrorCode.LOW_POW,
      message: `needs more than ${needed.toFixed(2)} bits of work to enter this pool now`,
    },
  }
}

/** The `low-pow` outcome of an entry the byte budget evicted as soon as it came in. */
export function budgetExceeded(kind: Admission['kind'], id: string): Admission {
  return {
    status: 'low-pow',
    kind,
    id,
    reason: {
      code: MempoolErrorCode.LOW_POW,
      message: 'too little work per byte to fit the node’s byte budget',
    },
  }
}
