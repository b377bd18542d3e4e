/**
 * The mempool: bounded pools of oracle ads, capabilities, reports and offers, with admission
 * in the order of design §5 (cheapest checks first) and eviction of the least work in
 * O(log n). It knows nothing of sockets or disks: it returns each admission's outcome and the
 * entries it put or removed, and the node persists and gossips them.
 */

import BTreeModule from 'sorted-btree'
import { canonicalize } from '../protocol/canonical.ts'
import { ErrorCode, isProtocolError, type ProtocolError } from '../protocol/errors.ts'
import { canonicalSize, forgetSigningBytes, idOfCanonical, withoutProofs } from '../protocol/message.ts'
import { verifyMessagePow } from '../protocol/message-pow.ts'
import type { Bid, Message, Offer, PoolKind } from '../protocol/messages/index.ts'
import { POOL_KINDS } from '../protocol/messages/index.ts'
import { checkMessageRules } from '../protocol/rules.ts'
import { validateMessage } from '../protocol/validate.ts'
import { type Admission, type AdmissionReason, type AdmissionStatus, MempoolErrorCode } from './admission.ts'
import {
  type AdmitContext,
  admitCapability,
  admitDispute,
  admitOffer,
  admitOracle,
  admitReport,
} from './admit.ts'
import { BoundedPool, type BoundedPoolInit, type PoolCheck, type Rank, workBits } from './bounded-pool.ts'
import { countingReport } from './commitments.ts'
import type { CapabilityEntry, Entry, OfferEntry, OracleEntry, ReportEntry } from './entries.ts'
import { scoreOf } from './entries.ts'
import { defaultMempoolOptions, type MempoolOptions } from './options.ts'
import { VerifiedIds } from './verified-ids.ts'

const BTree = BTreeModule.default

/**
 * The amount a bid's payment proof proves, as far as known now: synchronous and without I/O, so
 * admission never waits on it (0 for a bid not verified yet). A verifier that learns an amount
 * later has the node call {@link Mempool.rerankBid}.
 */
export interface BidVerifier {
  verify(bid: Bid, oracle: string): bigint
}

/** What identifies a bid for verification and caching: the oracle and the bid's canonical bytes, hashed. */
export function bidKey(bid: Bid, oracle: string): string {
  return idOfCanonical(canonicalize({ oracle, bid }))
}

/** What the mempool needs from its surroundings; all optional. */
export interface MempoolComponents {
  /** Current time in Unix seconds. @default Date.now() / 1000 */
  now?: () => number
  /** Randomness for random eviction. @default Math.random */
  random?: () => number
  /** Bid verifier; without one every bid counts as 0. */
  bidVerifier?: BidVerifier
}

/** What one admission changed, for persistence: entries to write and entries to delete. */
export interface Changes {
  put: Entry[]
  removed: { kind: Entry['kind']; key: string }[]
}

export interface AdmitResult {
  admission: Admission
  changes: Changes
}

/** Events of the mempool. */
export interface MempoolEvents {
  /** A message was added or updated an entry. */
  'message:admitted': CustomEvent<{ admission: Admission; message: Message }>
}

/** Key of an entry in the store and in `Changes`. */
export function entryKey(entry: Entry): string {
  return entry.kind === 'report' ? entry.id : entry.key
}

