/**
 * A Mega node: the mempool restored from its store, the REST API, and (with the network
 * milestone) gossip. Wired explicitly in dependency order and stopped in reverse.
 *
 * The one admission path is {@link MegaNode.submit}: admit into the mempool, then persist in one
 * transaction, and only then acknowledge — so an acknowledged message survives kill -9.
 */
import type { FastifyInstance } from 'fastify'
import { buildApi } from '../api/app.ts'
import type { ApiInit } from '../api/options.ts'
import type { Admission } from '../mempool/admission.ts'
import { Mempool } from '../mempool/mempool.ts'
import type { Message, PoolKind } from '../protocol/messages/index.ts'
import { floorsOf, type MempoolStore, openAndRestore } from '../store/index.ts'
import type { NodeConfig } from './config.ts'
import { createLogger, type Logger } from './logger.ts'

export type NodeStatus = 'stopped' | 'starting' | 'started' | 'stopping'

export interface NodeComponents {
  logger?: Logger
  /** Unix seconds. @default Date.now() / 1000 */
  now?: () => number
}

export class MegaNode {
  readonly config: NodeConfig
  readonly logger: Logger
  readonly mempool: Mempool
  #status: NodeStatus = 'stopped'
  #store: MempoolStore | undefined
  #api: FastifyInstance | undefined

  constructor(config: NodeConfig, components: NodeComponents = {}) {
    this.config = config
    this.logger = components.logger ?? createLogger(config.log)
    this.mempool = new Mempool(config.mempool, components.now ? { now: components.now } : {})
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

  /** Admits a message, persists what changed, then answers. The API and gossip both come here. */
  submit(_kind: PoolKind, message: Message): Admission {
    const { admission, changes } = this.mempool.admit(message)
    if (changes.put.length > 0 || changes.removed.length > 0)
      this.#store!.apply(changes, floorsOf(this.mempool))
    return admission
  }

  /** Opens the store, restores the pools, starts the API. Idempotent. */
  async start(): Promise<void> {
    if (this.#status !== 'stopped') return
    this.#status = 'starting'
    const log = this.logger.child({ module: 'node' })
    try {
      const { store, report } = openAndRestore(this.mempool, {
        dataDir: this.config.dataDir,
        ...this.config.store,
      })
      this.#store = store
      log.info({ ...report, dataDir: this.config.dataDir }, 'pools restored')
      this.#api = await buildApi(
        {
          mempool: this.mempool,
          submit: (kind, message) => this.submit(kind, message),
          logger: this.logger.child({ module: 'api' }),
        },
        apiInit(this.config),
      )
      await this.#api.listen({ host: this.config.http.host, port: this.config.http.port })
      this.#status = 'started'
      log.info({ url: this.url, docs: `${this.url}/docs` }, 'node started')
    } catch (error) {
      await this.stop()
      throw error
    }
  }

  /** Stops the API (draining requests), then closes the store. Idempotent. */
  async stop(): Promise<void> {
    if (this.#status === 'stopped' || this.#status === 'stopping') return
    this.#status = 'stopping'
    await this.#api?.close()
    this.#api = undefined
    this.#store?.close()
    this.#store = undefined
    this.#status = 'stopped'
    this.logger.child({ module: 'node' }).info('node stopped')
  }
}

function apiInit(config: NodeConfig): ApiInit {
  const { bodyLimit, rateLimitMax, rateLimitWindowMs, maxEventClients, docs, trustProxy } = config.api
  return {
    ...(bodyLimit !== undefined && { bodyLimit }),
    rateLimit: {
      ...(rateLimitMax !== undefined && { max: rateLimitMax }),
      ...(rateLimitWindowMs !== undefined && { timeWindow: rateLimitWindowMs }),
    },
    ...(maxEventClients !== undefined && { events: { maxClients: maxEventClients } }),
    ...(docs !== undefined && { docs }),
    ...(trustProxy !== undefined && { trustProxy }),
  }
}
