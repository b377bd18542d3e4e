/**
 * The fact pool as a set to reconcile (src/sync, docs/sync.md §13): its own protocol,
 * `/mega/facts/2.0.0`, the same session as the mempool's over other items. An item is a held
 * commitment (key 0) or fact (key 1) by its message id; a fetched one goes through the node's
 * one path into the pool. Facts are not gossiped: a fact is asked for by few traders, so
 * pushing each to every node costs more than pulling the differences now and then.
 */
import { canonicalize, ErrorCode, messageId } from '../protocol/index.ts'
import { SortedItems, type SubmitOutcome, type SyncSource } from '../sync/index.ts'
import type { FactAdmission, FactPool } from './fact-pool.ts'

/** The protocol id of fact sync. */
export const FACT_SYNC_PROTOCOL = '/mega/facts/2.0.0'

/** Keys of the two kinds: commitments first, so a fact meets its commitment on arrival. */
export const FACT_KEYS = { commitment: 0, fact: 1 } as const

/**
 * Refusals no honest peer causes: bytes that are not a commitment or fact, or a signature that
 * does not verify. The others depend on what this node holds (the capability ad, its version,
 * the pool's budget) and strike nobody.
 */
const FAULTS = new Set<string>([
  ErrorCode.UNKNOWN_KIND,
  ErrorCode.SCHEMA_VIOLATION,
  ErrorCode.NOT_CANONICALIZABLE,
  ErrorCode.SIGNATURE_MISSING,
  ErrorCode.SIGNATURE_INVALID,
])
/** Checks against the held capability ad, whose version may differ between honest nodes. */
const AD_PATHS = new Set(['/scheme', '/attestation/type'])

export class FactSyncSource implements SyncSource {
  readonly #pool: FactPool
  readonly #add: (value: unknown) => FactAdmission
  #snapshot: SortedItems | undefined
  #version = -1

  constructor(pool: FactPool, add: (value: unknown) => FactAdmission) {
    this.#pool = pool
    this.#add = add
  }

  snapshot(): SortedItems {
    if (!this.#snapshot || this.#version !== this.#pool.version) {
      const items = [...this.#pool.records()].map((record) => ({
        key: FACT_KEYS[record.message.kind],
        id: record.id,
      }))
      this.#snapshot = SortedItems.from(items, this.#snapshot)
      this.#version = this.#pool.version
    }
    return this.#snapshot
  }

  message(id: string): string | undefined {
    const record = this.#pool.get(id)
    // Served as its canonical form, the only form a peer accepts (docs/protocol.md §2).
    return record && canonicalize(record.message)
  }

  submit(value: unknown): SubmitOutcome {
    const admission = this.#add(value)
    const id = admission.id ?? idOf(value)
    const outcome: SubmitOutcome = {
      status: admission.status,
      ...(id !== undefined && { id }),
      ...(admission.reason && { reason: { code: admission.reason.code } }),
    }
    const reason = admission.reason
    if (reason && FAULTS.has(reason.code) && !AD_PATHS.has(reason.path ?? '')) outcome.fault = true
    return outcome
  }
}

function idOf(value: unknown): string | undefined {
  try {
    return messageId(value as never)
  } catch {
    return undefined
  }
}