export class Mempool extends EventTarget {
  readonly options: MempoolOptions
  readonly now: () => number
  readonly bidVerifier: BidVerifier | undefined
  readonly random: () => number
  readonly oracles: BoundedPool<OracleEntry>
  readonly capabilities = new Map<string, CapabilityEntry>()
  readonly reports = new Map<string, ReportEntry>()
  readonly offers: BoundedPool<OfferEntry>
  readonly offersByCapability = new Map<string, BoundedPool<OfferEntry>>()
  /** Oracles by score, highest first (key: [-score, key]). */
  readonly byScore = new BTree<[bigint, string], OracleEntry>(undefined, compareScoreKeys)
  /** Every entry by work per byte, lowest first: what the byte budget evicts. */
  readonly #byDensity = new BTree<Entry, undefined>(undefined, compareDensities)
  /** Offers by expiry, soonest first: what {@link purgeExpired} removes. */
  readonly #byExpiry = new BTree<OfferEntry, undefined>(undefined, compareExpiries)
  /** `expires` of the soonest offer held (or earlier): below it, there is nothing to purge. */
  #soonestExpiry = Number.POSITIVE_INFINITY
  #bytes = 0
  readonly #poolInits = new Map<number, BoundedPoolInit>()
  /** Count of outcomes by status and by reason code. */
  readonly counters = new Map<string, number>()
  /**
   * Count of outcomes by kind (the one the message names, `other` when it names none the pools
   * keep) and status: one increment per admission, no key built. Every pair starts at 0, so a
   * scrape sees each series from the start.
   */
  readonly countsByKind: Record<PoolKind | 'other', Record<AdmissionStatus, number>> = {
    oracle: statusCounts(),
    capability: statusCounts(),
    report: statusCounts(),
    dispute: statusCounts(),
    offer: statusCounts(),
    other: statusCounts(),
  }
  /** Messages whose signatures a signature thread already checked (sync): admission skips them once. */
  readonly verified = new VerifiedIds()

  constructor(options: Partial<MempoolOptions> = {}, components: MempoolComponents = {}) {
    super()
    this.options = { ...defaultMempoolOptions, ...options }
    this.now = components.now ?? (() => Date.now() / 1000)
    this.random = components.random ?? Math.random
    this.bidVerifier = components.bidVerifier
    this.oracles = new BoundedPool(this.poolInit(this.options.maxOracles))
    this.offers = new BoundedPool(this.poolInit(this.options.maxOffers))
  }

  /**
   * Init of a bounded pool under this mempool's eviction options: one object per capacity,
   * shared by every pool of that capacity (each oracle has two pools).
   */
  poolInit(capacity: number): BoundedPoolInit {
    let init = this.#poolInits.get(capacity)
    if (!init) {
      const { floorHalfLifeSeconds, floorIncrementBits, randomEvictionRate } = this.options
      init = Object.freeze({
        capacity,
        halfLifeSeconds: floorHalfLifeSeconds,
        incrementBits: floorIncrementBits,
        randomEvictionRate,
        random: this.random,
      })
      this.#poolInits.set(capacity, init)
    }
    return init
  }

  /** Every entry held: oracles, capabilities, reports, offers. */
  *entries(): IterableIterator<Entry> {
    for (const [, oracle] of this.oracles.strongestFirst()) yield oracle
    yield* this.capabilities.values()
    yield* this.reports.values()
    for (const [, offer] of this.offers.strongestFirst()) yield offer
  }

  /** Bytes of all entries held. */
  get bytes(): number {
    return this.#bytes
  }

  /**
   * Admits one message (an already-parsed JSON value). Never throws for bad input: every
   * problem is an `invalid` outcome with a reason.
   */
  admit(input: unknown): AdmitResult {
    const changes: Changes = { put: [], removed: [] }
    const now = this.now()
    // Expired offers go first, so no answer (nor any persisted state) ever rests on one.
    if (this.#soonestExpiry + this.options.clockSkewSeconds < now) this.purgeExpired(now, changes)
    let admission: Admission
    try {
      admission = this.#admit(input, now, changes)
    } catch (error) {
      if (!isProtocolError(error)) throw error
      admission = { status: 'invalid', reason: reasonOf(error) }
    } finally {
      // The pool keeps the message, and must not keep its signed bytes with it.
      forgetSigningBytes(input as Message)
    }
    this.#count(admission, input)
    if (admission.status === 'added' || admission.status === 'updated') {
      this.dispatchEvent(
        new CustomEvent('message:admitted', { detail: { admission, message: input as Message } }),
      )
    }
    return { admission, changes }
  }

  #admit(input: unknown, now: number, changes: Changes): Admission {
    // 1. schema (size and parse happen at the edge, before the value reaches us)
    const valid = validateMessage(input)
    if (!valid.ok) return { status: 'invalid', reason: reasonOf(valid.error) }
    const message = valid.value
    if (!(POOL_KINDS as readonly string[]).includes(message.kind)) {
      return invalid(ErrorCode.UNKNOWN_KIND, `/kind ${message.kind} messages are not kept by nodes`, '/kind')
    }
    const rules = checkMessageRules(message)
    if (!rules.ok) return { status: 'invalid', kind: message.kind as PoolKind, reason: reasonOf(rules.error) }
    const context = new LazyIdentity(this, now, changes, message)
    switch (message.kind) {
      case 'oracle':
        return admitOracle(context, message)
      case 'capability':
        return admitCapability(context, message)
      case 'report':
        return admitReport(context, message)
      case 'dispute':
        return admitDispute(context, message)
      case 'offer':
        return admitOffer(context, message)
      default:
        throw new Error('unreachable')
    }
  }

