/**
 * The trader: its store, its key and the nodes it talks to, with one method per thing a trader
 * does (collect and rank oracles, ask for facts, file and verify reports, publish, match,
 * accept and finalize offers). The pure rules live in the sibling modules; this is the edge
 * where they meet the network, the miner and the disk.
 */
import { backend } from '#crypto'
import { isFactNotReady, NodeClient, OracleEndpointClient } from '../client/index.ts'
import { type MiningProgress, mine } from '../miner/index.ts'
import {
  type Commitment,
  type Draft,
  type EvidenceVerdict,
  entityKey,
  type Fact,
  type FactRequest,
  LIMITS,
  type Offer,
  type OracleCapability,
  offerKey,
  powBoundOf,
  type Report,
  type ReportContent,
  requestKey,
  type Settlement,
  settleOffer,
  sign,
  utf8,
} from '../protocol/index.ts'
import { type Collected, collectOffers, collectOracle, collectOracles, eachNode } from './collect.ts'
import { collectConflicts } from './conflicts.ts'
import { detectInStore, knownFacts, type ReportProposal } from './detect.ts'
import { TraderError, TraderErrorCode } from './errors.ts'
import { endpointCall, endpointError, type NotYet, verifyDomains } from './facts.ts'
import { isKeyEncrypted, loadPlainTraderKey, loadTraderKey } from './keys.ts'
import { limitedFetch } from './limited-fetch.ts'
import { findMatches, type Match } from './matching.ts'
import {
  acceptOffer,
  finalizeOffer,
  type OfferInit,
  offerDraft,
  requestProblem,
  type TraderKey,
} from './offers.ts'
import { type OracleFilter, oracleFactsOf } from './oracle-facts.ts'
import { judgeReport, type OracleFacts, type Policy, type RankedOracle, rankOracles } from './policy.ts'
import { checkReportDraft, reportDraft, reportSubject } from './reports.ts'
import { unseal } from './seal.ts'
import { TraderStore } from './store.ts'

/**
 * Largest node response read: a page of 100 items of at most 64 KiB each, with room to spare.
 * Oracle endpoint responses are limited to a manifest's 1 MiB (`LIMITS.manifestBytes`).
 */
const NODE_RESPONSE_BYTES = 16 * 1024 * 1024

export interface TraderInit {
  /** The trader's data directory (store and key). */
  dataDir: string
  /** Node URLs: collected from, posted to. */
  nodes: readonly string[]
  /** Unix seconds. @default Date.now()/1000 */
  now?: () => number
  /** Mining threads. @default all cores */
  threads?: number
  fetch?: typeof globalThis.fetch
  /** Timeout of node and endpoint requests. @default 10_000 */
  timeoutMs?: number
  /**
   * Nodes that relay requests to oracle endpoints (`POST /relay/commitment`, `/relay/fact`),
   * so oracles see a node's address instead of the trader's. Each question goes to one of them,
   * always the same for the same question (see {@link relayFor}). @default none: ask oracles directly
   */
  via?: readonly string[]
  /**
   * Clock skew the nodes tolerate on deadlines, seconds: a `fact-missing` report is refused
   * (before any work is spent) until its deadline has passed by more than this.
   * @default DEFAULT_CLOCK_SKEW_SECONDS (300, the nodes' default)
   */
  clockSkewSeconds?: number
}

/** Options of work spent on a message. */
export interface WorkOptions {
  bits: number
  signal?: AbortSignal
  onProgress?: (progress: MiningProgress) => void
}

/** One node's answer to a post. */
export interface Posted {
  url: string
  status: number
  body: unknown
}

export { isNotYet, type NotYet } from './facts.ts'
export type { OracleFilter } from './oracle-facts.ts'

export class Trader {
  readonly store: TraderStore
  readonly nodes: NodeClient[]
  readonly dataDir: string
  readonly #now: () => number
  readonly #threads: number | undefined
  readonly #endpoint: { timeoutMs: number; fetch: typeof globalThis.fetch }
  readonly #via: readonly string[]
  readonly #clockSkewSeconds: number | undefined
  #key: TraderKey | undefined

