/**
 * What the mempool stores: each message with the facts admission established about it
 * (id, size, work, verdict), so queries and eviction never re-verify anything.
 *
 * An entry keeps its message packed (packed.ts) and rebuilds it when read: views, sync and
 * the store read a few entries at a time, while the pools hold up to a million of them.
 */
import type {
  Dispute,
  EvidenceVerdict,
  Offer,
  OracleCapability,
  OracleId,
  Report,
} from '../protocol/index.ts'
import type { PoolReader } from './bounded-pool.ts'
import { orderOfBigint, orderOfText } from './orders.ts'
import {
  packCanonical,
  packedCanonicalText,
  packedSignature,
  packedSignatureIs,
  packMessage,
  unpackMessage,
} from './packed.ts'

/** Messages a pool keeps for reuse, at most. */
const RECENT_MAX = 1024

/**
 * Messages read or admitted last, by entry: what was just admitted is read at once (the store,
 * events, gossip), and a page of views or a sync fetch reads the same entries again. Bounded;
 * the oldest goes first. One per mempool, handed to each entry it makes: the reads of one pool
 * never push out another's messages, and a pool dropped is not kept alive by its entries here.
 */
export class RecentMessages {
  readonly #messages = new Map<object, unknown>()

  get size(): number {
    return this.#messages.size
  }

  get(entry: object): unknown {
    return this.#messages.get(entry)
  }

  /** Keeps `message` as the one of `entry` read last. */
  remember(entry: object, message: unknown): void {
    const messages = this.#messages
    // Deleted first, so the entry moves to the newest end of the map's order.
    if (!messages.delete(entry) && messages.size >= RECENT_MAX) messages.delete(messages.keys().next().value!)
    messages.set(entry, message)
  }

  /** Forgets every message kept: the next read of each entry rebuilds it. */
  clear(): void {
    this.#messages.clear()
  }
}

/** What admission established about a message, common to every kind. */
interface Facts<M> {
  /** Message id (hex SHA-256 of its canonical bytes without proofs). */
  id: string
  message: M
  /** Size counted against the byte budget. */
  bytes: number
  /** PoW bits claimed (and verified). */
  bits: number
  /** 2^bits. */
  work: bigint
  /** Unix seconds when this node took it. */
  receivedAt: number
  /**
   * `JCS(message)` without `signature` and `pow`, when admission serialized it for the id: the
   * entry packs the message from it instead of serializing it again.
   */
  canonical?: string
}

// Fields cost 8 bytes per entry each: what is the same for every entry of a class (its kind)
// is a getter on the prototype.
class HeldEntry<M extends object> {
  id: string
  bytes: number
  bits: number
  work: bigint
  receivedAt: number
  /**
   * log2 of work per byte when the mempool filed the entry for its byte budget: the entry is
   * its own key there, so it is filed without a key object.
   */
  density = 0
  #packed = ''
  /** Its mempool's cache, where its message stays after a read (one pointer per entry). */
  readonly #recent: RecentMessages

  constructor(input: Facts<M>, recent: RecentMessages) {
    this.#recent = recent
    this.id = input.id
    this.bytes = input.bytes
    this.bits = input.bits
    this.work = input.work
    this.receivedAt = input.receivedAt
  }

