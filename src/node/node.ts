/**
 * A Mega node: the mempool restored from its store, the REST API, and the peer-to-peer
 * network. Wired explicitly in dependency order (store → API → network) and stopped in reverse.
 *
 * One admission path for every source (src/mempool/pipeline.ts): a message validated where it
 * came in is admitted into the mempool, persisted in one transaction, and only then announced
 * (`events`) and acknowledged — so an acknowledged or announced message survives kill -9. A
 * message admitted locally ({@link MegaNode.submit} from the REST API) is then published; one
 * admitted from gossip propagates by gossipsub's own forwarding once its validator accepts it.
 */
import type { FastifyInstance } from 'fastify'
import { type ApiInit, buildApi } from '../api/index.ts'
import {
  FACT_SYNC_PROTOCOL,
  type FactAdmission,
  FactPool,
  FactStore,
  FactSyncSource,
  Relay,
  reportedIn,
} from '../facts/index.ts'
import {
  type Admission,
  type AdmissionEvents,
  AdmissionPipeline,
  Mempool,
  type Origin,
  type PoolMessage,
} from '../mempool/index.ts'
import {
  MempoolSyncSource,
  Network,
  type ServiceFactory,
  type SignatureChecker,
  syncService,
} from '../network/index.ts'
import type { Bid, TypedEventTarget, Validated } from '../protocol/index.ts'
import { floorsOf, type MempoolStore, openAndRestore } from '../store/index.ts'
import { BidVerifications, bidCheckOf } from './bids.ts'
import type { NodeConfig } from './config.ts'
import { httpListenError, p2pListenError } from './listen-error.ts'
import { createLogger, type Logger } from './logger.ts'
import { type SignatureCheck, SignatureThreads } from './signature-threads.ts'

/** Outcomes a node passes on to the network: news here, or news for other shards. */
const PUBLISHED: ReadonlySet<Admission['status']> = new Set(['added', 'updated', 'skipped'])

export type NodeStatus = 'stopped' | 'starting' | 'started' | 'stopping'

/**
 * How often expired offers are purged (and deleted from the store) when no admission does it,
 * while the node holds offers: a node holding none is not woken for it.
 */
const PURGE_INTERVAL_MS = 1000

export interface NodeComponents {
  logger?: Logger
  /** Unix seconds. @default Date.now() / 1000 */
  now?: () => number
  /**
   * More libp2p services run by the network (the sync protocol), by name, made from the node
   * at start (they usually need its mempool and `submit(message, 'sync')`).
   */
  libp2pServices?: (node: MegaNode) => Record<string, ServiceFactory>
  /** Opens the store and restores the pools at start. @default openAndRestore (src/store) */
  openStore?: typeof openAndRestore
}

export class MegaNode {
  readonly config: NodeConfig
  readonly logger: Logger
  readonly mempool: Mempool
  /** The one admission path: admit, commit, then tell `events`. */
  readonly #pipeline: AdmissionPipeline
  /** Bid verification, when `mempool.bids.verifier` names one. */
  readonly bids: BidVerifications | undefined
  /** Signed commitments and facts relayed or given (src/facts/fact-pool.ts). */
  readonly facts: FactPool
  /** Asks oracles on clients' behalf (src/facts/relay.ts). */
  readonly relay: Relay
  #factStore: FactStore | undefined
  readonly #components: NodeComponents
  #status: NodeStatus = 'stopped'
  #store: MempoolStore | undefined
  #api: FastifyInstance | undefined
  #network: Network | undefined
  /** Signature checks of synced pages, while the network runs. */
  #signatureThreads: SignatureThreads | undefined
  #purgeTimer: NodeJS.Timeout | undefined

