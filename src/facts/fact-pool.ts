/**
 * The fact pool: signed commitments and facts a node relayed or was given, kept so a second
 * trader gets a verified fact without asking the oracle, and so an oracle that signed two
 * different answers to one question is caught by whoever holds both. Pure: no sockets, no
 * files; what changed is returned for the caller to persist.
 *
 * Admission (in this order): the value is a schema-valid `commitment` or `fact`; this node
 * holds the capability ad of its key (else `CAPABILITY_NOT_HELD`: a key nobody mined an ad
 * for costs nothing to make, so its facts would be free junk); the request is one the
 * capability answers (`REQUEST_INVALID`), a fact's answer one of its answers
 * (`ANSWER_INVALID`); it is signed in the capability's scheme by the capability key
 * (`SIGNATURE_INVALID`).
 *
 * Eviction. Facts carry no PoW, so the pool cannot rank them by work as the mempool does.
 * It bounds them per capability key (one capability cannot crowd out the others) and in all,
 * by count and by bytes, and evicts the least recently received or served first: what traders
 * keep asking for stays. Records that prove a conflict are pinned — one conflict per type and
 * capability key, which is all a verified report needs — until the node holds a report that
 * covers it, so the pinned set is bounded by the capabilities the mempool holds (PoW-bounded).
 */
import {
  type Commitment,
  canonicalize,
  checkAnswer,
  checkRequest,
  ErrorCode,
  type Fact,
  messageId,
  type OracleCapability,
  type ReportContent,
  requestKey,
  TypedEventTarget,
  validateMessage,
  verifyAttestation,
  verifyFactConflict,
  verifySignatures,
} from '../protocol/index.ts'
import { FactErrorCode } from './errors.ts'

export interface FactPoolOptions {
  /** Records (commitments and facts) kept in all. @default 20_000 */
  maxRecords: number
  /** Records kept per capability key. @default 256 */
  maxPerCapability: number
  /** Bytes of records kept in all (their JSON). @default 32 MiB */
  maxBytes: number
}

export const defaultFactPoolOptions: FactPoolOptions = {
  maxRecords: 20_000,
  maxPerCapability: 256,
  maxBytes: 32 * 1024 * 1024,
}

export type FactMessage = Commitment | Fact

/** One record held. */
export interface FactRecord {
  id: string
  message: FactMessage
  /** Capability key that signed it. */
  capability: string
  /** `requestKey` of its request: capability and arguments, invoice excluded. */
  question: string
  bytes: number
  /** Milliseconds: when it was last received or served (the eviction order). */
  usedAt: number
}

/** Proof that an oracle broke its word, with the report it supports. */
export interface FactConflict {
  /**
   * `equivocation`: two facts of one capability key for one question with different answers
   * (a verified `fact-conflict` report). `broken-commitment`: a fact for exactly a committed
   * request that does not keep the commitment's promise (another Schnorr nonce, a preimage
   * that opens no lock) — the promised fact is missing, a verified `fact-missing` report once
   * the deadline passed.
   */
  type: 'equivocation' | 'broken-commitment'
  /** Stable id: type and the evidence ids. */
  id: string
  oracle: string
  capability: string
  /** Ids of the two records that prove it. */
  evidence: [string, string]
  /** The report's oracle and content, ready to mine and post. */
  report: { oracle: string; content: ReportContent }
  /** Unix seconds from which nodes accept the report as verified. */
  reportableFrom: number
  /** Held while the node holds no report covering it. */
  pinned: boolean
}

/** What one admission did. */
export interface FactAdmission {
  status: 'added' | 'duplicate' | 'invalid'
  id?: string
  kind?: 'commitment' | 'fact'
  reason?: { code: string; message: string; path?: string }
  /** Conflicts this record revealed. */
  conflicts: FactConflict[]
  /** Records to persist, ids to delete. */
  changes: { put: FactRecord[]; removed: string[] }
}

export interface FactPoolComponents {
  /** The capability ad of a key, as the node holds it (its mempool). */
  capabilityOf: (key: string) => OracleCapability | undefined
  /** Whether the node holds a report covering `conflict` (then its records are no longer pinned). @default never */
  reported?: (conflict: FactConflict) => boolean
  /** Milliseconds clock. @default Date.now */
  now?: () => number
}

/** Events of a {@link FactPool}. */
export interface FactPoolEvents {
  /** The pool took a record that proves the oracle broke its word (see {@link FactConflict}). */
  'fact:conflict': CustomEvent<{ conflict: FactConflict }>
}