  /** Verifies a message's PoW against the kind's minimum; returns bits or a failed admission. */
  verifyWork(message: Message & { kind: keyof MempoolOptions['minBits'] }): { bits: number } | Admission {
    const checked = verifyMessagePow(message, this.options.minBits[message.kind])
    return checked.ok ? { bits: checked.value.bits } : { status: 'invalid', reason: reasonOf(checked.error) }
  }

  /** Verified bid amount of an oracle ad. */
  bidOf(message: { bid?: Bid | undefined; pubkey: string }): bigint {
    return message.bid && this.bidVerifier ? this.bidVerifier.verify(message.bid, message.pubkey) : 0n
  }

  /**
   * Whether an offer has expired on this node's clock: past `expires` by more than the
   * tolerated skew. The one rule for refusing (`EXPIRED`), purging and syncing offers.
   */
  isExpired(offer: Offer, now: number): boolean {
    return offer.terms.expires + this.options.clockSkewSeconds < now
  }

  /**
   * Removes the offers that expired by `now` (with their bytes), into `changes` for the store.
   * Costs one comparison when none did: admission calls it first, the node on a timer.
   */
  purgeExpired(now = this.now(), changes: Changes = { put: [], removed: [] }): Changes {
    if (this.#soonestExpiry + this.options.clockSkewSeconds >= now) return changes
    for (;;) {
      const offer = this.#byExpiry.minKey()
      this.#soonestExpiry = offer?.message.terms.expires ?? Number.POSITIVE_INFINITY
      if (!offer) break
      if (!this.isExpired(offer.message, now)) break
      this.removeOffer(offer, changes)
    }
    return changes
  }

  /**
   * Re-ranks the oracle whose held ad carries `bid` once its verification resolved: its bid
   * becomes what the verifier now says. Returns the changes to persist (none when the ad was
   * replaced or evicted meanwhile, or the amount is unchanged).
   */
  rerankBid(oracle: string, bid: Bid): Changes {
    const changes: Changes = { put: [], removed: [] }
    const held = this.oracles.get(oracle)
    if (!held?.message.bid || bidKey(held.message.bid, oracle) !== bidKey(bid, oracle)) return changes
    const amount = this.bidOf(held.message)
    if (amount === held.bid) return changes
    this.reindexOracle(held, this.now(), () => {
      held.bid = amount
    })
    changes.put.push(held)
    return changes
  }

  /** Returns true when `key` (hex) belongs to this node's shard. */
  inShard(key: string): boolean {
    const { index, count } = this.options.shard
    return count <= 1 || Number(BigInt(`0x${key}`) % BigInt(count)) === index
  }

  // ---- bookkeeping shared by the admission rules -------------------------------------------

  /** Adds an entry's bytes and density; the byte budget may then evict. */
  track(entry: Entry): void {
    this.#bytes += entry.bytes
    entry.density = densityOf(entry)
    this.#byDensity.set(entry, undefined)
    if (entry.kind === 'offer') {
      this.#byExpiry.set(entry, undefined)
      this.#soonestExpiry = Math.min(this.#soonestExpiry, entry.message.terms.expires)
    }
  }

  untrack(entry: Entry): void {
    if (this.#byDensity.delete(entry)) this.#bytes -= entry.bytes
    if (entry.kind === 'offer') this.#byExpiry.delete(entry)
  }

  /**
   * Files a fact-missing report with the others on its commitment (replacing `held`, the copy
   * of the same id it updates), then recounts them: one of them counts at most.
   */
  joinCommitment(
    oracle: OracleEntry,
    report: ReportEntry,
    held: ReportEntry | undefined,
    now: number,
    changes: Changes,
  ): void {
    const key = report.commitment!
    oracle.commitments ??= new Map()
    let reports = oracle.commitments.get(key)
    if (!reports) {
      reports = new Set()
      oracle.commitments.set(key, reports)
    }
    if (held) reports.delete(held)
    reports.add(report)
    this.recountCommitment(oracle, key, now, changes)
  }

  /**
   * Sets which report on a commitment counts (none once one is disputed; else the most work,
   * then the lowest id), moving the others' rank and the oracle's penalty with it.
   */
  recountCommitment(oracle: OracleEntry, key: string, now: number, changes: Changes): void {
    const reports = oracle.commitments?.get(key)
    if (!reports) return
    const counting = countingReport(reports)
    for (const report of reports) {
      const counts = report === counting
      if (report.counts === counts) continue
      report.counts = counts
      oracle.reports.set(reportRank(report, report.id), report, now)
      this.reindexOracle(oracle, now, () => {
        oracle.penalty += counts ? report.work : -report.work
      })
      changes.put.push(report)
    }
  }

  /** Re-ranks an oracle after its strength, penalty or bid changed (`change` mutates it). */
  reindexOracle(oracle: OracleEntry, now: number, change: () => void): void {
    const { strength, bid, bytes } = oracle
    this.byScore.delete(scoreKey(oracle))
    change()
    this.byScore.set(scoreKey(oracle), oracle)
    // A report moves only the score; strength, bid and size move the rank and density too.
    if (oracle.strength === strength && oracle.bid === bid && oracle.bytes === bytes) return
    // Filed under the density it was tracked with, which `change` does not touch.
    if (this.#byDensity.delete(oracle)) {
      this.#bytes -= bytes
      this.track(oracle)
    }
    if (this.oracles.has(oracle.key)) this.oracles.set(oracleRank(oracle), oracle, now)
  }

  /** Removes an oracle with everything that hangs on it. */
  removeOracle(oracle: OracleEntry, changes: Changes): void {
    this.oracles.delete(oracle.key)
    this.byScore.delete(scoreKey(oracle))
    this.untrack(oracle)
    for (const [, capability] of [...oracle.capabilities.strongestFirst()])
      this.removeCapability(capability, changes, false)
    for (const [, report] of [...oracle.reports.strongestFirst()]) this.removeReport(report, changes, false)
    changes.removed.push({ kind: 'oracle', key: oracle.key })
  }

  /** Removes a capability and its offers; `reindex` updates the oracle's strength. */
  removeCapability(capability: CapabilityEntry, changes: Changes, reindex = true): void {
    const oracle = this.oracles.get(capability.oracle)
    oracle?.capabilities.delete(capability.key)
    this.capabilities.delete(capability.key)
    this.untrack(capability)
    if (oracle && reindex) {
      this.reindexOracle(oracle, this.now(), () => {
        oracle.strength -= capability.work
      })
    }
    const offers = this.offersByCapability.get(capability.key)
    if (offers) for (const [, offer] of [...offers.strongestFirst()]) this.removeOffer(offer, changes)
    this.offersByCapability.delete(capability.key)
    changes.removed.push({ kind: 'capability', key: capability.key })
  }

  removeReport(report: ReportEntry, changes: Changes, reindex = true): void {
    const oracle = this.oracles.get(report.oracle)
    oracle?.reports.delete(report.id)
    this.reports.delete(report.id)
    this.untrack(report)
    if (oracle && reindex && report.counts) {
      this.reindexOracle(oracle, this.now(), () => {
        oracle.penalty -= report.work
      })
    }
    changes.removed.push({ kind: 'report', key: report.id })
    const reports = report.commitment === undefined ? undefined : oracle?.commitments?.get(report.commitment)
    if (!reports?.delete(report)) return
    if (reports.size === 0) oracle!.commitments!.delete(report.commitment!)
    // The next report on the commitment counts in its place.
    else if (reindex) this.recountCommitment(oracle!, report.commitment!, this.now(), changes)
  }

  removeOffer(offer: OfferEntry, changes: Changes): void {
    this.offers.delete(offer.key)
    this.offersByCapability.get(offer.capability)?.delete(offer.key)
    this.untrack(offer)
    changes.removed.push({ kind: 'offer', key: offer.key })
  }

  /** Removes entries evicted from a pool, with their dependants. */
  removeEvicted(evicted: [Rank, Entry][], changes: Changes): void {
    for (const [, entry] of evicted) this.removeEntry(entry, changes)
  }

  removeEntry(entry: Entry, changes: Changes): void {
    switch (entry.kind) {
      case 'oracle':
        this.removeOracle(entry, changes)
        return
      case 'capability':
        this.removeCapability(entry, changes)
        return
      case 'report':
        this.removeReport(entry, changes)
        return
      case 'offer':
        this.removeOffer(entry, changes)
        return
    }
  }

  /**
   * Evicts the entries with the least work per byte until the byte budget holds, raising the
   * floor of the pool each comes from. Returns false when `added` itself had to go.
   */
  enforceByteBudget(added: Entry | undefined, now: number, changes: Changes): boolean {
    let kept = true
    while (this.#bytes > this.options.maxBytes) {
      const entry = this.#byDensity.minKey()
      if (!entry) break
      if (entry === added) kept = false
      this.poolOf(entry)?.floor.raise(workBits(entry.kind === 'oracle' ? entry.strength : entry.work), now)
      this.removeEntry(entry, changes)
    }
    return kept
  }

  /** The bounded pool an entry is ranked in. */
  poolOf(entry: Entry): BoundedPool<Entry> | undefined {
    switch (entry.kind) {
      case 'oracle':
        return this.oracles as BoundedPool<Entry>
      case 'capability':
        return this.oracles.get(entry.oracle)?.capabilities as BoundedPool<Entry> | undefined
      case 'report':
        return this.oracles.get(entry.oracle)?.reports as BoundedPool<Entry> | undefined
      case 'offer':
        return this.offers as BoundedPool<Entry>
    }
  }

  #count(admission: Admission, input: unknown): void {
    this.countsByKind[admission.kind ?? claimedKind(input)][admission.status]++
    this.#increment(counterKey('status', admission.status))
    if (admission.reason) this.#increment(counterKey('reason', admission.reason.code))
  }

  #increment(key: string): void {
    this.counters.set(key, (this.counters.get(key) ?? 0) + 1)
  }
}