  constructor(config: NodeConfig, components: NodeComponents = {}) {
    this.config = config
    this.#components = components
    this.logger = components.logger ?? createLogger(config.log)
    const check = bidCheckOf(config.bids)
    this.bids =
      check &&
      new BidVerifications({
        check,
        config: config.bids,
        onResolved: (oracle, bid) => this.#rerankBid(oracle, bid),
        onFailure: (oracle, error) =>
          this.logger
            .child({ module: 'node' })
            .warn({ oracle, reason: (error as Error).message }, 'bid verification failed (counts 0)'),
      })
    this.mempool = new Mempool(config.mempool, {
      ...(components.now && { now: components.now }),
      ...(this.bids && { bidVerifier: this.bids }),
    })
    this.#pipeline = new AdmissionPipeline(this.mempool, (batch) =>
      this.#store!.applyAll(batch, floorsOf(this.mempool)),
    )
    // Verified after admission, so only ads that earned their place cost the verifier work.
    this.events.addEventListener('message:admitted', (event) => {
      const { message } = event.detail
      if (message.kind === 'oracle' && message.bid) this.bids?.request(message.bid, message.pubkey)
      if (message.kind === 'offer') this.#armPurge()
    })
    const capabilityOf = (key: string) => this.mempool.capabilities.get(key)?.message
    const { sync: _sync, ...factOptions } = config.facts
    this.facts = new FactPool(factOptions, { capabilityOf, reported: reportedIn(this.mempool) })
    this.relay = new Relay(config.relay, {
      capabilityOf,
      pool: this.facts,
      record: (message) => void this.addFact(message),
      ...(components.now && { now: () => components.now!() * 1000 }),
    })
  }

  /** A bid's verification resolved: re-rank its ad and persist the new rank (while running). */
  #rerankBid(oracle: string, bid: Bid): void {
    if (this.#status !== 'started' || !this.#store) return
    const changes = this.mempool.rerankBid(oracle, bid)
    if (changes.put.length > 0) this.#store.applyAll([changes], floorsOf(this.mempool))
  }

  /** The one path into the fact pool (REST, relay, sync): admits, then persists what changed. */
  addFact(value: unknown): FactAdmission {
    const admission = this.facts.add(value)
    this.#factStore?.apply(admission.changes)
    return admission
  }

  get status(): NodeStatus {
    return this.#status
  }

  /** The URL the REST API listens on, once started. */
  get url(): string | undefined {
    const address = this.#api?.server.address()
    if (!address || typeof address === 'string') return undefined
    const host = address.family === 'IPv6' ? `[${address.address}]` : address.address
    return `http://${host}:${address.port}`
  }

  /** The network, while started (undefined when `network.enabled` is false). */
  get network(): Network | undefined {
    return this.#network
  }

  /**
   * `message:admitted` for every message added or updated, from any source, once the store
   * has committed it.
   */
  get events(): TypedEventTarget<AdmissionEvents> {
    return this.#pipeline.events
  }

  /**
   * The one admission path (REST, gossip, sync): admits a validated message, persists what
   * changed, tells `events`, then answers. A local message (REST) is published too when it
   * was added, updated, or valid but kept by other shards (skipped: published so that it
   * reaches them); what came from peers is not (gossip forwards it itself, sync peers pull it).
   */
  submit(message: Validated<PoolMessage>, origin: Origin = 'local'): Admission {
    const admission = this.#pipeline.submit(message, origin)
    if (origin === 'local' && PUBLISHED.has(admission.status))
      void this.#network?.publish(message.kind, message)
    return admission
  }

  /**
   * Admits a batch nobody acknowledges one by one (a page of synced messages), unpublished, and
   * persists it in one transaction before returning: one commit per page instead of one per
   * message. Synchronous, so no other admission interleaves with the batch.
   */
  submitPage(messages: readonly Validated<PoolMessage>[], origin: Origin = 'sync'): Admission[] {
    return this.#pipeline.submitPage(messages, origin)
  }

  /** Purges the offers that expired, from the pools and the store, in one transaction. */
  #purgeExpired(): void {
    const changes = this.mempool.purgeExpired()
    if (changes.removed.length > 0) this.#store?.applyAll([changes], floorsOf(this.mempool))
    if (this.mempool.offers.size === 0) this.#disarmPurge()
  }

  /** Starts the purge timer if the node holds offers and it is not running (nor the store closed). */
  #armPurge(): void {
    if (this.#purgeTimer || !this.#store || this.mempool.offers.size === 0) return
    this.#purgeTimer = setInterval(() => this.#purgeExpired(), PURGE_INTERVAL_MS).unref()
  }

  #disarmPurge(): void {
    clearInterval(this.#purgeTimer)
    this.#purgeTimer = undefined
  }

  /** Whether the purge timer runs (it does while the node holds offers). */
  get purging(): boolean {
    return this.#purgeTimer !== undefined
  }

  /** Signature checks of a synced page: the threads start with the first page that needs them. */
  #checkSignatures(messages: readonly Uint8Array[]): Promise<SignatureCheck> {
    const threads = this.#signatureThreads
    if (!threads) return Promise.reject(new Error('signature threads stopped'))
    threads.start()
    return threads.check(messages)
  }

  /** Opens the store, restores the pools, starts the API, then joins the network. Idempotent. */
  async start(): Promise<void> {
    if (this.#status !== 'stopped') return
    this.#status = 'starting'
    const log = this.logger.child({ module: 'node' })
    try {
      const { store, report } = (this.#components.openStore ?? openAndRestore)(this.mempool, {
        dataDir: this.config.dataDir,
        ...this.config.store,
      })
      this.#store = store
      log.info({ ...report, dataDir: this.config.dataDir }, 'pools restored')
      // Admissions purge too; the timer covers a node that receives nothing.
      this.#armPurge()
      // After the mempool: a fact is kept only while the node holds its capability ad.
      this.#factStore = new FactStore(this.config.dataDir)
      log.info(this.#factStore.restore(this.facts), 'fact pool restored')
      const { enabled, sync, ...networkInit } = this.config.network
      // Spawned on first use (`#checkSignatures`): small syncs never need them.
      if (enabled && sync.signatureThreads !== 0)
        this.#signatureThreads = new SignatureThreads(
          sync.signatureThreads === undefined ? {} : { threads: sync.signatureThreads },
        )
      const network = enabled
        ? new Network(
            {
              submit: (message) => this.submit(message, 'gossip'),
              events: this.events,
              logger: this.logger.child({ module: 'network' }),
              dataDir: this.config.dataDir,
              services: {
                ...defaultServices(
                  this,
                  this.#signatureThreads && { check: (messages) => this.#checkSignatures(messages) },
                ),
                ...this.#components.libp2pServices?.(this),
              },
              ...(this.#components.now && { now: this.#components.now }),
            },
            networkInit,
          )
        : undefined
      this.#api = await buildApi(
        {
          mempool: this.mempool,
          submit: (message, origin) => this.submit(message, origin),
          events: this.events,
          logger: this.logger.child({ module: 'api' }),
          ...(network && { network }),
          ...(this.#store && { store: this.#store }),
          facts: { pool: this.facts, add: (value) => this.addFact(value) },
          ...(this.config.relay.clients !== 'none' && { relay: this.relay }),
        },
        apiInit(this.config),
      )
      const { host, port } = this.config.http
      await this.#api.listen({ host, port }).catch((error: unknown) => {
        throw httpListenError(error, host, port) ?? error
      })
      // Peers may send messages as soon as the network is up: the API is already serving them.
      this.#network = network
      await network?.start().catch((error: unknown) => {
        throw p2pListenError(error) ?? error
      })
      this.#status = 'started'
      log.info(
        { url: this.url, docs: `${this.url}/docs`, peerId: network?.peerId?.toString() },
        'node started',
      )
    } catch (error) {
      await this.stop()
      throw error
    }
  }

  /** Leaves the network, stops the API (draining requests), then closes the store. Idempotent. */
  async stop(): Promise<void> {
    if (this.#status === 'stopped' || this.#status === 'stopping') return
    this.#status = 'stopping'
    this.bids?.stop()
    await this.#network?.stop()
    this.#network = undefined
    // Cleared first, so a page still in flight cannot start them again.
    const threads = this.#signatureThreads
    this.#signatureThreads = undefined
    await threads?.stop()
    await this.#api?.close()
    this.#api = undefined
    this.#disarmPurge()
    this.#store?.close()
    this.#store = undefined
    this.#factStore?.close()
    this.#factStore = undefined
    this.#status = 'stopped'
    this.logger.child({ module: 'node' }).info('node stopped')
  }
}

