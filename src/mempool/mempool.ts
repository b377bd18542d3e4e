/**
 * The mempool: bounded pools of oracle ads, capabilities, reports and offers, with admission
 * in the order of design §5 (cheapest checks first) and eviction of the least work in
 * O(log n). It knows nothing of sockets or disks: it returns each admission's outcome and the
 * entries it put or removed, and the node persists them, then tells clients and peers.
 *
 * Its state is its own: admission rules (admit.ts) read it through a {@link PoolView} and
 * return what to insert; only this class changes it ({@link Mempool.insert},
 * {@link Mempool.remove}, evictions, purges), so every index (ranks, scores, densities,
 * expiries, commitments) moves together. Readers (queries, sync, metrics, snapshots) get
 * read-only pools and maps.
 */

import {
  type Bid,
  type CanonicalTexts,
  canonicalize,
  canonicalSize,
  canonicalTexts,
  forgetSigningBytes,
  idOfCanonical,
  isProtocolError,
  type Offer,
  POOL_KINDS,
  type PoolKind,
  type ProtocolError,
  primeSigningBytes,
  type Validated,
} from '../protocol/index.ts'
import { type Admission, type AdmissionStatus, budgetExceeded, reasonOf } from './admission.ts'
import { type AdmitContext, decide } from './admit.ts'
import {
  BoundedPool,
  type BoundedPoolInit,
  hold,
  type PoolReader,
  type Rank,
  workBits,
} from './bounded-pool.ts'
import { countingReport } from './commitments.ts'
import {
  CapabilityEntry,
  type Entry,
  type EntryInput,
  entryKey,
  OfferEntry,
  OracleEntry,
  RecentMessages,
  ReportEntry,
  scoreOf,
} from './entries.ts'
import { defaultMempoolOptions, type MempoolOptions } from './options.ts'
import { OrderedSet } from './ordered-set.ts'
import { orderOfTimeAndText } from './orders.ts'
import type { PoolMessage, PoolView } from './pool-view.ts'
import {
  compareFiledScoreKeys,
  type FiledScoreKey,
  fileScoreKey,
  oracleRank,
  orderOfFiledScoreKey,
  reportRank,
  type ScoreKey,
  scoreKey,
  workRank,
} from './ranks.ts'
import type { FloorRecords, FloorState } from './rolling-floor.ts'
import { VerifiedIds } from './verified-ids.ts'

export { entryKey } from './entries.ts'
export type { PoolMessage } from './pool-view.ts'

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

/** A kind the pools keep, or `other` for a refused value that names none. */
export type CountedKind = PoolKind | 'other'

/** Admission outcomes since start. */
export interface Outcomes {
  /** By kind and status; every pair from 0, so a scrape sees each series from the start. */
  readonly byKind: Readonly<Record<CountedKind, Readonly<Record<AdmissionStatus, number>>>>
  /** By reason code, for outcomes with a reason. */
  readonly byReason: ReadonlyMap<string, number>
}

