/**
 * The browser trader's session: the unlocked key, an in-memory store checked like the CLI's
 * (every message kept also saved to IndexedDB), and the nodes it reads from and posts to (a
 * node that fails is skipped and named). Every action is the trader library's rule (collect,
 * rank, ask, detect, report, offer) run here, so the browser reaches the CLI's verdicts with
 * the CLI's messages; nothing secret leaves the page.
 */

import { isFactNotReady, NodeClient, OracleEndpointClient, RelayRefusalCode } from '../client/index.ts'
import type { MiningProgress } from '../miner/scheduler.ts'
import {
  type Commitment,
  DEFAULT_CLOCK_SKEW_SECONDS,
  entityKey,
  type Fact,
  type FactRequest,
  MANIFEST_PATH,
  manifestDomainOf,
  type Offer,
  type OracleCapability,
  offerKey,
  powBoundOf,
  type Report,
  requestKey,
  type Settlement,
  settleOffer,
  sign,
} from '../protocol/index.ts'
import { type Collected, collectOffers, collectOracle, collectOracles, eachNode } from '../trader/collect.ts'
import { collectConflicts, type NodeConflict } from '../trader/conflicts.ts'
import { detectInStore, knownFacts, type ReportProposal } from '../trader/detect.ts'
import { TraderError, TraderErrorCode } from '../trader/errors.ts'
import { endpointCall, type NotYet, verifyDomains } from '../trader/facts.ts'
import { findMatches, type Match } from '../trader/matching.ts'
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
import { checkReportDraft, reportDraft, reportSubject } from '../trader/reports.ts'
import { unseal } from '../trader/seal.ts'
import type { Touched } from './live.ts'
import { mineInWorkers } from './miner.ts'
import { loadMessages, saveMessage } from './storage.ts'

/**
 * How an ask reaches the oracle: straight to its endpoint; through a node's relay
 * (`<node>/relay`: the node asks the oracle and hands back what it signed, verified here as a
 * direct answer); or `auto`, the endpoint and, when the page cannot reach it (down, or no CORS
 * for this page: a browser cannot tell them apart), each node's relay in turn.
 */
export type AskRoute = { via: 'endpoint' } | { via: 'node'; node: string } | { via: 'auto' }

/**
 * Codes that say a route cannot serve this ask, so the next is tried: the page cannot reach
 * the endpoint (down, or no CORS for this page), or a node's relay does not serve this page,
 * is busy, holds no ad for the capability, or cannot reach the oracle either.
 */
const ROUTE_UNAVAILABLE: ReadonlySet<string> = new Set([
  TraderErrorCode.ENDPOINT_UNREACHABLE,
  ...Object.values(RelayRefusalCode),
])

/** A message mined until cancelled: what resumes it from its checkpoint (the same signed bytes). */
export interface PausedWork {
  kind: 'report' | 'offer'
  message: Report | Offer
  bits: number
  /** Hex nonce below which every nonce was searched. */
  checkpoint: string
  attempts: number
}

