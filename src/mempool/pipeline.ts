/**
 * The one admission path of a node, whatever the message came by (REST, gossip, sync): a
 * message validated where it came in goes to the mempool, what the admission changed is
 * committed, and only then are listeners told (`message:admitted`), so no client ever sees a
 * message the node has not persisted. When the commit fails, the error goes to the caller
 * (REST answers 500, gossip ignores the message, sync counts the page failed) and nobody is
 * told: the pools may keep the message in memory until the node restarts, but it is neither
 * announced nor published.
 */
import {
  ErrorCode,
  fail,
  POOL_KINDS,
  type PoolKind,
  type Result,
  TypedEventTarget,
  type Validated,
  validate,
} from '../protocol/index.ts'
import type { Admission } from './admission.ts'
import type { AdmissionEvents, Origin } from './events.ts'
import type { AdmitResult, Changes, Mempool } from './mempool.ts'
import type { PoolMessage } from './pool-view.ts'

export type { Origin } from './events.ts'

/** The node's admission path for one validated message: admits, commits, tells, answers. */
export type Submit = (message: Validated<PoolMessage>, origin: Origin) => Admission | Promise<Admission>

/** Persists the changes of a batch of admissions in one transaction; throws when it cannot. */
export type Commit = (batch: readonly Changes[]) => void

/** Outcomes that change the pools, and that listeners hear of. */
function isAdmitted(admission: Admission): boolean {
  return admission.status === 'added' || admission.status === 'updated'
}

export class AdmissionPipeline {
  readonly mempool: Mempool
  /** `message:admitted`, after the commit. */
  readonly events = new TypedEventTarget<AdmissionEvents>()
  readonly #commit: Commit | undefined

  /** Without `commit`, nothing is persisted (tests and tools that hold a mempool alone). */
  constructor(mempool: Mempool, commit?: Commit) {
    this.mempool = mempool
    this.#commit = commit
  }

  /** Admits one message (see {@link submitPage}). */
  submit(message: Validated<PoolMessage>, origin: Origin): Admission {
    return this.submitPage([message], origin)[0]!
  }

  /**
   * Admits messages in order, commits what they changed in one transaction, then tells the
   * listeners of those added or updated. Synchronous, so no other admission interleaves.
   */
  submitPage(messages: readonly Validated<PoolMessage>[], origin: Origin): Admission[] {
    const results: AdmitResult[] = messages.map((message) => this.mempool.admit(message))
    const batch = results
      .map((result) => result.changes)
      .filter((changes) => changes.put.length > 0 || changes.removed.length > 0)
    if (batch.length > 0) this.#commit?.(batch)
    results.forEach(({ admission }, i) => {
      if (isAdmitted(admission))
        this.events.emit('message:admitted', { admission, message: messages[i]!, origin })
    })
    return results.map((result) => result.admission)
  }
}

/**
 * Validates a plain value (schema and intrinsic rules, of `expected` when given) and admits it:
 * for callers that hold values, not validated messages (a fetched sync page, tools, tests).
 * A value the validator refuses is counted by the mempool ({@link Mempool.refuse}) and never
 * reaches admission.
 */
export function admitValue(pool: Mempool, value: unknown, expected?: PoolKind): AdmitResult {
  const checked = validatePoolMessage(value, expected)
  if (!checked.ok) return { admission: pool.refuse(value, checked.error), changes: { put: [], removed: [] } }
  return pool.admit(checked.value)
}

/**
 * A value as a message of a kind the pools keep: `UNKNOWN_KIND` for another kind (a
 * commitment, a fact or a manifest sent to a node), else the validator's verdict.
 */
export function validatePoolMessage(value: unknown, expected?: PoolKind): Result<Validated<PoolMessage>> {
  const checked = validate(value, expected)
  if (!checked.ok) return checked
  const { kind } = checked.value
  if (!(POOL_KINDS as readonly string[]).includes(kind))
    return fail(ErrorCode.UNKNOWN_KIND, `/kind ${kind} messages are not kept by nodes`, { path: '/kind' })
  return checked as Result<Validated<PoolMessage>>
}