export class Mempool implements PoolView {
  readonly options: MempoolOptions
  readonly now: () => number
  readonly bidVerifier: BidVerifier | undefined
  readonly random: () => number
  readonly #oracles: BoundedPool<OracleEntry>
  readonly #capabilities = new Map<string, CapabilityEntry>()
  readonly #reports = new Map<string, ReportEntry>()
  readonly #offers: BoundedPool<OfferEntry>
  readonly #offersByCapability = new Map<string, BoundedPool<OfferEntry>>()
  /** Oracles by score, highest first (key: {@link scoreKey}); each oracle is its own key. */
  readonly #byScore = new OrderedSet<FiledScoreKey>(compareFiledScoreKeys, orderOfFiledScoreKey)
  /**
   * Every entry by work per byte, lowest first: what the byte budget evicts. Built the first
   * time the entries exceed the budget, from the densities they were tracked with, and kept
   * from then on: a node under its budget never evicts by bytes, and would pay an insert and a
   * delete in a set of every entry for each change.
   */
  #byDensity: OrderedSet<Entry> | undefined
  /** Offers by expiry, soonest first: what {@link purgeExpired} removes. */
  readonly #byExpiry = new OrderedSet<OfferEntry>(compareExpiries, orderOfExpiry)
  /** `expires` of the soonest offer held (or earlier): below it, there is nothing to purge. */
  #soonestExpiry = Number.POSITIVE_INFINITY
  #bytes = 0
  /** Inserts and removals so far: readers that cache a view of the pools compare it. */
  #version = 0
  readonly #poolInits = new Map<number, BoundedPoolInit>()
  /**
   * The child pools of every oracle that has no capability (no report): empty, never written
   * to. An oracle gets a pool of its own on its first child (or a restored floor).
   */
  readonly #noCapabilities: BoundedPool<CapabilityEntry>
  readonly #noReports: BoundedPool<ReportEntry>
  /** Outcomes by kind and status: one increment per admission, no key built. */
  readonly #byKind: Record<CountedKind, Record<AdmissionStatus, number>> = {
    oracle: statusCounts(),
    capability: statusCounts(),
    report: statusCounts(),
    dispute: statusCounts(),
    offer: statusCounts(),
    other: statusCounts(),
  }
  readonly #byReason = new Map<string, number>()
  /**
   * The messages its entries rebuilt or took last, kept for the next read (entries.ts); its
   * own, so one pool's reads never push out another's. `clear()` makes every next read rebuild.
   */
  readonly recentMessages = new RecentMessages()
  /** Messages whose signatures a signature thread already checked (sync): admission skips them once. */
  readonly verified = new VerifiedIds()

  constructor(options: Partial<MempoolOptions> = {}, components: MempoolComponents = {}) {
    this.options = { ...defaultMempoolOptions, ...options }
    this.now = components.now ?? (() => Date.now() / 1000)
    this.random = components.random ?? Math.random
    this.bidVerifier = components.bidVerifier
    this.#oracles = new BoundedPool(this.#poolInit(this.options.maxOracles))
    this.#offers = new BoundedPool(this.#poolInit(this.options.maxOffers))
    this.#noCapabilities = new BoundedPool(this.#poolInit(this.options.maxCapabilitiesPerOracle))
    this.#noReports = new BoundedPool(this.#poolInit(this.options.maxReportsPerOracle))
  }

  // ---- reading -------------------------------------------------------------------------------

  /** The oracles, ranked by verified bid then identity strength. */
  get oracles(): PoolReader<OracleEntry> {
    return this.#oracles
  }

  /** Capabilities by capability key. */
  get capabilities(): ReadonlyMap<string, CapabilityEntry> {
    return this.#capabilities
  }

  /** Reports by id. */
  get reports(): ReadonlyMap<string, ReportEntry> {
    return this.#reports
  }

  /** Offers by offer key, ranked by work. */
  get offers(): PoolReader<OfferEntry> {
    return this.#offers
  }

  /** Each capability's offers, by capability key. */
  get offersByCapability(): ReadonlyMap<string, PoolReader<OfferEntry>> {
    return this.#offersByCapability
  }

  /** Oracles by score, highest first, from `from` (a {@link scoreKey}) on. */
  *byScore(from?: ScoreKey): IterableIterator<[ScoreKey, OracleEntry]> {
    // Every key filed is an oracle (keys made from `from` only seek).
    for (const filed of this.#byScore.ascending(from && fileScoreKey(from)))
      yield [[filed.negatedScore, filed.key], filed as OracleEntry]
  }

  /** Every entry held: oracles, capabilities, reports, offers. */
  *entries(): IterableIterator<Entry> {
    for (const [, oracle] of this.#oracles.strongestFirst()) yield oracle
    yield* this.#capabilities.values()
    yield* this.#reports.values()
    for (const [, offer] of this.#offers.strongestFirst()) yield offer
  }

  /** Entries held, of every kind. */
  get size(): number {
    return this.#oracles.size + this.#capabilities.size + this.#reports.size + this.#offers.size
  }

  /** Bytes of all entries held. */
  get bytes(): number {
    return this.#bytes
  }

  /** Grows with every insert and removal: a reader's cached view is current while it is unchanged. */
  get version(): number {
    return this.#version
  }

  /** Admission outcomes since start (read-only views of live counts). */
  get outcomes(): Outcomes {
    return { byKind: this.#byKind, byReason: this.#byReason }
  }

  /** Outcomes with `status` since start, of every kind. */
  countOf(status: AdmissionStatus): number {
    let count = 0
    for (const statuses of Object.values(this.#byKind)) count += statuses[status]
    return count
  }

  /** Every pool's floor, by pool name, to persist with the entries. */
  floors(): FloorRecords {
    const floors: FloorRecords = { oracles: this.#oracles.floor.state(), offers: this.#offers.floor.state() }
    for (const [, oracle] of this.#oracles.strongestFirst()) {
      floors[`capabilities:${oracle.key}`] = oracle.capabilities.floor.state()
      floors[`reports:${oracle.key}`] = oracle.reports.floor.state()
    }
    for (const [capability, offers] of this.#offersByCapability)
      floors[`offers:${capability}`] = offers.floor.state()
    return floors
  }

  /** Verified bid amount of an oracle ad. */
  bidOf(message: { bid?: Bid | undefined; pubkey: string }): bigint {
    return message.bid && this.bidVerifier ? this.bidVerifier.verify(message.bid, message.pubkey) : 0n
  }

  /**
   * Whether an offer has expired on this node's clock: past `expires` by more than the
   * tolerated skew. The one rule for refusing (`EXPIRED`), purging and syncing offers.
   */
  isExpired(offer: Offer | OfferEntry, now: number): boolean {
    const expires = offer instanceof OfferEntry ? offer.expires : offer.terms.expires
    return expires + this.options.clockSkewSeconds < now
  }

  /** Returns true when `key` (hex) belongs to this node's shard. */
  inShard(key: string): boolean {
    const { index, count } = this.options.shard
    return count <= 1 || Number(BigInt(`0x${key}`) % BigInt(count)) === index
  }

  // ---- admission -----------------------------------------------------------------------------

  /**
   * Admits one validated message: the rule of its kind decides, then the pools take what it
   * decided (evicting what no longer fits). Never throws for bad input: every problem is an
   * `invalid` outcome with a reason.
   */
  admit(message: Validated<PoolMessage>): AdmitResult {
    const changes: Changes = { put: [], removed: [] }
    const now = this.now()
    // Expired offers go first, so no answer (nor any persisted state) ever rests on one.
    if (this.#soonestExpiry + this.options.clockSkewSeconds < now) this.purgeExpired(now, changes)
    let admission: Admission
    try {
      const decision = decide(new LazyIdentity(this, now, message), message)
      admission = decision.admission
      if (decision.insert) {
        const entry = this.#insert(decision.insert, now, changes, undefined, decision.parent)
        changes.put.push(entry)
        if (!this.#enforceByteBudget(entry, now, changes)) admission = budgetExceeded(entry.kind, entry.id)
      }
    } catch (error) {
      if (!isProtocolError(error)) throw error
      admission = { status: 'invalid', reason: reasonOf(error) }
    } finally {
      // The pool keeps the message, and must not keep its signed bytes with it.
      forgetSigningBytes(message)
    }
    this.#count(admission, admission.kind ?? message.kind)
    return { admission, changes }
  }

  /**
   * Counts an outcome decided before admission: a value the validator refused where it came
   * in (a fetched page's), so the outcome counts tell every refusal. Returns the outcome.
   */
  refuse(value: unknown, error: ProtocolError): Admission {
    const admission: Admission = { status: 'invalid', reason: reasonOf(error) }
    this.#count(admission, claimedKind(value))
    return admission
  }

  // ---- changing the pools --------------------------------------------------------------------

  /**
   * Inserts an entry, or replaces the held entry of its key (a report's: its id) with it; the
   * pools it enters may evict others (into `changes.removed`), and reports whose counting it
   * changes go to `changes.put`. The byte budget is the caller's ({@link admit} enforces it
   * after each insert, {@link restore} once at the end).
   */
  insert(input: EntryInput, changes: Changes = { put: [], removed: [] }): Entry {
    return this.#insert(input, this.now(), changes)
  }

  /** Removes an entry with everything that hangs on it (an oracle's capabilities and reports, a capability's offers). */
  remove(entry: Entry, changes: Changes = { put: [], removed: [] }): Changes {
    this.#remove(entry, changes)
    return changes
  }

  /**
   * Removes the offers that expired by `now` (with their bytes), into `changes` for the store.
   * Costs one comparison when none did: admission calls it first, the node on a timer.
   */
  purgeExpired(now = this.now(), changes: Changes = { put: [], removed: [] }): Changes {
    if (this.#soonestExpiry + this.options.clockSkewSeconds >= now) return changes
    for (;;) {
      const offer = this.#byExpiry.first()
      this.#soonestExpiry = offer?.expires ?? Number.POSITIVE_INFINITY
      if (!offer) break
      if (!this.isExpired(offer, now)) break
      this.#removeOffer(offer, changes)
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
    const held = this.#oracles.get(oracle)
    if (!held?.message.bid || bidKey(held.message.bid, oracle) !== bidKey(bid, oracle)) return changes
    const amount = this.bidOf(held.message)
    if (amount === held.bid) return changes
    this.#reindexOracle(held, () => {
      held.bid = amount
    })
    changes.put.push(held)
    return changes
  }

  /**
   * Rebuilds the pools from a snapshot (into an empty mempool): every entry through
   * {@link insert}, parents first, under the floors it was taken with. Limits may have shrunk
   * since: what no longer fits is evicted as at admission. Entries whose parent is missing,
   * and what is evicted, are in the returned `removed`, so the store can delete them.
   */
  restore(inputs: Iterable<EntryInput>, floors: FloorRecords): Changes {
    const changes: Changes = { put: [], removed: [] }
    // What the restore recounts is already stored as it was; only removals are news.
    const restoring: Changes = { put: [], removed: changes.removed }
    const byKind: Record<Entry['kind'], EntryInput[]> = { oracle: [], capability: [], report: [], offer: [] }
    for (const input of inputs) byKind[input.kind].push(input)
    const now = this.now()
    if (floors.oracles) this.#oracles.floor.restore(floors.oracles)
    if (floors.offers) this.#offers.floor.restore(floors.offers)
    for (const kind of ['oracle', 'capability', 'report', 'offer'] as const) {
      for (const input of byKind[kind]) {
        if (this.#parentOf(input) === null) changes.removed.push({ kind, key: entryKey(input) })
        else this.#insert(input, now, restoring, floors)
      }
    }
    // Offers that expired while the node was down go, as they would have had it run.
    this.purgeExpired(now, changes)
    // A capability's offer pool emptied by evictions still has its raised floor.
    for (const [name, state] of Object.entries(floors)) {
      const capability = name.startsWith('offers:') ? name.slice('offers:'.length) : undefined
      if (capability && this.#capabilities.has(capability)) this.#offerPoolOf(capability, state)
    }
    this.#enforceByteBudget(undefined, now, changes)
    return changes
  }

  // ---- the one place the pools change ------------------------------------------------------

  /** The held parent an entry hangs on: undefined for an oracle, null when missing. */
  #parentOf(input: EntryInput): OracleEntry | CapabilityEntry | null | undefined {
    switch (input.kind) {
      case 'oracle':
        return undefined
      case 'capability':
      case 'report':
        return this.#oracles.get(input.oracle) ?? null
      case 'offer':
        return this.#capabilities.get(input.capability) ?? null
    }
  }

  /** `parent`: the held entry `input` hangs on, when the caller found it (else it is looked up). */
  #insert(
    input: EntryInput,
    now: number,
    changes: Changes,
    floors?: FloorRecords,
    parent?: OracleEntry | CapabilityEntry,
  ): Entry {
    this.#version++
    switch (input.kind) {
      case 'oracle':
        return this.#insertOracle(input, now, changes, floors)
      case 'capability':
        return this.#insertCapability(input, now, changes, this.#heldOracle(input.oracle, parent))
      case 'report':
        return this.#insertReport(input, now, changes, this.#heldOracle(input.oracle, parent))
      case 'offer':
        return this.#insertOffer(input, now, changes, floors, this.#heldCapability(input.capability, parent))
    }
  }

  /** The held oracle of key `key`: `parent` when it is that oracle. */
  #heldOracle(key: string, parent: OracleEntry | CapabilityEntry | undefined): OracleEntry {
    return parent?.kind === 'oracle' && parent.key === key ? parent : this.#oracles.get(key)!
  }

  /** The held capability of key `key`, if any: `parent` when it is that capability. */
  #heldCapability(
    key: string,
    parent: OracleEntry | CapabilityEntry | undefined,
  ): CapabilityEntry | undefined {
    return parent?.kind === 'capability' && parent.key === key ? parent : this.#capabilities.get(key)
  }

  #insertOracle(
    input: Extract<EntryInput, { kind: 'oracle' }>,
    now: number,
    changes: Changes,
    floors: FloorRecords | undefined,
  ): OracleEntry {
    const held = this.#oracles.get(input.key)
    if (held) {
      // The ad changes; its capabilities, reports and their sums stay with the oracle.
      this.#reindexOracle(held, () => {
        held.strength += input.work - held.work
        held.replaceAd(input)
      })
      return held
    }
    const capabilities = floors?.[`capabilities:${input.key}`]
    const reports = floors?.[`reports:${input.key}`]
    const entry = new OracleEntry(
      input,
      this.recentMessages,
      capabilities?.bits ? this.#childPool(this.#noCapabilities, capabilities) : this.#noCapabilities,
      reports?.bits ? this.#childPool(this.#noReports, reports) : this.#noReports,
    )
    entry.fileScore()
    this.#byScore.add(entry)
    this.#track(entry)
    for (const [, evicted] of this.#oracles.set(oracleRank(entry), entry, now)) {
      this.#version++
      // The eviction took it out of the oracle pool already: no second lookup of its key.
      this.#removeOracle(evicted, changes, false)
    }
    return entry
  }

  #insertCapability(
    input: Extract<EntryInput, { kind: 'capability' }>,
    now: number,
    changes: Changes,
    oracle: OracleEntry,
  ): CapabilityEntry {
    const held = this.#capabilities.get(input.key)
    const entry = new CapabilityEntry(input, this.recentMessages, oracle.key)
    if (held) this.#untrack(held)
    this.#capabilities.set(entry.key, entry)
    this.#track(entry)
    this.#reindexOracle(oracle, () => {
      oracle.strength += entry.work - (held?.work ?? 0n)
    })
    const pool = this.#capabilityPool(oracle)
    this.#removeEvicted(pool.set(workRank(entry, entry.key), entry, now), changes)
    return entry
  }

  #insertReport(
    input: Extract<EntryInput, { kind: 'report' }>,
    now: number,
    changes: Changes,
    oracle: OracleEntry,
  ): ReportEntry {
    const held = this.#reports.get(input.id)
    const entry = new ReportEntry(input, this.recentMessages, oracle.key)
    if (held) this.#untrack(held)
    this.#reports.set(entry.id, entry)
    this.#track(entry)
    this.#reindexOracle(oracle, () => {
      oracle.penalty += (entry.counts ? entry.work : 0n) - (held?.counts ? held.work : 0n)
    })
    const evicted = this.#reportPool(oracle).set(reportRank(entry, entry.id), entry, now)
    if (entry.commitment !== undefined) this.#joinCommitment(oracle, entry, held, now, changes)
    this.#removeEvicted(evicted, changes)
    return entry
  }

  #insertOffer(
    input: Extract<EntryInput, { kind: 'offer' }>,
    now: number,
    changes: Changes,
    floors: FloorRecords | undefined,
    capability: CapabilityEntry | undefined,
  ): OfferEntry {
    const held = this.#offers.get(input.key)
    const entry = new OfferEntry(input, this.recentMessages, capability?.key ?? input.capability)
    if (held) this.#untrack(held)
    const perCapability = this.#offerPoolOf(entry.capability, floors?.[`offers:${entry.capability}`])
    this.#track(entry)
    // One held rank in both pools; what either evicts goes once both hold the offer.
    const rank = hold(workRank(entry, entry.key), entry)
    const evicted = this.#offers.set(rank, entry, now)
    const evictedHere = perCapability.set(rank, entry, now)
    this.#removeEvicted(evicted, changes)
    this.#removeEvicted(evictedHere, changes)
    return entry
  }

  /** An oracle's capability pool, its own from its first capability on. */
  #capabilityPool(oracle: OracleEntry): BoundedPool<CapabilityEntry> {
    if (oracle.capabilities === this.#noCapabilities)
      oracle.capabilities = this.#childPool(this.#noCapabilities)
    return oracle.capabilities as BoundedPool<CapabilityEntry>
  }

  /** An oracle's report pool, its own from its first report on. */
  #reportPool(oracle: OracleEntry): BoundedPool<ReportEntry> {
    if (oracle.reports === this.#noReports) oracle.reports = this.#childPool(this.#noReports)
    return oracle.reports as BoundedPool<ReportEntry>
  }

  /** A new child pool of the capacity of `empty`, with a restored floor. */
  #childPool<V>(empty: BoundedPool<V>, floor?: FloorState): BoundedPool<V> {
    return new BoundedPool<V>(this.#poolInit(empty.capacity), floor)
  }

  /** A capability's offer pool, made (with `floor`, when restored) on its first offer. */
  #offerPoolOf(capability: string, floor?: FloorState): BoundedPool<OfferEntry> {
    let offers = this.#offersByCapability.get(capability)
    if (!offers) {
      offers = new BoundedPool(this.#poolInit(this.options.maxOffersPerCapability), floor)
      this.#offersByCapability.set(capability, offers)
    }
    return offers
  }

  /**
   * Init of a bounded pool under this mempool's eviction options: one object per capacity,
   * shared by every pool of that capacity (each oracle has two pools).
   */
  #poolInit(capacity: number): BoundedPoolInit {
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

  /**
   * Adds an entry's bytes and density; the byte budget may then evict. An entry's density is
   * NaN once untracked (`#untrack`).
   */
  #track(entry: Entry): void {
    this.#bytes += entry.bytes
    entry.density = densityOf(entry)
    this.#byDensity?.add(entry)
    if (entry.kind === 'offer') {
      this.#byExpiry.add(entry)
      this.#soonestExpiry = Math.min(this.#soonestExpiry, entry.expires)
    }
  }

  #untrack(entry: Entry): void {
    if (entry.kind === 'offer') this.#byExpiry.delete(entry)
    if (Number.isNaN(entry.density)) return
    this.#byDensity?.delete(entry)
    this.#bytes -= entry.bytes
    entry.density = Number.NaN
  }

  /** {@link #byDensity}, built from every entry held on first use. */
  #densityIndex(): OrderedSet<Entry> {
    if (!this.#byDensity) {
      const index = new OrderedSet<Entry>(compareDensities, densityOrder)
      for (const entry of [...this.entries()].sort(compareDensities)) index.add(entry)
      this.#byDensity = index
    }
    return this.#byDensity
  }

  /**
   * Files a fact-missing report with the others on its commitment (replacing `held`, the copy
   * of the same id it updates), then recounts them: one of them counts at most.
   */
  #joinCommitment(
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
    this.#recountCommitment(oracle, key, now, changes)
  }

  /**
   * Sets which report on a commitment counts (none once one is disputed; else the most work,
   * then the lowest id), moving the others' rank and the oracle's penalty with it.
   */
  #recountCommitment(oracle: OracleEntry, key: string, now: number, changes: Changes): void {
    const reports = oracle.commitments?.get(key)
    if (!reports) return
    const counting = countingReport(reports)
    for (const report of reports) {
      const counts = report === counting
      if (report.counts === counts) continue
      report.counts = counts
      this.#reportPool(oracle).set(reportRank(report, report.id), report, now)
      this.#reindexOracle(oracle, () => {
        oracle.penalty += counts ? report.work : -report.work
      })
      changes.put.push(report)
    }
  }

  /** Re-ranks an oracle after its strength, penalty or bid changed (`change` mutates it). */
  #reindexOracle(oracle: OracleEntry, change: () => void): void {
    const { strength, bid, bytes } = oracle
    const score = scoreOf(oracle)
    change()
    // Most changes move the score; those that do not (a report that does not count) leave it
    // filed. It is found under the score it was filed with, which `change` does not touch.
    if (scoreOf(oracle) !== score && this.#byScore.delete(oracle)) {
      oracle.fileScore()
      this.#byScore.add(oracle)
    }
    // A report moves only the score; strength, bid and size move the rank and density too.
    if (oracle.strength === strength && oracle.bid === bid && oracle.bytes === bytes) return
    // Filed under the density it was tracked with, which `change` does not touch.
    if (!Number.isNaN(oracle.density)) {
      this.#byDensity?.delete(oracle)
      this.#bytes -= bytes
      this.#track(oracle)
    }
    this.#oracles.rerank(oracle.key, oracle.bid, oracle.strength)
  }

  #remove(entry: Entry, changes: Changes): void {
    this.#version++
    switch (entry.kind) {
      case 'oracle':
        this.#removeOracle(entry, changes)
        return
      case 'capability':
        this.#removeCapability(entry, changes)
        return
      case 'report':
        this.#removeReport(entry, changes)
        return
      case 'offer':
        this.#removeOffer(entry, changes)
        return
    }
  }

  /** Removes an oracle with everything that hangs on it (`pooled`: from the oracle pool too). */
  #removeOracle(oracle: OracleEntry, changes: Changes, pooled = true): void {
    if (pooled) this.#oracles.delete(oracle.key)
    this.#byScore.delete(oracle)
    this.#untrack(oracle)
    // Most oracles have neither: no walk (a generator and an array each) for those.
    if (oracle.capabilities.size > 0)
      for (const [, capability] of [...oracle.capabilities.strongestFirst()])
        this.#removeCapability(capability, changes, false)
    if (oracle.reports.size > 0)
      for (const [, report] of [...oracle.reports.strongestFirst()])
        this.#removeReport(report, changes, false)
    changes.removed.push({ kind: 'oracle', key: oracle.key })
  }

  /** Removes a capability and its offers; `reindex` updates the oracle's strength. */
  #removeCapability(capability: CapabilityEntry, changes: Changes, reindex = true): void {
    const oracle = this.#oracles.get(capability.oracle)
    // A held capability is in its oracle's own pool (never the shared empty one).
    const pool = oracle?.capabilities as BoundedPool<CapabilityEntry> | undefined
    pool?.delete(capability.key)
    this.#capabilities.delete(capability.key)
    this.#untrack(capability)
    if (oracle && reindex) {
      this.#reindexOracle(oracle, () => {
        oracle.strength -= capability.work
      })
    }
    const offers = this.#offersByCapability.get(capability.key)
    if (offers) for (const [, offer] of [...offers.strongestFirst()]) this.#removeOffer(offer, changes)
    this.#offersByCapability.delete(capability.key)
    changes.removed.push({ kind: 'capability', key: capability.key })
  }

  #removeReport(report: ReportEntry, changes: Changes, reindex = true): void {
    const oracle = this.#oracles.get(report.oracle)
    // A held report is in its oracle's own pool (never the shared empty one).
    const pool = oracle?.reports as BoundedPool<ReportEntry> | undefined
    pool?.delete(report.id)
    this.#reports.delete(report.id)
    this.#untrack(report)
    if (oracle && reindex && report.counts) {
      this.#reindexOracle(oracle, () => {
        oracle.penalty -= report.work
      })
    }
    changes.removed.push({ kind: 'report', key: report.id })
    const reports = report.commitment === undefined ? undefined : oracle?.commitments?.get(report.commitment)
    if (!reports?.delete(report)) return
    if (reports.size === 0) oracle!.commitments!.delete(report.commitment!)
    // The next report on the commitment counts in its place.
    else if (reindex) this.#recountCommitment(oracle!, report.commitment!, this.now(), changes)
  }

  #removeOffer(offer: OfferEntry, changes: Changes): void {
    this.#version++
    this.#offers.delete(offer.key)
    this.#offersByCapability.get(offer.capability)?.delete(offer.key)
    this.#untrack(offer)
    changes.removed.push({ kind: 'offer', key: offer.key })
  }

  /** Removes entries evicted from a pool, with their dependants. */
  #removeEvicted(evicted: readonly [Rank, Entry][], changes: Changes): void {
    for (const [, entry] of evicted) this.#remove(entry, changes)
  }

  /**
   * Evicts the entries with the least work per byte until the byte budget holds, raising the
   * floor of the pool each comes from. Returns false when `added` itself had to go.
   */
  #enforceByteBudget(added: Entry | undefined, now: number, changes: Changes): boolean {
    let kept = true
    while (this.#bytes > this.options.maxBytes) {
      const entry = this.#densityIndex().first()
      if (!entry) break
      if (entry === added) kept = false
      this.#poolOf(entry)?.floor.raise(workBits(entry.kind === 'oracle' ? entry.strength : entry.work), now)
      this.#remove(entry, changes)
    }
    return kept
  }

  /** The bounded pool an entry is ranked in. */
  #poolOf(entry: Entry): BoundedPool<Entry> | undefined {
    switch (entry.kind) {
      case 'oracle':
        return this.#oracles as BoundedPool<Entry>
      case 'capability':
        return this.#oracles.get(entry.oracle)?.capabilities as BoundedPool<Entry> | undefined
      case 'report':
        return this.#oracles.get(entry.oracle)?.reports as BoundedPool<Entry> | undefined
      case 'offer':
        return this.#offers as BoundedPool<Entry>
    }
  }

  #count(admission: Admission, kind: CountedKind): void {
    this.#byKind[kind][admission.status]++
    const code = admission.reason?.code
    if (code !== undefined) this.#byReason.set(code, (this.#byReason.get(code) ?? 0) + 1)
  }
}