  constructor(init: TraderInit) {
    this.dataDir = init.dataDir
    this.#now = init.now ?? (() => Math.floor(Date.now() / 1000))
    this.store = new TraderStore({ dataDir: init.dataDir, now: this.#now })
    const timeoutMs = init.timeoutMs ?? 10_000
    this.nodes = init.nodes.map(
      (url) => new NodeClient({ url, timeoutMs, fetch: limitedFetch(NODE_RESPONSE_BYTES, init.fetch) }),
    )
    this.#threads = init.threads
    this.#clockSkewSeconds = init.clockSkewSeconds
    this.#endpoint = { timeoutMs, fetch: limitedFetch(LIMITS.manifestBytes, init.fetch) }
    this.#via = (init.via ?? []).map((url) => url.replace(/\/+$/, ''))
  }

  /**
   * The trader's key: a plain key file is loaded on first use; an encrypted one must be
   * unlocked first ({@link unlock}). Throws `KEY_MISSING` or `KEY_LOCKED`.
   */
  get key(): TraderKey {
    this.#key ??= loadPlainTraderKey(this.dataDir)
    return this.#key
  }

  /** Decrypts an encrypted key file with `passphrase` (nothing to do for a plain one). */
  async unlock(passphrase: string | undefined): Promise<void> {
    if (this.#key || !isKeyEncrypted(this.dataDir)) return
    this.#key = await loadTraderKey(this.dataDir, passphrase)
  }

  now(): number {
    return this.#now()
  }

  close(): void {
    this.store.close()
  }

  // ── discovery and reputation ──────────────────────────────────────────────

  /**
   * Collects oracles (with capabilities and reports) from every node into the store. A node
   * that cannot be reached or answers nonsense is reported in `rejected` and the others are
   * still used; only when every node fails is its error thrown.
   */
  async collectOracles(filter: OracleFilter = {}, limit = 100): Promise<Collected> {
    const total: Collected = { stored: 0, rejected: [] }
    total.rejected.push(
      ...(await this.#eachNode(async (node) => {
        const result = await collectOracles(node, this.store, {
          ...(filter.tag !== undefined && { tag: filter.tag }),
          ...(filter.question !== undefined && { text: filter.question }),
          limit,
        })
        total.stored += result.stored
        total.rejected.push(...result.rejected)
      })),
    )
    return total
  }

  #eachNode(work: (node: NodeClient) => Promise<void>): Promise<Collected['rejected']> {
    return eachNode(this.nodes, work)
  }

  /** What the store knows of each oracle matching `filter`. */
  oracleFacts(filter: OracleFilter = {}): OracleFacts[] {
    return oracleFactsOf(this.store, filter)
  }

