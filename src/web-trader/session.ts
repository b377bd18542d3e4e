/**
 * The browser trader's session: the unlocked key, an in-memory store checked like the CLI's
 * (every message kept also saved to IndexedDB), and the nodes it reads from and posts to (a
 * node that fails is skipped and named). Every action is the trader library's rule (collect,
 * rank, ask, detect, report, offer) run here, so the browser reaches the CLI's verdicts with
 * the CLI's messages; nothing secret leaves the page.
 */

import {
  EndpointError,
  EndpointErrorCode,
  isFactNotReady,
  OracleEndpointClient,
} from '../client/endpoint-client.ts'
import { NodeClient } from '../client/node-client.ts'
import type { MiningProgress } from '../miner/scheduler.ts'
import { entityKey, offerKey } from '../protocol/message.ts'
import { powBoundOf } from '../protocol/message-pow.ts'
import type {
  Commitment,
  Fact,
  FactRequest,
  Offer,
  OracleCapability,
  Report,
} from '../protocol/messages/index.ts'
import { sign } from '../protocol/sign.ts'
import { DEFAULT_CLOCK_SKEW_SECONDS, requestKey } from '../protocol/verify-report.ts'
import { type Collected, collectOffers, collectOracles, eachNode } from '../trader/collect.ts'
import { detectInStore, type ReportProposal } from '../trader/detect.ts'
import { TraderError, TraderErrorCode } from '../trader/errors.ts'
import { endpointCall, endpointError, type NotYet } from '../trader/facts.ts'
import { MemoryStore } from '../trader/message-store.ts'
import {
  acceptOffer,
  finalizeOffer,
  type OfferInit,
  offerDraft,
  requestProblem,
  type TraderKey,
} from '../trader/offers.ts'
import { oracleFactsOf } from '../trader/oracle-facts.ts'
import { type Policy, rankOracles } from '../trader/policy.ts'
import { checkReportDraft, reportDraft } from '../trader/reports.ts'
import { unseal } from '../trader/seal.ts'
import { mineInWorkers } from './miner.ts'
import { loadMessages, saveMessage } from './storage.ts'

/** How an ask reaches the oracle: straight to its endpoint (a node relay can be another route). */
export type AskRoute = { via: 'endpoint' }

/** Options of work spent in the browser. */
export interface BrowserWork {
  bits: number
  signal?: AbortSignal
  onProgress?: (progress: MiningProgress & { kernel: string }) => void
}

/** One node's answer to a post (status 0: unreachable). */
export interface Posted {
  url: string
  status: number
  body: unknown
}

export class TraderSession {
  readonly store: MemoryStore
  readonly nodes: NodeClient[]
  readonly workerUrl: URL
  key: TraderKey | undefined

  /**
   * Clock skew the nodes tolerate on deadlines, seconds: a `fact-missing` report is proposed and
   * filed only once its deadline has passed by more, as nodes judge it (protocol.md §7).
   */
  readonly clockSkewSeconds: number

  constructor(nodeUrls: readonly string[], workerUrl: URL, clockSkewSeconds = DEFAULT_CLOCK_SKEW_SECONDS) {
    this.nodes = nodeUrls.map((url) => new NodeClient({ url }))
    this.workerUrl = workerUrl
    this.clockSkewSeconds = clockSkewSeconds
    this.store = new MemoryStore({ onKeep: (stored) => void saveMessage(stored).catch(() => undefined) })
  }

  /** Loads the messages kept in IndexedDB (each re-checked on the way in). */
  async restore(): Promise<number> {
    let restored = 0
    for (const stored of await loadMessages()) {
      try {
        this.store.put(stored.message, { own: stored.own, origin: stored.origin })
        restored++
      } catch {
        // a record altered at rest is left out, as a node's hostile message would be
      }
    }
    return restored
  }

  now(): number {
    return Math.floor(Date.now() / 1000)
  }

  get unlockedKey(): TraderKey {
    if (!this.key) throw new TraderError(TraderErrorCode.KEY_LOCKED, 'unlock your key first')
    return this.key
  }

  // ── find ──

  /** Collects the node's oracles (ads, capabilities, reports and disputes), every message checked. */
  refreshOracles(): Promise<Collected> {
    return this.#collect((node) => collectOracles(node, this.store))
  }

