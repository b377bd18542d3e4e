/**
 * The node's side of sync: its mempool's entries as reconciliation items, its messages by id,
 * and its one admission path for what sync fetches.
 *
 * Items are every entry's message (key: kind and PoW bits, see src/sync/keys.ts; id: the
 * message id) plus, for a report amended by a dispute, the dispute message, so an amended
 * report reaches a node that holds the report alone. A snapshot is rebuilt when the mempool
 * changed, at most once per `minSnapshotIntervalMs`: a stale snapshot only means a peer asks
 * for something we dropped (answered "not held") or learns of something a bit late.
 */
import {
  type Admission,
  type Entry,
  type Mempool,
  type PoolMessage,
  type VerifiedKey,
  validatePoolMessage,
} from '../mempool/index.ts'
import {
  canonicalize,
  type Dispute,
  ErrorCode,
  messageId,
  POOL_KINDS,
  type PoolKind,
  type Validated,
} from '../protocol/index.ts'
import {
  itemKey,
  SortedItems,
  type SubmitOutcome,
  type SyncItem,
  type SyncSource,
  submitEach,
} from '../sync/index.ts'
import { verdictOf } from './verdicts.ts'

/** The node's admission path (`MegaNode.submit`) for a fetched message, validated here. */
export type Submit = (message: Validated<PoolMessage>) => Admission | Promise<Admission>

/** The node's batch admission path (`MegaNode.submitPage`): one transaction for the page. */
export type SubmitPage = (messages: readonly Validated<PoolMessage>[]) => Admission[]

export interface MempoolSyncSourceInit {
  /**
   * Shortest time between two snapshot rebuilds while the mempool keeps changing, ms. A
   * rebuild sorts every item and hashes the new ones (≈ 0.9 s for a first snapshot of 100k here).
   * @default 2000
   */
  minSnapshotIntervalMs?: number
  /** The node's batch admission; without it, pages are admitted message by message. */
  submitPage?: SubmitPage
  /** Clock, ms. @default Date.now */
  now?: () => number
  /**
   * Checks fetched pages on other threads (SignatureThreads) while earlier pages are admitted:
   * the messages found canonical are not checked for it again, and those whose signatures hold
   * skip the signature check at admission. @default none
   */
  signatures?: SignatureChecker
}

/**
 * Checks off the main thread, of a page of messages as received: per message whether it is
 * canonical UTF-8 JSON, and the `verifiedKey`s of those whose signatures hold.
 */
export interface SignatureChecker {
  check(messages: readonly Uint8Array[]): Promise<{ verified: VerifiedKey[]; canonical: boolean[] }>
}

/** Pages smaller than this are admitted without the threads: posting them costs more than it saves. */
const MIN_THREADED_PAGE = 16

const disputeIds = new WeakMap<Dispute, string>()

export class MempoolSyncSource implements SyncSource {
  readonly mempool: Mempool
  readonly #submit: Submit
  readonly #minInterval: number
  readonly #now: () => number
  readonly #signatures: SignatureChecker | undefined
  readonly #submitPage: SubmitPage | undefined
  #snapshot: SortedItems | undefined
  /** What each id of the snapshot serves: a held entry (its canonical text read when served) or a dispute. */
  #messages = new Map<string, Entry | Dispute>()
  #builtAt = Number.NEGATIVE_INFINITY
  /** The mempool's version the snapshot was built at. */
  #version = -1

  constructor(mempool: Mempool, submit: Submit, init: MempoolSyncSourceInit = {}) {
    this.mempool = mempool
    this.#submit = submit
    this.#minInterval = init.minSnapshotIntervalMs ?? 2000
    this.#now = init.now ?? Date.now
    this.#signatures = init.signatures
    this.#submitPage = init.submitPage
  }