function apiInit(config: NodeConfig): ApiInit {
  const {
    bodyLimit,
    requestTimeoutMs,
    maxConnectionsPerAddress,
    rateLimitMax,
    rateLimitWindowMs,
    maxEventClients,
    maxEventClientsPerAddress,
    docs,
    dashboard,
    trustProxy,
    corsOrigins,
  } = config.api
  return {
    ...(bodyLimit !== undefined && { bodyLimit }),
    ...(requestTimeoutMs !== undefined && { requestTimeoutMs }),
    ...(maxConnectionsPerAddress !== undefined && { maxConnectionsPerAddress }),
    rateLimit: {
      ...(rateLimitMax !== undefined && { max: rateLimitMax }),
      ...(rateLimitWindowMs !== undefined && { timeWindow: rateLimitWindowMs }),
    },
    events: {
      ...(maxEventClients !== undefined && { maxClients: maxEventClients }),
      ...(maxEventClientsPerAddress !== undefined && { maxClientsPerAddress: maxEventClientsPerAddress }),
    },
    ...(docs !== undefined && { docs }),
    ...(dashboard !== undefined && { dashboard }),
    ...(trustProxy !== undefined && { trustProxy }),
    ...(corsOrigins !== undefined && { corsOrigins }),
  }
}

/**
 * The libp2p services every networked node runs: set reconciliation with each peer, so a node
 * that joins late or returns from a partition pulls what it lacks. Fetched messages go through
 * the one admission path, unpublished (every node pulls for itself).
 */
function defaultServices(
  node: MegaNode,
  signatures: SignatureChecker | undefined,
): Record<string, ServiceFactory> {
  const { method, signatureThreads: _threads, ...init } = node.config.network.sync
  const source = new MempoolSyncSource(node.mempool, (message) => node.submit(message, 'sync'), {
    submitPage: (messages) => node.submitPage(messages, 'sync'),
    ...(signatures && { signatures }),
  })
  const session = method && { session: { method } }
  const facts = new FactSyncSource(node.facts, (value) => node.addFact(value))
  return {
    sync: syncService({ source, ...init, ...session }) as ServiceFactory,
    // The fact pool, reconciled on its own protocol with the same schedule (docs/sync.md §13).
    ...(node.config.facts.sync !== false && {
      factSync: syncService({
        source: facts,
        ...init,
        ...session,
        protocol: FACT_SYNC_PROTOCOL,
      }) as ServiceFactory,
    }),
  }
}