  /** Runs a collection on every node; unreachable or misbehaving nodes are listed in `rejected`. */
  async #collect(work: (node: NodeClient) => Promise<Collected>): Promise<Collected> {
    const total: Collected = { stored: 0, rejected: [] }
    const skipped = await eachNode(this.nodes, async (node) => {
      const result = await work(node)
      total.stored += result.stored
      total.rejected.push(...result.rejected)
    })
    total.rejected.push(...skipped)
    return total
  }

  /** Posts to every node; a node that cannot be reached answers status 0. */
  async #post(kind: 'report' | 'offer', message: Report | Offer): Promise<Posted[]> {
    return Promise.all(
      this.nodes.map(async (node) => {
        try {
          return { url: node.url, ...(await node.post(kind, message)) }
        } catch (error) {
          return { url: node.url, status: 0, body: { detail: (error as Error).message } }
        }
      }),
    )
  }

  rank(policy: Policy) {
    return rankOracles(oracleFactsOf(this.store), policy, this.now())
  }

  /** Active capabilities held, latest version of each. */
  capabilities(): OracleCapability[] {
    return this.store
      .latest('capability')
      .map((stored) => stored.message)
      .filter((capability) => !capability.off)
  }

  capability(key: string): OracleCapability {
    const found = this.store.latest('capability', { capability: key })[0]?.message
    if (!found) throw new TraderError(TraderErrorCode.NOT_FOUND, `capability ${key} is not known`)
    return found
  }

  // ── ask and verify ──

  /** Asks for a commitment (verified, kept), then for its fact. */
  async ask(
    capabilityKey: string,
    args: Record<string, string>,
    // Only the endpoint route exists until nodes relay commitments and facts.
    _route: AskRoute = { via: 'endpoint' },
  ): Promise<{ commitment: Commitment; commitmentId: string; fact: Fact | NotYet }> {
    const capability = this.capability(capabilityKey)
    const request: FactRequest = { capability: capabilityKey, args }
    const problem = requestProblem(request, capability)
    if (problem) throw new TraderError(TraderErrorCode.NOT_FOUND, problem)
    const commitment = await endpointCall(capability.endpoint, () =>
      this.#endpoint(capability).commitment(request, capability),
    )
    const { id } = this.store.put(commitment, { own: true, origin: capability.endpoint })
    return { commitment, commitmentId: id, fact: await this.fetchFact(id) }
  }

  /** Fetches (again) the fact of an own commitment; verified and kept. */
  async fetchFact(commitmentId: string): Promise<Fact | NotYet> {
    const stored = this.store.get(commitmentId)
    if (stored?.message.kind !== 'commitment')
      throw new TraderError(TraderErrorCode.NOT_FOUND, `no commitment ${commitmentId}`)
    const commitment = stored.message
    const capability = this.capability(commitment.request.capability)
    try {
      const fact = await this.#endpoint(capability).fact(commitment, capability)
      this.store.put(fact, { own: true, origin: capability.endpoint })
      return fact
    } catch (error) {
      if (!isFactNotReady(error)) throw endpointError(capability.endpoint, error)
      return { status: Number(error.details.status), detail: error.message }
    }
  }

  #endpoint(capability: OracleCapability): OracleEndpointClient {
    return new OracleEndpointClient({ url: capability.endpoint, now: () => this.now() })
  }

  /** Own commitments with the facts received for each. */
  asked(): { id: string; commitment: Commitment; facts: Fact[] }[] {
    const facts = this.store.list('fact', { own: true }).map((stored) => stored.message)
    return this.store.list('commitment', { own: true }).map(({ id, message }) => ({
      id,
      commitment: message,
      facts: facts.filter((fact) => requestKey(fact.request) === requestKey(message.request)),
    }))
  }

  // ── report ──

  detect(): ReportProposal[] {
    return detectInStore(this.store, this.now(), this.clockSkewSeconds)
  }

  /** Checks (as nodes will), signs, mines in Web Workers, keeps and posts a report. */
  async fileReport(
    proposal: Pick<ReportProposal, 'oracle' | 'content'>,
    work: BrowserWork,
  ): Promise<{ report: Report; posted: Posted[] }> {
    const key = this.unlockedKey
    const draft = reportDraft(proposal.oracle, proposal.content, {
      scheme: key.scheme,
      pubkey: key.publicKey,
    })
    checkReportDraft(draft, this.now(), this.clockSkewSeconds)
    const signed = sign<Report>(draft, key.secretKey)
    const report = { ...signed, pow: await this.#mine(signed as Report, work) } as Report
    this.store.put(report, { own: true, origin: 'self' })
    return { report, posted: await this.#post('report', report) }
  }

  async #mine(message: Report | Offer, work: BrowserWork) {
    return mineInWorkers({
      bound: powBoundOf(message),
      bits: work.bits,
      workerUrl: this.workerUrl,
      ...(work.signal && { signal: work.signal }),
      ...(work.onProgress && { onProgress: work.onProgress }),
    })
  }

  // ── offers ──

  refreshOffers(): Promise<Collected> {
    return this.#collect((node) => collectOffers(node, this.store))
  }

  /** Offers at their latest stage. */
  offers(): { key: string; offer: Offer }[] {
    return this.store.latest('offer').map(({ message }) => ({ key: offerKey(message), offer: message }))
  }

  async publishOffer(init: OfferInit, work: BrowserWork): Promise<{ offer: Offer; posted: Posted[] }> {
    const key = this.unlockedKey
    const signed = sign<Offer>(offerDraft(init, key), key.secretKey)
    const offer = { ...signed, pow: await this.#mine(signed as Offer, work) } as Offer
    this.store.put(offer, { own: true, origin: 'self' })
    return { offer, posted: await this.#post('offer', offer) }
  }

  async accept(key: string, contact: string, details?: string): Promise<Posted[]> {
    const offer = await acceptOffer(this.#offer(key), this.unlockedKey, contact, this.now(), details)
    this.store.put(offer, { own: true, origin: 'self' })
    return this.#post('offer', offer)
  }

  async finalize(key: string, details?: string): Promise<Posted[]> {
    const offer = await finalizeOffer(this.#offer(key), this.unlockedKey, details)
    this.store.put(offer, { own: true, origin: 'self' })
    return this.#post('offer', offer)
  }

  /** The sealed details addressed to us in `offer`, opened; undefined when there are none. */
  async details(offer: Offer): Promise<string | undefined> {
    const key = this.key
    if (!key) return undefined
    const sealed =
      offer.terms.originator === key.publicKey
        ? offer.acceptance?.sealed
        : offer.acceptance?.acceptor === key.publicKey
          ? offer.finalization?.sealed
          : undefined
    if (sealed === undefined) return undefined
    try {
      return await unseal(sealed, key.secretKey, key.scheme)
    } catch (error) {
      return `(cannot open: ${(error as Error).message})`
    }
  }

  #offer(key: string): Offer {
    const offer = this.store.latest('offer').find((stored) => entityKey(stored.message) === key)?.message
    if (!offer) throw new TraderError(TraderErrorCode.NOT_FOUND, `offer ${key} is not held`)
    return offer
  }
}