/**
 * An admission's context whose id and size are computed on first use: they cost a
 * canonicalization and a hash, which a flood of too-weak messages never reaches. A class, so
 * the getters live on the prototype instead of being built for every message.
 */
class LazyIdentity implements AdmitContext {
  readonly pool: PoolView
  readonly now: number
  readonly #message: PoolMessage
  #id: string | undefined
  #bytes = 0
  #texts: CanonicalTexts | undefined

  constructor(pool: PoolView, now: number, message: PoolMessage) {
    this.pool = pool
    this.now = now
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
    return this.#texts!.withoutProofs
  }

  get signed(): string {
    if (this.#id === undefined) this.#identify()
    return this.#texts!.signed
  }

  get powBound(): string | undefined {
    // An ad's bound is three short members the PoW check joins itself: an ad refused for its
    // PoW costs no serialization nor id.
    if (this.#message.kind === 'oracle') return undefined
    if (this.#id === undefined) this.#identify()
    return this.#texts!.powBound
  }

  // One serialization for the id, the size, the PoW bound and the signed bytes.
  #identify(): void {
    const message = this.#message
    const texts = canonicalTexts(message)
    this.#id = idOfCanonical(texts.withoutProofs)
    this.#bytes = canonicalSize(texts.withoutProofs, message)
    this.#texts = texts
    // An offer's key hashes its signed bytes before anything else is checked.
    if (message.kind === 'offer') primeSigningBytes(message, texts.signed)
  }
}

function statusCounts(): Record<AdmissionStatus, number> {
  return { added: 0, updated: 0, duplicate: 0, 'low-pow': 0, invalid: 0, skipped: 0 }
}

/** The pool kind a refused value names, if it names one (its schema may be broken). */
function claimedKind(value: unknown): CountedKind {
  const kind = (value as { kind?: unknown } | null | undefined)?.kind
  return typeof kind === 'string' && (POOL_KINDS as readonly string[]).includes(kind)
    ? (kind as PoolKind)
    : 'other'
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

/** An entry's density, the number {@link compareDensities} orders by first. */
function densityOrder(entry: Entry): number {
  return entry.density
}

/** {@link compareExpiries} as one number (orders.ts), for the ordered set's searches. */
function orderOfExpiry(offer: OfferEntry): number {
  return orderOfTimeAndText(offer.expires, offer.keyOrder)
}

/** Orders offers by expiry (a held offer's never changes), then key (its order first). */
function compareExpiries(a: OfferEntry, b: OfferEntry): number {
  const x = a.expires
  const y = b.expires
  if (x !== y) return x - y
  if (a.keyOrder !== b.keyOrder) return a.keyOrder - b.keyOrder
  return a.key < b.key ? -1 : a.key > b.key ? 1 : 0
}