  snapshot(): SortedItems {
    // Every insert and removal (admissions, evictions, purges) moves the mempool's version.
    const dirty = this.mempool.version !== this.#version
    const now = this.#now()
    if (!this.#snapshot || (dirty && now - this.#builtAt >= this.#minInterval)) this.#rebuild(now)
    return this.#snapshot!
  }

  /** Rebuilds now, whatever the interval (tests, and a node about to sync after a restart). */
  refresh(): SortedItems {
    this.#rebuild(this.#now())
    return this.#snapshot!
  }

  message(id: string): string | undefined {
    if (!this.#snapshot) this.snapshot()
    const held = this.#messages.get(id)
    // An offer that expired since the snapshot is not served: no peer would take it.
    if (!held || (held.kind === 'offer' && this.mempool.isExpired(held, this.mempool.now()))) return undefined
    // Served as its canonical form, the only form a peer accepts (docs/protocol.md §2): an
    // entry's is read from its packed form, without rebuilding the message (≈ 3 against ≈ 7 µs).
    return held.kind === 'dispute' ? canonicalize(held) : held.canonicalText
  }

  submit(value: unknown): SubmitOutcome | Promise<SubmitOutcome> {
    const checked = this.#validate(value)
    if ('refused' in checked) return checked.refused
    const admission = this.#submit(checked.message)
    return admission instanceof Promise ? admission.then(withFault) : withFault(admission)
  }

  submitPage(values: readonly unknown[]): SubmitOutcome[] | Promise<SubmitOutcome[]> {
    if (!this.#submitPage) return submitEach(this, values)
    const checked = values.map((value) => this.#validate(value))
    const admissions = this.#submitPage(checked.flatMap((one) => ('message' in one ? [one.message] : [])))
    let next = 0
    return checked.map((one) => ('refused' in one ? one.refused : withFault(admissions[next++]!)))
  }

  /**
   * A fetched value validated, once, before admission: a kind no pool keeps is `UNKNOWN_KIND`
   * (not counted: it never reaches the pools); a pool kind that fails the validator is
   * counted by the mempool as refused and counts against the peer.
   */
  #validate(value: unknown): { message: Validated<PoolMessage> } | { refused: SubmitOutcome } {
    if (!poolKindOf(value)) return { refused: UNKNOWN_KIND }
    const checked = validatePoolMessage(value)
    if (checked.ok) return { message: checked.value }
    return { refused: withFault(this.mempool.refuse(value, checked.error)) }
  }

  async prepare(messages: readonly Uint8Array[]): Promise<readonly boolean[] | undefined> {
    if (!this.#signatures || messages.length < MIN_THREADED_PAGE) return undefined
    const { verified, canonical } = await this.#signatures.check(messages)
    for (const key of verified) this.mempool.verified.add(key)
    return canonical
  }

  #rebuild(now: number): void {
    const version = this.mempool.version
    const items: SyncItem[] = []
    const messages = new Map<string, Entry | Dispute>()
    // Expired offers are never offered, even before the node's next purge removes them.
    const seconds = this.mempool.now()
    for (const entry of this.mempool.entries()) {
      if (entry.kind === 'offer' && this.mempool.isExpired(entry, seconds)) continue
      items.push({ key: itemKey(entry.kind, entry.bits), id: entry.id })
      messages.set(entry.id, entry)
      const dispute = disputeOf(entry)
      if (dispute) {
        const id = disputeId(dispute)
        items.push({ key: itemKey('dispute', 0), id })
        messages.set(id, dispute)
      }
    }
    this.#snapshot = SortedItems.from(items, this.#snapshot)
    this.#messages = messages
    this.#builtAt = now
    this.#version = version
  }
}

/** The outcome of a value whose kind no pool keeps (it never reaches admission). */
const UNKNOWN_KIND: SubmitOutcome = { status: 'invalid', reason: { code: ErrorCode.UNKNOWN_KIND } }

/** The pool kind a fetched value claims, when it is one nodes keep. */
function poolKindOf(value: unknown): PoolKind | undefined {
  const kind = (value as { kind?: unknown } | null)?.kind
  return typeof kind === 'string' && (POOL_KINDS as readonly string[]).includes(kind)
    ? (kind as PoolKind)
    : undefined
}

/** Marks what no honest peer could hold (the gossip rule, verdicts.ts), so sync counts it against the peer. */
function withFault(admission: Admission): SubmitOutcome {
  return verdictOf(admission) === 'reject' ? { ...admission, fault: true } : admission
}

function disputeOf(entry: Entry): Dispute | undefined {
  return entry.kind === 'report' ? entry.dispute : undefined
}

function disputeId(dispute: Dispute): string {
  let id = disputeIds.get(dispute)
  if (!id) {
    id = messageId(dispute)
    disputeIds.set(dispute, id)
  }
  return id
}