export class FactPool extends TypedEventTarget<FactPoolEvents> {
  readonly options: FactPoolOptions
  readonly #components: FactPoolComponents
  readonly #now: () => number
  /** Every record, least recently used first (a Map keeps insertion order; touching re-inserts). */
  readonly #records = new Map<string, FactRecord>()
  readonly #byCapability = new Map<string, Set<string>>()
  readonly #byQuestion = new Map<string, Set<string>>()
  /** Conflicts found, by id; the pinned ones keep their evidence. */
  readonly #conflicts = new Map<string, FactConflict>()
  #bytes = 0
  #version = 0

  constructor(options: Partial<FactPoolOptions>, components: FactPoolComponents) {
    super()
    this.options = { ...defaultFactPoolOptions, ...options }
    this.#components = components
    this.#now = components.now ?? Date.now
  }

  get size(): number {
    return this.#records.size
  }

  get bytes(): number {
    return this.#bytes
  }

  /** Counts for `/stats`. */
  stats(): { records: number; bytes: number; conflicts: number; pinned: number } {
    const conflicts = this.conflicts()
    return {
      records: this.#records.size,
      bytes: this.#bytes,
      conflicts: conflicts.length,
      pinned: conflicts.filter((conflict) => conflict.pinned).length,
    }
  }

  /** Changes with every record added or removed (what a sync snapshot is rebuilt on). */
  get version(): number {
    return this.#version
  }

  /** Checks and adds one commitment or fact (a parsed JSON value). Never throws for bad input. */
  add(value: unknown, usedAt = this.#now()): FactAdmission {
    const changes: FactAdmission['changes'] = { put: [], removed: [] }
    const checked = this.#check(value)
    if ('code' in checked) {
      const { code, message, path } = checked
      return { status: 'invalid', reason: { code, message, ...(path && { path }) }, conflicts: [], changes }
    }
    const { message, capability } = checked
    const id = messageId(message)
    const held = this.#records.get(id)
    if (held) {
      this.#touch(held, usedAt)
      return { status: 'duplicate', id, kind: message.kind, conflicts: [], changes }
    }
    const record: FactRecord = {
      id,
      message,
      capability: capability.capabilityKey,
      question: requestKey(message.request),
      bytes: Buffer.byteLength(JSON.stringify(message)),
      usedAt,
    }
    const conflicts = this.#conflictsOf(record, capability)
    for (const conflict of conflicts) this.#conflicts.set(conflict.id, conflict)
    this.#insert(record)
    if (!this.#makeRoom(record, changes.removed)) {
      this.#remove(record)
      for (const conflict of conflicts) this.#conflicts.delete(conflict.id)
      return {
        status: 'invalid',
        id,
        kind: message.kind,
        reason: { code: FactErrorCode.FACT_POOL_FULL, message: 'every evictable record is pinned evidence' },
        conflicts: [],
        changes: { put: [], removed: changes.removed },
      }
    }
    changes.put.push(record)
    for (const conflict of conflicts) this.emit('fact:conflict', { conflict })
    return { status: 'added', id, kind: message.kind, conflicts, changes }
  }

  /** A held record by id. */
  get(id: string): FactRecord | undefined {
    return this.#records.get(id)
  }

  /** Every record, least recently used first. */
  records(): IterableIterator<FactRecord> {
    return this.#records.values()
  }

