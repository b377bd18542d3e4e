/**
 * What gossip does with a message, from its admission outcome: the one table from outcome to
 * gossip verdict (the REST side has its table from outcome to HTTP status in src/api/errors.ts).
 *
 * - `accept`: added or updated here, or valid but kept by other shards (skipped: this node
 *   relays it without storing it, else it would never reach them): gossipsub forwards it.
 * - `ignore`: not news (duplicate), not enough work now (low-pow), or refused for a reason an
 *   honest peer could not have known: dropped, the peer keeps its score.
 * - `reject`: breaks a rule that holds on every node at every time, so the peer that sent it
 *   either forged it or relayed it without checking: gossipsub lowers its score and the node
 *   counts a strike (enough strikes: a ban).
 * - `orphan`: refers to an oracle, capability or report this node does not hold (yet): kept in
 *   the orphan pool until the parent arrives.
 */
import type { Admission } from '../mempool/admission.ts'
import { MempoolErrorCode } from '../mempool/admission.ts'
import { ErrorCode } from '../protocol/errors.ts'
import type { Message, PoolKind } from '../protocol/messages/index.ts'

export type Verdict = 'accept' | 'ignore' | 'reject' | 'orphan'

/**
 * Reasons that depend on the message alone. Everything else depends on this node's state or
 * policy, which honest peers may not share: its minimum bits (POW_TOO_WEAK), which ad it holds
 * (STALE_SEQNO, SEQNO_CONFLICT, KEY_TAKEN, the capability an offer or dispute is checked
 * against), its clock (EXPIRED).
 */
export const REJECTED_REASONS: ReadonlySet<string> = new Set([
  ErrorCode.TOO_LARGE,
  ErrorCode.BAD_JSON,
  ErrorCode.SCHEMA_VIOLATION,
  ErrorCode.UNKNOWN_KIND,
  ErrorCode.BAD_HEX,
  ErrorCode.BAD_LENGTH,
  ErrorCode.NOT_CANONICALIZABLE,
  ErrorCode.NOT_CANONICAL,
  ErrorCode.UNKNOWN_SCHEME,
  ErrorCode.BAD_KEY,
  ErrorCode.SIGNATURE_MISSING,
  ErrorCode.SIGNATURE_INVALID,
  ErrorCode.POW_MISSING,
  ErrorCode.POW_INVALID,
  ErrorCode.POW_BITS_OVERSTATED,
  ErrorCode.EVIDENCE_INVALID,
  MempoolErrorCode.NOT_DISPUTABLE,
])

/** Reasons meaning "parent not held", with the kind of the parent. */
const ORPHAN_REASONS: Readonly<Record<string, 'oracle' | 'capability' | 'report'>> = {
  [MempoolErrorCode.UNKNOWN_ORACLE]: 'oracle',
  [MempoolErrorCode.UNKNOWN_CAPABILITY]: 'capability',
  [MempoolErrorCode.UNKNOWN_REPORT]: 'report',
}

// A fact-missing report whose deadline has not passed is judged by this node's clock.
const CLOCK_DEPENDENT_PATHS: ReadonlySet<string> = new Set(['/content/commitment/deadline'])

/** The gossip verdict of an admission outcome. */
export function verdictOf(admission: Admission): Verdict {
  switch (admission.status) {
    case 'added':
    case 'updated':
    case 'skipped':
      return 'accept'
    case 'duplicate':
    case 'low-pow':
      return 'ignore'
    case 'invalid': {
      const code = admission.reason?.code ?? ''
      if (Object.hasOwn(ORPHAN_REASONS, code)) return 'orphan'
      if (CLOCK_DEPENDENT_PATHS.has(admission.reason?.path ?? '')) return 'ignore'
      return REJECTED_REASONS.has(code) ? 'reject' : 'ignore'
    }
  }
}

/** Key of the parent a message hangs on: `oracle:<pubkey>`, `capability:<key>` or `report:<id>`. */
export function parentOf(message: Message): string | undefined {
  switch (message.kind) {
    case 'capability':
    case 'report':
      return `oracle:${message.oracle}`
    case 'offer':
      return `capability:${message.terms.question.capability}`
    case 'dispute':
      return `report:${message.report}`
    default:
      return undefined
  }
}

/** The parent key an admitted message fulfils, matching {@link parentOf}. */
export function parentKeyOf(kind: PoolKind, message: Message, admission: Admission): string | undefined {
  if (kind === 'oracle' && message.kind === 'oracle') return `oracle:${message.pubkey}`
  if (kind === 'capability' && message.kind === 'capability') return `capability:${message.capabilityKey}`
  if (kind === 'report' && admission.id !== undefined) return `report:${admission.id}`
  return undefined
}
