/**
 * What gossip does with a message, from its admission outcome and the gossip action of its
 * reason in the catalogue of reasons (src/protocol/reasons.ts), which also gives the REST side
 * its HTTP statuses.
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
import type { Admission } from '../mempool/index.ts'
import { type Message, nodeReason, type PoolKind } from '../protocol/index.ts'

export type Verdict = 'accept' | 'ignore' | 'reject' | 'orphan'

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
      // Decided where the check failed, else by the code's entry in the catalogue.
      const reason = admission.reason
      const action = reason?.gossip ?? nodeReason(reason?.code ?? '')?.gossip
      // A code gossip never sees (or none) is not held against the peer.
      return action === 'reject' || action === 'orphan' ? action : 'ignore'
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