/** The outcome of a manifest check in the page (`verifyDomains`), as shown. */
export interface DomainVerdict {
  oracle: string
  /** `unverified`: the page cannot read the manifest (no CORS for it, or unreachable). */
  status: 'domain-verified' | 'mismatch' | 'invalid' | 'unverified'
  reason?: string
}

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

  /**
   * Collects the node's oracles (ads, capabilities, reports and disputes), every message checked:
   * all of them, or only those `touched` names, each from the node that named it.
   */
  refreshOracles(touched?: Touched): Promise<Collected> {
    if (!touched || touched.all) return this.#collect((node) => collectOracles(node, this.store))
    return this.#collectTouched(touched, async (node, key, result) => {
      await collectOracle(node, this.store, key, result)
    })
  }

  /** Runs `work` for each key `touched` names, on the node that named it. */
  #collectTouched(
    touched: Touched,
    work: (node: NodeClient, key: string, result: Collected) => Promise<unknown>,
  ): Promise<Collected> {
    return this.#collect(async (node) => {
      const result: Collected = { stored: 0, rejected: [] }
      for (const key of touched.byNode.get(node.url) ?? []) await work(node, key, result)
      return result
    })
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
    route: AskRoute = { via: 'auto' },
  ): Promise<{ commitment: Commitment; commitmentId: string; via: string; fact: Fact | NotYet }> {
    const capability = this.capability(capabilityKey)
    const request: FactRequest = { capability: capabilityKey, args }
    const problem = requestProblem(request, capability)
    if (problem) throw new TraderError(TraderErrorCode.NOT_FOUND, problem)
    const { value: commitment, url } = await this.#viaRoutes(this.#routes(route, capability), (client) =>
      client.commitment(request, capability),
    )
    // The origin says which way the commitment came: its fact is asked the same way.
    const { id } = this.store.put(commitment, { own: true, origin: url })
    return { commitment, commitmentId: id, via: url, fact: await this.fetchFact(id) }
  }

  /** Base URLs an ask tries in turn: the endpoint's and/or nodes' relays (`<node>/relay`). */
  #routes(route: AskRoute, capability: OracleCapability): string[] {
    const relays = this.nodes.map((node) => `${node.url}/relay`)
    if (route.via === 'endpoint') return [capability.endpoint]
    if (route.via === 'node') return [`${route.node.replace(/\/+$/, '')}/relay`]
    return [capability.endpoint, ...relays]
  }

  /**
   * Runs `call` on each base URL in turn until one answers; only a route that cannot serve
   * ({@link ROUTE_UNAVAILABLE}) moves on. A verdict (a forged answer, the oracle's refusal,
   * relayed or not) is thrown as it is; when every route fails, all their reasons.
   */
  async #viaRoutes<T>(
    urls: readonly string[],
    call: (client: OracleEndpointClient) => Promise<T>,
  ): Promise<{ value: T; url: string }> {
    const failed: string[] = []
    for (const [index, url] of urls.entries()) {
      try {
        return { value: await endpointCall(url, () => call(this.#client(url))), url }
      } catch (error) {
        const code = (error as { code?: string }).code
        if (!ROUTE_UNAVAILABLE.has(code ?? '')) throw error
        failed.push((error as Error).message)
        if (index < urls.length - 1) continue
        if (failed.length === 1) throw error
        throw new TraderError(TraderErrorCode.ENDPOINT_UNREACHABLE, failed.join('; '), {
          urls: urls.join(' '),
        })
      }
    }
    throw new TraderError(TraderErrorCode.ENDPOINT_UNREACHABLE, 'no route to ask')
  }

  /** Fetches (again) the fact of an own commitment; verified and kept. */
  async fetchFact(commitmentId: string): Promise<Fact | NotYet> {
    const stored = this.store.get(commitmentId)
    if (stored?.message.kind !== 'commitment')
      throw new TraderError(TraderErrorCode.NOT_FOUND, `no commitment ${commitmentId}`)
    const commitment = stored.message
    const capability = this.capability(commitment.request.capability)
    // The way the commitment came first (a relay's, or the endpoint and then the relays).
    const relayed = stored.origin?.endsWith('/relay') === true
    const urls = relayed ? [stored.origin!] : this.#routes({ via: 'auto' }, capability)
    try {
      const { value: fact, url } = await this.#viaRoutes(urls, (client) =>
        client.fact(commitment, capability),
      )
      this.store.put(fact, { own: true, origin: url })
      return fact
    } catch (error) {
      const refusal = (error as { cause?: unknown }).cause
      if (!isFactNotReady(refusal)) throw error
      return { status: Number(refusal.details.status), detail: refusal.message }
    }
  }

  #client(url: string): OracleEndpointClient {
    return new OracleEndpointClient({ url, now: () => this.now() })
  }

  /**
   * The manifest of each oracle whose ad names one, fetched by this page and checked by the
   * library's rule (`verifyDomains`: only from exactly `https://<domain>/.well-known/mega-oracle.json`,
   * signed by the oracle, its ad pointing back at that URL); a verified one marks the oracle
   * domain-verified in the ranking. A page reads another site only when that site sends CORS
   * headers: a manifest the page cannot read is `unverified`, not a mismatch. An ad whose
   * `manifestUri` is not a well-known URL is a mismatch without any request.
   */
  async verifyDomains(): Promise<DomainVerdict[]> {
    const unreadable = new Set<string>()
    const notWellKnown = new Set<string>()
    const reading: typeof fetch = async (input, init) => {
      const url = String(input)
      if (manifestDomainOf(url) === undefined) {
        notWellKnown.add(url)
        throw new TypeError('not a well-known manifest URL')
      }
      try {
        return await fetch(input, init)
      } catch (error) {
        unreadable.add(url)
        throw error
      }
    }
    const uris = new Map(
      this.store.latest('oracle').map(({ message }) => [message.pubkey, message.manifestUri]),
    )
    return (await verifyDomains(this.store, reading)).map(({ oracle, status, reason }) => {
      const uri = uris.get(oracle) ?? ''
      if (notWellKnown.has(uri))
        return {
          oracle,
          status: 'mismatch',
          reason: `the ad's manifestUri ${uri} is not https://<domain>${MANIFEST_PATH}`,
        }
      if (unreadable.has(uri))
        return {
          oracle,
          status: 'unverified',
          reason: `this page cannot read ${uri}: the domain sends no CORS headers for it, or cannot be reached (a browser cannot tell which); \`mega trader oracles --verify-domains\` checks it from the command line`,
        }
      const shown =
        status === 'domain-verified' ? status : status === 'foreign-advertiser' ? 'mismatch' : 'invalid'
      return { oracle, status: shown, ...(reason !== undefined && { reason }) }
    })
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

  /**
   * Conflicts the nodes caught in their fact pools (an oracle that signed two answers, e.g.
   * to relayed asks), each report checked by the protocol verifier here (`collectConflicts`, as
   * `mega trader conflicts`); `filed` when the page already holds a report on the same subject.
   */
  async nodeConflicts(): Promise<{
    conflicts: (NodeConflict & { filed: boolean })[]
    rejected: { node: string; reason: string }[]
  }> {
    const { conflicts, rejected } = await collectConflicts(this.nodes, this.now())
    const filed = new Set(
      this.store.list('report').map(({ message }) => reportSubject(message.oracle, message.content)),
    )
    return {
      conflicts: conflicts.map((conflict) => ({ ...conflict, filed: filed.has(conflict.subject) })),
      rejected,
    }
  }

  /**
   * Checks (as nodes will), signs, mines in Web Workers, keeps and posts a report; `anonymous`
   * names no reporter (the report then counts only under policies that take anonymous ones).
   */
  async fileReport(
    proposal: Pick<ReportProposal, 'oracle' | 'content'>,
    work: BrowserWork,
    anonymous = false,
  ): Promise<{ report: Report; posted: Posted[] }> {
    const key = this.unlockedKey
    const reporter = anonymous ? undefined : { scheme: key.scheme, pubkey: key.publicKey }
    const draft = reportDraft(proposal.oracle, proposal.content, reporter)
    checkReportDraft(draft, this.now(), this.clockSkewSeconds)
    // An anonymous report carries no signature: its work alone admits it.
    const signed = draft.reporter ? sign<Report>(draft, key.secretKey) : (draft as Report)
    const report = await this.#mined('report', signed, work)
    return { report, posted: await this.#post('report', report) }
  }

  /**
   * Mines `message` and keeps it as own. A cancelled run is kept in {@link paused} — the same
   * signed bytes, so the nonces searched stay searched — until {@link resume} finishes it.
   */
  async #mined<M extends Report | Offer>(
    kind: 'report' | 'offer',
    message: M,
    work: BrowserWork,
    resumeFrom?: string,
  ): Promise<M> {
    let pow: Awaited<ReturnType<typeof mineInWorkers>>
    try {
      pow = await mineInWorkers({
        bound: powBoundOf(message),
        bits: work.bits,
        workerUrl: this.workerUrl,
        ...(resumeFrom !== undefined && { resumeFrom }),
        ...(work.signal && { signal: work.signal }),
        ...(work.onProgress && { onProgress: work.onProgress }),
      })
    } catch (error) {
      const details = error as { code?: string; details?: { checkpoint?: string; attempts?: number } }
      if (details.code === 'MINING_CANCELLED' && details.details?.checkpoint !== undefined) {
        const earlier = resumeFrom === undefined ? 0 : (this.paused?.attempts ?? 0)
        this.paused = {
          kind,
          message,
          bits: work.bits,
          checkpoint: details.details.checkpoint,
          attempts: earlier + (details.details.attempts ?? 0),
        }
      }
      throw error
    }
    if (resumeFrom !== undefined) this.paused = undefined
    const mined = { ...message, pow } as M
    this.store.put(mined, { own: true, origin: 'self' })
    return mined
  }

  /** A cancelled run, kept to resume. */
  paused: PausedWork | undefined

  /** Mines the cancelled message on from its checkpoint, then posts it as its first run would have. */
  async resume(work: Omit<BrowserWork, 'bits'>): Promise<{ message: Report | Offer; posted: Posted[] }> {
    const paused = this.paused
    if (!paused) throw new TraderError(TraderErrorCode.NOT_FOUND, 'no cancelled mining to resume')
    const message = await this.#mined(
      paused.kind,
      paused.message,
      { ...work, bits: paused.bits },
      paused.checkpoint,
    )
    return { message, posted: await this.#post(paused.kind, message) }
  }

  // ── offers ──

  /** Collects the offers: all of them, or only those on the capability keys `touched` names. */
  refreshOffers(touched?: Touched): Promise<Collected> {
    if (!touched || touched.all) return this.#collect((node) => collectOffers(node, this.store))
    return this.#collectTouched(touched, async (node, capability, result) => {
      const collected = await collectOffers(node, this.store, { capability })
      result.stored += collected.stored
      result.rejected.push(...collected.rejected)
    })
  }

  /** Offers at their latest stage. */
  offers(): { key: string; offer: Offer }[] {
    return this.store.latest('offer').map(({ message }) => ({ key: offerKey(message), offer: message }))
  }

  async publishOffer(init: OfferInit, work: BrowserWork): Promise<{ offer: Offer; posted: Posted[] }> {
    const key = this.unlockedKey
    // Each quorum request fits its capability, as the CLI checks it, before any work.
    for (const [index, request] of (init.quorum ?? []).entries()) {
      const problem = requestProblem(request, this.capability(request.capability))
      if (problem)
        throw new TraderError(TraderErrorCode.OFFER_STATE, `quorum request ${index + 1}: ${problem}`)
    }
    const signed = sign<Offer>(offerDraft(init, key), key.secretKey)
    const offer = await this.#mined('offer', signed as Offer, work)
    return { offer, posted: await this.#post('offer', offer) }
  }

  /**
   * Open offers of others that complement one of ours (the library's `findMatches`: same
   * requests, threshold and chain, synonyms grouping every answer alike, opposite bets, odds at
   * least ours, a stake no larger), best first.
   */
  matches(): Match[] {
    const me = this.key?.publicKey
    if (me === undefined) return []
    const latest = this.store.latest('offer').map((stored) => stored.message)
    const mine = latest.filter((offer) => offer.terms.originator === me && offer.seqNo === 0)
    return findMatches(mine, latest, new Set([me]), this.now(), this.#answersOf())
  }

  /**
   * Whether `offer` is settled by the facts the page holds (its own, imported, or quoted in
   * reports and disputes), and who wins: k of its n requests agreeing, synonyms applied
   * (protocol `settleOffer`, as `mega trader settle`).
   */
  settle(offer: Offer): Settlement {
    return settleOffer(offer.terms, knownFacts(this.store), this.#answersOf())
  }

  /** The answers of each capability held. */
  #answersOf(): (capability: string) => readonly string[] | undefined {
    const answers = new Map(this.capabilities().map((c) => [c.capabilityKey, c.answers] as const))
    return (capability) => answers.get(capability)
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