  /** Oracles matching `filter`, ranked under `policy`, from what the store holds. */
  rank(policy: Policy, filter: OracleFilter = {}): RankedOracle[] {
    return rankOracles(this.oracleFacts(filter), policy, this.#now())
  }

  // ── facts ─────────────────────────────────────────────────────────────────

  /** The latest ad of a capability: from the store, else collected from the nodes. Throws `NOT_FOUND`. */
  async capability(key: string): Promise<OracleCapability> {
    const find = () => this.store.latest('capability', { capability: key })[0]?.message
    let capability = find()
    if (!capability) {
      await this.collectOracles({}, 1000)
      capability = find()
    }
    if (!capability)
      throw new TraderError(
        TraderErrorCode.NOT_FOUND,
        `capability ${key} is not known to the store or the nodes`,
      )
    return capability
  }

  /**
   * Asks the capability's endpoint for a commitment to `args` (verified: signed by the
   * capability key, for exactly this request, in the capability's attestation type, deadline
   * ahead; then stored), then for the fact, polling up to `waitSeconds`. Returns the fact, or
   * why there is none yet.
   */
  async ask(
    capabilityKey: string,
    args: Record<string, string>,
    waitSeconds = 0,
  ): Promise<{
    capability: OracleCapability
    commitment: Commitment
    commitmentId: string
    fact: Fact | NotYet
  }> {
    const capability = await this.capability(capabilityKey)
    if (capability.off)
      throw new TraderError(
        TraderErrorCode.NOT_FOUND,
        `capability ${capabilityKey} is switched off by its oracle`,
      )
    const request: FactRequest = { capability: capabilityKey, args }
    const problem = requestProblem(request, capability)
    if (problem) throw new TraderError(TraderErrorCode.NOT_FOUND, problem)
    const client = this.#endpointClient(capability, request)
    const commitment = await endpointCall(client.url, () => client.commitment(request, capability))
    const { id } = this.store.put(commitment, { own: true, origin: client.url })
    const fact = await this.fetchFact(id, waitSeconds)
    return { capability, commitment, commitmentId: id, fact }
  }

  /**
   * Fetches (polling up to `waitSeconds`) the fact for a stored own commitment, verified
   * (signature by the capability key, the committed Schnorr nonce R or hash-lock preimage, an
   * answer among the capability's) and stored. Asking again later may reveal an oracle that
   * changed its answer: both facts stay in the store as evidence.
   */
  async fetchFact(commitmentId: string, waitSeconds = 0): Promise<Fact | NotYet> {
    const stored = this.store.get(commitmentId)
    if (stored?.message.kind !== 'commitment')
      throw new TraderError(TraderErrorCode.NOT_FOUND, `no commitment ${commitmentId} in the trader store`)
    const commitment = stored.message
    const capability = await this.capability(commitment.request.capability)
    const client = this.#endpointClient(capability, commitment.request)
    const until = Date.now() + waitSeconds * 1000
    for (;;) {
      try {
        const fact = await client.fact(commitment, capability)
        this.store.put(fact, { own: true, origin: client.url })
        return fact
      } catch (error) {
        if (!isFactNotReady(error)) throw endpointError(client.url, error)
        if (Date.now() >= until) return { status: Number(error.details.status), detail: error.message }
      }
      await new Promise((done) => setTimeout(done, 500))
    }
  }

  /** The oracle's endpoint, or the relay of the node chosen for this question when `via` is set. */
  #endpointClient(capability: OracleCapability, request: FactRequest): OracleEndpointClient {
    const relay = relayFor(this.#via, request)
    return new OracleEndpointClient({
      url: relay === undefined ? capability.endpoint : `${relay}/relay`,
      timeoutMs: this.#endpoint.timeoutMs,
      now: this.#now,
      fetch: this.#endpoint.fetch,
    })
  }

  /**
   * Fetches the manifest each collected oracle's ad points at (`manifestUri`) and keeps the
   * domain-verified ones (see {@link verifyDomains}).
   */
  verifyDomains() {
    return verifyDomains(this.store, this.#endpoint.fetch)
  }

  // ── reports ───────────────────────────────────────────────────────────────

  /**
   * The report draft against `oracle` (naming the trader key as reporter unless anonymous) and
   * the verdict nodes will reach; throws `REPORT_REFUSED` for one they would reject.
   */
  checkReport(
    oracle: string,
    content: ReportContent,
    anonymous = false,
  ): { draft: Draft<Report>; verdict: EvidenceVerdict } {
    const reporter = anonymous ? undefined : { scheme: this.key.scheme, pubkey: this.key.publicKey }
    const draft = reportDraft(oracle, content, reporter)
    return { draft, verdict: checkReportDraft(draft, this.#now(), this.#clockSkewSeconds) }
  }

  /**
   * Files a report: checks it as nodes will (`REPORT_REFUSED` before any work), signs it with the
   * trader key unless anonymous, mines it, stores it as own, posts it to every node.
   */
  async fileReport(
    oracle: string,
    content: ReportContent,
    options: WorkOptions & { anonymous?: boolean },
  ): Promise<{ report: Report; id: string; verdict: string; posted: Posted[] }> {
    const { draft, verdict } = this.checkReport(oracle, content, options.anonymous)
    const signed = draft.reporter ? sign<Report>(draft, this.key.secretKey) : (draft as Report)
    const report = await this.#mine(signed, options)
    const { id } = this.store.put(report, { own: true, origin: 'self' })
    return { report, id, verdict, posted: await this.#post('report', report) }
  }

  /**
   * Conflicts the nodes caught in their fact pools, each report checked by the protocol
   * verifier; `filed` says whether the store already holds a report on the same subject.
   */
  async nodeConflicts() {
    const { conflicts, rejected } = await collectConflicts(this.nodes, this.#now())
    const filed = new Set(
      this.store.list('report').map(({ message }) => reportSubject(message.oracle, message.content)),
    )
    return {
      conflicts: conflicts.map((conflict) => ({ ...conflict, filed: filed.has(conflict.subject) })),
      rejected,
    }
  }

  /** Reports the store's evidence supports and nobody filed yet. */
  detect(graceSeconds = 0): ReportProposal[] {
    return detectInStore(this.store, this.#now(), graceSeconds)
  }

  /** Collects an oracle's reports from the nodes and judges each one locally. */
  async verifyReports(oracle: string) {
    let found = false
    await this.#eachNode(async (node) => {
      found = (await collectOracle(node, this.store, oracle)) || found
    })
    const facts = this.oracleFacts().find((candidate) => candidate.ad.pubkey === oracle)
    if (!facts && !found) throw new TraderError(TraderErrorCode.NOT_FOUND, `no node holds oracle ${oracle}`)
    return (facts?.reports ?? []).map((collected) => ({
      id: collected.id,
      type: collected.report.content.type,
      bits: collected.bits,
      reporter: collected.report.reporter?.pubkey,
      ...judgeReport(collected, facts!.capabilities, this.#now()),
    }))
  }

  // ── offers ────────────────────────────────────────────────────────────────

  /** Drafts, signs, mines, stores and posts an open offer. */
  async publishOffer(
    init: OfferInit,
    options: WorkOptions,
  ): Promise<{ offer: Offer; key: string; posted: Posted[] }> {
    const signed = sign<Offer>(offerDraft(init, this.key), this.key.secretKey)
    const offer = await this.#mine(signed, options)
    this.store.put(offer, { own: true, origin: 'self' })
    return { offer, key: offerKey(offer), posted: await this.#post('offer', offer) }
  }

  /** Collects offers from the nodes and ranks those complementary to our open offers. */
  async matches(): Promise<Match[]> {
    await this.#collectOffers()
    const latest = this.store.latest('offer').map((stored) => stored.message)
    const me = this.key.publicKey
    const mine = latest.filter((offer) => offer.terms.originator === me && offer.seqNo === 0)
    return findMatches(mine, latest, new Set([me]), this.#now(), this.#answersOf())
  }

  /**
   * Whether the offer `key` is settled by the facts the store holds (fetched with `ask`/`fact`,
   * or inside disputes and reports), and who wins: k of its n requests agreeing on one outcome,
   * synonyms applied (protocol `settleOffer`). The offer is collected from the nodes when the
   * store does not hold it.
   */
  async settle(key: string): Promise<{ offer: Offer; settlement: Settlement }> {
    if (!this.#heldOffer(key)) await this.#collectOffers()
    const offer = this.#offer(key)
    return { offer, settlement: settleOffer(offer.terms, knownFacts(this.store), this.#answersOf()) }
  }

  /** The answers of each capability whose ad the store holds. */
  #answersOf(): (capability: string) => readonly string[] | undefined {
    const answers = new Map<string, readonly string[]>()
    for (const { message } of this.store.latest('capability'))
      answers.set(message.capabilityKey, message.answers)
    return (capability) => answers.get(capability)
  }

  /** Accepts another trader's open offer (seqNo 1), details sealed for its originator. */
  async accept(key: string, contact: string, details?: string): Promise<{ offer: Offer; posted: Posted[] }> {
    await this.#collectOffers()
    const offer = await acceptOffer(this.#offer(key), this.key, contact, this.#now(), details)
    this.store.put(offer, { own: true, origin: 'self' })
    return { offer, posted: await this.#post('offer', offer) }
  }

  /** Finalizes our accepted offer (seqNo 2), details sealed for the acceptor. */
  async finalize(key: string, details?: string): Promise<{ offer: Offer; posted: Posted[] }> {
    await this.#collectOffers()
    const offer = await finalizeOffer(this.#offer(key), this.key, details)
    this.store.put(offer, { own: true, origin: 'self' })
    return { offer, posted: await this.#post('offer', offer) }
  }

  /** Our offers (as originator or acceptor) at their latest stage, sealed details opened. */
  async ownOffers() {
    await this.#collectOffers()
    const me = this.key.publicKey
    const own = this.store
      .latest('offer')
      .map((stored) => stored.message)
      .filter((offer) => offer.terms.originator === me || offer.acceptance?.acceptor === me)
    return Promise.all(
      own.map(async (offer) => {
        const originator = offer.terms.originator === me
        const sealed = originator ? offer.acceptance?.sealed : offer.finalization?.sealed
        let details: string | undefined
        if (sealed !== undefined) {
          try {
            details = await unseal(sealed, this.key.secretKey, this.key.scheme)
          } catch (error) {
            details = `(cannot open: ${(error as Error).message})`
          }
        }
        return {
          key: offerKey(offer),
          offer,
          role: originator ? 'originator' : 'acceptor',
          details,
        }
      }),
    )
  }

  #heldOffer(key: string): Offer | undefined {
    return this.store.latest('offer').find((stored) => entityKey(stored.message) === key)?.message
  }

  #offer(key: string): Offer {
    const offer = this.#heldOffer(key)
    if (!offer)
      throw new TraderError(TraderErrorCode.NOT_FOUND, `offer ${key} is not held by the nodes or the store`)
    return offer
  }

  async #collectOffers(): Promise<void> {
    await this.#eachNode(async (node) => {
      await collectOffers(node, this.store)
    })
  }

  // ── edges ─────────────────────────────────────────────────────────────────

  async #mine<M extends Report | Offer>(message: M | Draft<M>, options: WorkOptions): Promise<M> {
    const pow = await mine({
      bound: powBoundOf(message as M),
      bits: options.bits,
      ...(this.#threads !== undefined && { threads: this.#threads }),
      ...(options.signal && { signal: options.signal }),
      ...(options.onProgress && { onProgress: options.onProgress }),
    })
    // Checked (signature, work) by the store's `put` before it is kept or posted.
    return { ...message, pow } as M
  }

  async #post(kind: 'report' | 'offer', message: Report | Offer): Promise<Posted[]> {
    const posted: Posted[] = []
    for (const node of this.nodes) {
      try {
        const { status, body } = await node.post(kind, message)
        posted.push({ url: node.url, status, body })
      } catch (error) {
        posted.push({ url: node.url, status: 0, body: { detail: (error as Error).message } })
      }
    }
    return posted
  }
}

/**
 * The relay node for `request` among `via`: chosen by a hash of the question (capability and
 * arguments, invoice excluded), so one question always goes through the same node — its fact
 * pool answers repeats, and a commitment and its fact take the same path — while different
 * questions spread over the nodes, none of which sees them all. Undefined when `via` is empty.
 */
export function relayFor(via: readonly string[], request: FactRequest): string | undefined {
  if (via.length === 0) return undefined
  const digest = backend.sha256(utf8(requestKey(request)))
  const index = new DataView(digest.buffer, digest.byteOffset, 4).getUint32(0) % via.length
  return via[index]
}