/**
 * An admission's context whose id and size are computed on first use: they cost a
 * canonicalization and a hash, which a flood of too-weak messages never reaches. A class, so
 * the getters live on the prototype instead of being built for every message.
 */
class LazyIdentity implements AdmitContext {
  readonly pool: Mempool
  readonly now: number
  readonly changes: Changes
  readonly #message: Message
  #id: string | undefined
  #bytes = 0
  #canonical = ''

  constructor(pool: Mempool, now: number, changes: Changes, message: Message) {
    this.pool = pool
    this.now = now
    this.changes = changes
    this.#message = message
  }

  get id(): string {
    if (this.#id === undefined) this.#identify()
    return this.#id!
  }

  get bytes(): number {
    if (this.#id === undefined) this.#identify()
    return this.#bytes
  }

  get canonical(): string {
    if (this.#id === undefined) this.#identify()
    return this.#canonical
  }

  #identify(): void {
    const canonical = canonicalize(withoutProofs(this.#message))
    this.#id = idOfCanonical(canonical)
    this.#bytes = canonicalSize(canonical, this.#message)
    this.#canonical = canonical
  }
}

function statusCounts(): Record<AdmissionStatus, number> {
  return { added: 0, updated: 0, duplicate: 0, 'low-pow': 0, invalid: 0, skipped: 0 }
}

/** The pool kind a refused input names, if it names one (its schema may be broken). */
function claimedKind(input: unknown): PoolKind | 'other' {
  const kind = (input as { kind?: unknown } | null | undefined)?.kind
  return typeof kind === 'string' && (POOL_KINDS as readonly string[]).includes(kind)
    ? (kind as PoolKind)
    : 'other'
}

/** Counter keys (`status:added`, `reason:POW_INVALID`…), built once each: counting runs per message. */
const counterKeys = { status: new Map<string, string>(), reason: new Map<string, string>() }
function counterKey(group: keyof typeof counterKeys, name: string): string {
  let key = counterKeys[group].get(name)
  if (key === undefined) {
    key = `${group}:${name}`
    counterKeys[group].set(name, key)
  }
  return key
}

/** Rank of an oracle in the oracle pool: verified bid, then identity strength. */
export function oracleRank(oracle: OracleEntry): Rank {
  return { tier: oracle.bid, work: oracle.strength, id: oracle.key }
}

/** Rank of a capability or offer: its own work. */
export function workRank(entry: { work: bigint }, id: string): Rank {
  return { tier: 0n, work: entry.work, id }
}

/**
 * Rank of a report in its oracle's report pool: the reports that count against the oracle
 * first, then work. Otherwise a cheater could file reports about itself that no policy counts,
 * each with a little more work, until the pool's limit evicts the verified ones (docs/sybil.md).
 * Disputed reports come next: a dispute clears every report on its commitment, so evicting it
 * by a flood of reports that never count would bring the others' penalty back.
 */
export function reportRank(report: { work: bigint; counts: boolean; dispute?: unknown }, id: string): Rank {
  return { tier: report.counts ? 2n : report.dispute ? 1n : 0n, work: report.work, id }
}

export function scoreKey(oracle: OracleEntry): [bigint, string] {
  return [-scoreOf(oracle), oracle.key]
}

function compareScoreKeys(a: [bigint, string], b: [bigint, string]): number {
  if (a[0] !== b[0]) return a[0] < b[0] ? -1 : 1
  return a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0
}

/** log2 of an entry's work per byte: what the byte budget evicts first is the lowest. */
function densityOf(entry: Entry): number {
  const work = entry.kind === 'oracle' ? entry.strength : entry.work
  return workBits(work) - Math.log2(entry.bytes)
}

/**
 * Orders entries by the density they were filed with, then kind, then key (reports: id), the
 * order of the former `kind:key` text keys (no kind name is a prefix of another).
 */
function compareDensities(a: Entry, b: Entry): number {
  if (a.density !== b.density) return a.density - b.density
  if (a.kind !== b.kind) return a.kind < b.kind ? -1 : 1
  const x = entryKey(a)
  const y = entryKey(b)
  return x < y ? -1 : x > y ? 1 : 0
}

/** Orders offers by expiry (a held offer's never changes), then key. */
function compareExpiries(a: OfferEntry, b: OfferEntry): number {
  const x = a.message.terms.expires
  const y = b.message.terms.expires
  if (x !== y) return x - y
  return a.key < b.key ? -1 : a.key > b.key ? 1 : 0
}

/** The reason of a protocol error, for an admission outcome. */
export function reasonOf(error: ProtocolError): AdmissionReason {
  const path = error.details.path
  return { code: error.code, message: error.message, ...(typeof path === 'string' && { path }) }
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