  /** The message as admitted, rebuilt from its packed form (the same bytes, a new object). */
  get message(): M {
    let message = this.#recent.get(this) as M | undefined
    if (message === undefined) {
      message = unpackMessage<M>(this.#packed, this.refs())
      this.#recent.remember(this, message)
    }
    return message
  }

  set message(message: M) {
    this.keep(message, undefined)
  }

  /** Packs `message` (from its canonical text when given) and keeps it as read last. */
  protected keep(message: M, canonical: string | undefined): void {
    this.#packed =
      canonical === undefined
        ? packMessage(message, this.refs())
        : packCanonical(canonical, message as { pow?: unknown; signature?: unknown }, this.refs())
    this.#recent.remember(this, message)
  }

  /** The message's top-level signature, read without rebuilding the message. */
  get signature(): string | undefined {
    return packedSignature(this.#packed, this.refs())
  }

  /** Whether `signature` is the message's top-level signature, compared on the packed bytes. */
  hasSignature(signature: unknown): boolean {
    return packedSignatureIs(this.#packed, this.refs(), signature)
  }

  /**
   * The message's canonical text, `JCS(message)`, read from its packed form without rebuilding
   * the message (nor keeping it as read last): what sync serves of the entry.
   */
  get canonicalText(): string {
    return packedCanonicalText(this.#packed, this.refs())
  }

  /** The strings the entry keeps that its message repeats: packed as references. */
  protected refs(): readonly string[] {
    return []
  }
}

/**
 * A held oracle ad. Its child pools are the mempool's shared empty pools until its first
 * capability or report: most oracles never get one.
 */
export class OracleEntry extends HeldEntry<OracleId> {
  get kind(): 'oracle' {
    return 'oracle'
  }

  key: string
  /** The ad's scheme and seqNo, read by admission without rebuilding the ad. */
  scheme: OracleId['scheme']
  seqNo: number
  /** Verified bid amount (0 without a bid verifier). */
  bid: bigint
  capabilities: PoolReader<CapabilityEntry>
  reports: PoolReader<ReportEntry>
  /** work(ad) + Σ work(capabilities), kept up to date incrementally. */
  strength: bigint
  /** Σ work(reports that count), kept up to date incrementally. */
  penalty = 0n
  /**
   * Its fact-missing reports by commitment key (see {@link ReportEntry.commitment}); made on
   * the first such report, since most oracles never get one.
   */
  commitments: Map<string, Set<ReportEntry>> | undefined = undefined
  /**
   * Its key in the mempool's ranking by score (ranks.ts' `FiledScoreKey`): the score it was
   * filed under, negated, and the orders of that score and of its key. The ranking holds the
   * entry itself, so these change only by {@link fileScore}, while it is out of the ranking.
   */
  negatedScore = 0n
  scoreOrder = 0
  readonly keyOrder: number

  constructor(
    input: OracleInput,
    recent: RecentMessages,
    capabilities: PoolReader<CapabilityEntry>,
    reports: PoolReader<ReportEntry>,
  ) {
    super(input, recent)
    this.key = input.key
    this.scheme = input.message.scheme
    this.seqNo = input.message.seqNo
    this.bid = input.bid
    this.capabilities = capabilities
    this.reports = reports
    this.strength = input.work
    this.keyOrder = orderOfText(this.key)
    this.keep(input.message, input.canonical)
  }

  /** Takes its current score as the one it is filed under in the ranking by score. */
  fileScore(): void {
    this.negatedScore = -scoreOf(this)
    this.scoreOrder = orderOfBigint(this.negatedScore)
  }

  /** Takes a newer ad of the same key (its id, work, size, bid and message). */
  replaceAd(input: OracleInput): void {
    this.id = input.id
    this.bits = input.bits
    this.work = input.work
    this.bytes = input.bytes
    this.bid = input.bid
    this.scheme = input.message.scheme
    this.seqNo = input.message.seqNo
    this.keep(input.message, input.canonical)
  }

  protected override refs(): readonly string[] {
    return [this.key]
  }
}

export class CapabilityEntry extends HeldEntry<OracleCapability> {
  get kind(): 'capability' {
    return 'capability'
  }

  key: string
  oracle: string
  seqNo: number
  /** What its offers' terms are checked against, read by admission without rebuilding the capability. */
  offerRules: OfferRules

  /** `oracle`: the held oracle's key, kept once for the oracle and all its capabilities. */
  constructor(input: CapabilityInput, recent: RecentMessages, oracle: string) {
    super(input, recent)
    this.key = input.key
    this.oracle = oracle
    const { seqNo, attestation, digits, answers, params } = input.message
    this.seqNo = seqNo
    this.offerRules = { attestation, digits, answers, params }
    this.keep(input.message, input.canonical)
  }

  protected override refs(): readonly string[] {
    return [this.key, this.oracle]
  }
}

export class ReportEntry extends HeldEntry<Report> {
  get kind(): 'report' {
    return 'report'
  }

  oracle: string
  verdict: EvidenceVerdict
  /** The oracle's answer to a fact-missing report; once set, the report stops counting. */
  dispute: Dispute | undefined
  /** Whether the report counts against the oracle's score under the node's policy. */
  counts: boolean
  /**
   * For a fact-missing report: the id of the commitment it accuses (docs/protocol.md §8). The
   * reports on one commitment make one penalty, and one dispute clears them all.
   */
  commitment: string | undefined

  /** `oracle`: the held oracle's key, kept once for the oracle and all its reports. */
  constructor(input: ReportInput, recent: RecentMessages, oracle: string) {
    super(input, recent)
    this.oracle = oracle
    this.verdict = input.verdict
    this.dispute = input.dispute
    this.counts = input.counts
    this.commitment = input.commitment
    this.keep(input.message, input.canonical)
  }

  protected override refs(): readonly string[] {
    return [this.oracle]
  }
}

export class OfferEntry extends HeldEntry<Offer> {
  get kind(): 'offer' {
    return 'offer'
  }

  /** Offer key: the same through all stages. */
  key: string
  capability: string
  seqNo: number
  /** The offer's `terms.expires`: what the expiry index orders by, read without the message. */
  readonly expires: number
  /** {@link orderOfText} of its key: offers that expire in the same second are ordered by it first. */
  readonly keyOrder: number

  /** `capability`: the held capability's key, kept once for it and all its offers. */
  constructor(input: OfferInput, recent: RecentMessages, capability: string) {
    super(input, recent)
    this.key = input.key
    this.capability = capability
    this.seqNo = input.message.seqNo
    this.expires = input.message.terms.expires
    this.keyOrder = orderOfText(this.key)
    this.keep(input.message, input.canonical)
  }

  protected override refs(): readonly string[] {
    return [this.capability]
  }
}

/** The parts of a capability an offer's terms must fit (the offer rule's `checkTerms`). */
export type OfferRules = Pick<OracleCapability, 'attestation' | 'digits' | 'answers' | 'params'>

export type Entry = OracleEntry | CapabilityEntry | ReportEntry | OfferEntry

/** An oracle's score: strength minus the work of the reports that count. */
export function scoreOf(oracle: OracleEntry): bigint {
  return oracle.strength - oracle.penalty
}

type OracleInput = Facts<OracleId> & { kind: 'oracle'; key: string; bid: bigint }
type CapabilityInput = Facts<OracleCapability> & { kind: 'capability'; key: string; oracle: string }
type ReportInput = Facts<Report> & {
  kind: 'report'
  oracle: string
  verdict: EvidenceVerdict
  dispute?: Dispute
  counts: boolean
  commitment?: string
}
type OfferInput = Facts<Offer> & { kind: 'offer'; key: string; capability: string }

/**
 * An entry as admission (or a snapshot) hands it to the mempool: what is known of the message.
 * The mempool derives the rest: density for the byte budget; for an oracle its pools, strength,
 * penalty and commitments (kept from the held entry when the ad replaces one).
 */
export type EntryInput = OracleInput | CapabilityInput | ReportInput | OfferInput

/** Key of an entry in the store and in `Changes` (a report's is its id). */
export function entryKey(entry: Entry | EntryInput): string {
  return entry.kind === 'report' ? entry.id : entry.key
}