  /**
   * The facts (and commitments, when `kinds` says so) of a capability, for one question when
   * `args` is given, most recently used first, at most `limit`.
   */
  find(query: { capability: string; args?: Record<string, string>; limit?: number }): FactRecord[] {
    const ids =
      query.args === undefined
        ? this.#byCapability.get(query.capability)
        : this.#byQuestion.get(requestKey({ capability: query.capability, args: query.args }))
    const found = [...(ids ?? [])].map((id) => this.#records.get(id)!)
    return found.sort((a, b) => b.usedAt - a.usedAt).slice(0, query.limit ?? 100)
  }

  /**
   * A held fact that keeps `commitment` (its exact request, its attestation promise), or
   * undefined; marks it used. What the relay serves instead of asking the oracle again.
   */
  factFor(commitment: Commitment): Fact | undefined {
    const request = canonicalize(commitment.request)
    for (const id of this.#byQuestion.get(requestKey(commitment.request)) ?? []) {
      const record = this.#records.get(id)!
      const fact = record.message
      if (fact.kind !== 'fact' || canonicalize(fact.request) !== request) continue
      if (!verifyAttestation(commitment, fact).ok) continue
      this.#touch(record, this.#now())
      return fact
    }
    return undefined
  }

  /**
   * A held commitment to exactly `request` whose deadline is at least `minSeconds` away at
   * `nowSeconds`, or undefined; marks it used. The oracle signed it for this request, so it is
   * as good as a fresh one (requests with an invoice are never shared: see the relay).
   */
  commitmentFor(
    request: Commitment['request'],
    nowSeconds: number,
    minSeconds: number,
  ): Commitment | undefined {
    const text = canonicalize(request)
    for (const id of this.#byQuestion.get(requestKey(request)) ?? []) {
      const record = this.#records.get(id)!
      const commitment = record.message
      if (commitment.kind !== 'commitment' || canonicalize(commitment.request) !== text) continue
      if (commitment.deadline < nowSeconds + minSeconds) continue
      this.#touch(record, this.#now())
      return commitment
    }
    return undefined
  }

  /** Conflicts whose evidence the pool still holds (only `oracle`'s when given), pinned first. */
  conflicts(filter: { oracle?: string } = {}): FactConflict[] {
    const held: FactConflict[] = []
    for (const conflict of this.#conflicts.values()) {
      if (!conflict.evidence.every((id) => this.#records.has(id))) {
        this.#conflicts.delete(conflict.id)
        continue
      }
      if (filter.oracle !== undefined && conflict.oracle !== filter.oracle) continue
      if (conflict.pinned && this.#components.reported?.(conflict)) conflict.pinned = false
      held.push(conflict)
    }
    return held.sort((a, b) => Number(b.pinned) - Number(a.pinned))
  }

  #check(
    value: unknown,
  ):
    | { message: FactMessage; capability: OracleCapability }
    | { code: string; message: string; path?: string } {
    const kind = (value as { kind?: unknown } | null)?.kind
    if (kind !== 'commitment' && kind !== 'fact') {
      return { code: ErrorCode.UNKNOWN_KIND, message: 'a commitment or a fact', path: '/kind' }
    }
    const parsed = validateMessage(value, kind)
    if (!parsed.ok) return errorOf(parsed.error)
    const message = parsed.value as FactMessage
    const capability = this.#components.capabilityOf(message.request.capability)
    if (!capability) {
      return {
        code: FactErrorCode.CAPABILITY_NOT_HELD,
        message: `this node holds no capability ad for ${message.request.capability}`,
        path: '/request/capability',
      }
    }
    const asked = checkRequest(capability, message.request)
    if (!asked.ok) return errorOf(asked.error, '/request')
    if (message.kind === 'fact') {
      const answered = checkAnswer(capability, message.answer)
      if (!answered.ok) return errorOf(answered.error)
    } else if (message.attestation.type !== capability.attestation) {
      return {
        code: ErrorCode.SCHEMA_VIOLATION,
        message: `the capability attests by ${capability.attestation}`,
        path: '/attestation/type',
      }
    }
    if (message.scheme !== capability.capabilityScheme) {
      return {
        code: ErrorCode.SIGNATURE_INVALID,
        message: `the capability signs with ${capability.capabilityScheme}`,
        path: '/scheme',
      }
    }
    const signed = verifySignatures(message)
    if (!signed.ok) return errorOf(signed.error)
    return { message, capability }
  }

  /** The conflicts `record` forms with what is held. */
  #conflictsOf(record: FactRecord, capability: OracleCapability): FactConflict[] {
    const found: FactConflict[] = []
    const pinnedTypes = new Set(
      [...this.#conflicts.values()]
        .filter((conflict) => conflict.pinned && conflict.capability === record.capability)
        .map((conflict) => conflict.type),
    )
    const add = (conflict: Omit<FactConflict, 'pinned' | 'oracle' | 'capability'>) => {
      if (this.#conflicts.has(conflict.id) || found.some((other) => other.id === conflict.id)) return
      const pinned = !pinnedTypes.has(conflict.type)
      pinnedTypes.add(conflict.type)
      found.push({ ...conflict, oracle: capability.oracle, capability: capability.capabilityKey, pinned })
    }
    const text = canonicalize(record.message.request)
    for (const otherId of this.#byQuestion.get(record.question) ?? []) {
      const other = this.#records.get(otherId)!.message
      const message = record.message
      if (message.kind === 'fact' && other.kind === 'fact' && other.answer !== message.answer) {
        const facts: [Fact, Fact] = [other, message]
        const content: ReportContent = { type: 'fact-conflict', capability, facts }
        // The protocol's verifier decides; the pool proposes nothing nodes would refuse.
        if (!verifyFactConflict(capability.oracle, capability, facts).ok) continue
        add({
          type: 'equivocation',
          id: conflictId('equivocation', [otherId, record.id]),
          evidence: [otherId, record.id],
          report: { oracle: capability.oracle, content },
          reportableFrom: 0,
        })
        continue
      }
      const pair = commitmentAndFact(message, other)
      if (!pair || canonicalize(other.request) !== text) continue
      const [commitment, fact] = pair
      if (verifyAttestation(commitment, fact).ok) continue
      const commitmentId = messageId(commitment)
      add({
        type: 'broken-commitment',
        id: conflictId('broken-commitment', [commitmentId, messageId(fact)]),
        evidence: [commitmentId, messageId(fact)],
        report: { oracle: capability.oracle, content: { type: 'fact-missing', capability, commitment } },
        reportableFrom: commitment.deadline + 1,
      })
    }
    return found
  }

  /** Evicts until the bounds hold again, never `added` nor pinned evidence. False when it cannot. */
  #makeRoom(added: FactRecord, removed: string[]): boolean {
    const pinned = this.#pinnedIds()
    const evictable = (record: FactRecord) => record !== added && !pinned.has(record.id)
    const own = this.#byCapability.get(added.capability)!
    while (own.size > this.options.maxPerCapability) {
      const victim = [...own].map((id) => this.#records.get(id)!).find(evictable)
      if (!victim) return false
      this.#remove(victim)
      removed.push(victim.id)
    }
    while (this.#records.size > this.options.maxRecords || this.#bytes > this.options.maxBytes) {
      let victim: FactRecord | undefined
      for (const record of this.#records.values()) {
        if (evictable(record)) {
          victim = record
          break
        }
      }
      if (!victim) return false
      this.#remove(victim)
      removed.push(victim.id)
    }
    return true
  }

  #pinnedIds(): Set<string> {
    const ids = new Set<string>()
    for (const conflict of this.conflicts())
      if (conflict.pinned) for (const id of conflict.evidence) ids.add(id)
    return ids
  }

  #touch(record: FactRecord, usedAt: number): void {
    record.usedAt = Math.max(record.usedAt, usedAt)
    this.#records.delete(record.id)
    this.#records.set(record.id, record)
    const own = this.#byCapability.get(record.capability)!
    own.delete(record.id)
    own.add(record.id)
  }

  #insert(record: FactRecord): void {
    this.#records.set(record.id, record)
    this.#version++
    this.#bytes += record.bytes
    indexAdd(this.#byCapability, record.capability, record.id)
    indexAdd(this.#byQuestion, record.question, record.id)
  }

  #remove(record: FactRecord): void {
    if (!this.#records.delete(record.id)) return
    this.#version++
    this.#bytes -= record.bytes
    indexDelete(this.#byCapability, record.capability, record.id)
    indexDelete(this.#byQuestion, record.question, record.id)
  }
}

function commitmentAndFact(a: FactMessage, b: FactMessage): [Commitment, Fact] | undefined {
  if (a.kind === 'commitment' && b.kind === 'fact') return [a, b]
  if (a.kind === 'fact' && b.kind === 'commitment') return [b, a]
  return undefined
}

function conflictId(type: FactConflict['type'], ids: readonly string[]): string {
  return `${type}:${[...ids].sort().join(':')}`
}

function errorOf(
  error: { code: string; message: string; details: Record<string, unknown> },
  prefix = '',
): { code: string; message: string; path?: string } {
  const path = typeof error.details.path === 'string' ? `${prefix}${error.details.path}` : undefined
  return { code: error.code, message: error.message, ...(path !== undefined && { path }) }
}

function indexAdd(index: Map<string, Set<string>>, key: string, id: string): void {
  const ids = index.get(key)
  if (ids) ids.add(id)
  else index.set(key, new Set([id]))
}

function indexDelete(index: Map<string, Set<string>>, key: string, id: string): void {
  const ids = index.get(key)
  if (!ids) return
  ids.delete(id)
  if (ids.size === 0) index.delete(key)
}
