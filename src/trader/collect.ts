/**
 * Collecting from nodes into the trader store: oracles (ad, capabilities, reports with their
 * disputes) and offers. Nothing a node says is taken on trust: every embedded message is
 * checked before it is stored (see {@link TraderStore.put}); a message that fails is left out
 * and reported, and a response that is not what the API promises stops the collection with
 * `NODE_RESPONSE_INVALID`.
 */
import { type NodeClient, NodeUnreachableError } from '../client/index.ts'
import { TraderError, TraderErrorCode } from './errors.ts'
import type { MessageStore } from './message-store.ts'

/** What a collection did. */
export interface Collected {
  /** Messages stored or already held. */
  stored: number
  /** Messages refused, with why. */
  rejected: { source: string; reason: string }[]
}

export interface OracleCollectQuery {
  tag?: string
  text?: string
  /** Oracles to take from the node's ranking. @default 100 */
  limit?: number
}

/** Page size of listings (the API's maximum). */
const PAGE = 100

/**
 * Collects the oracles a node ranks (filtered by tag or question text), each with its
 * capabilities and the reports against it. Returns the keys collected.
 */
export async function collectOracles(
  client: NodeClient,
  store: MessageStore,
  query: OracleCollectQuery = {},
): Promise<Collected & { keys: string[] }> {
  const limit = query.limit ?? 100
  const keys: string[] = []
  const filter: Record<string, string> = {}
  if (query.tag !== undefined) filter.tag = query.tag
  if (query.text !== undefined) filter.text = query.text
  for await (const item of pages(client, 'oracles', filter, limit)) {
    const key = field(item, 'key', client, 'oracles')
    if (!/^[0-9a-f]{64}$/.test(key)) throw bad(client, 'oracles', 'an oracle key is not 64 hex digits')
    keys.push(key)
  }
  const result: Collected & { keys: string[] } = { stored: 0, rejected: [], keys }
  for (const key of keys) await collectOracle(client, store, key, result)
  return result
}

/**
 * Collects one oracle: its ad, capabilities, and the reports against it with their disputes.
 * Returns false when the node does not hold it.
 */
export async function collectOracle(
  client: NodeClient,
  store: MessageStore,
  key: string,
  result: Collected = { stored: 0, rejected: [] },
): Promise<boolean> {
  const path = `oracles/${key}`
  const { status, body } = await client.get(path)
  if (status === 404) return false
  if (status !== 200 || !isObject(body)) throw bad(client, path, `answered ${status}`)
  keep(store, body.ad, client, path, result)
  const capabilities = body.capabilities
  if (!Array.isArray(capabilities)) throw bad(client, path, '"capabilities" is not an array')
  for (const view of capabilities) keep(store, isObject(view) ? view.message : view, client, path, result)
  for await (const view of pages(client, 'reports', { oracle: key }, Number.POSITIVE_INFINITY)) {
    keep(store, view.message, client, `reports?oracle=${key}`, result)
    if (view.dispute !== undefined) keep(store, view.dispute, client, `reports?oracle=${key}`, result)
  }
  return true
}

/** Collects offers (all, or one capability's), every stage. */
export async function collectOffers(
  client: NodeClient,
  store: MessageStore,
  query: { capability?: string; limit?: number } = {},
): Promise<Collected> {
  const result: Collected = { stored: 0, rejected: [] }
  const filter: Record<string, string> =
    query.capability === undefined ? {} : { capability: query.capability }
  for await (const view of pages(client, 'offers', filter, query.limit ?? 1000)) {
    keep(store, view.message, client, 'offers', result)
  }
  return result
}

/**
 * Runs `work` on every node. A node that cannot be reached or answers nonsense is skipped and
 * returned with why; only when every node fails is the first failure thrown.
 */
export async function eachNode(
  nodes: readonly NodeClient[],
  work: (node: NodeClient) => Promise<void>,
): Promise<Collected['rejected']> {
  const skipped: Collected['rejected'] = []
  const failures: unknown[] = []
  for (const node of nodes) {
    try {
      await work(node)
    } catch (error) {
      const isNodeFault =
        error instanceof NodeUnreachableError ||
        (error instanceof TraderError && error.code === TraderErrorCode.NODE_RESPONSE_INVALID)
      if (!isNodeFault) throw error
      failures.push(error)
      skipped.push({ source: node.url, reason: (error as Error).message })
    }
  }
  if (failures.length > 0 && failures.length === nodes.length) throw failures[0]
  return skipped
}

function keep(
  store: MessageStore,
  message: unknown,
  client: NodeClient,
  path: string,
  result: Collected,
): void {
  try {
    store.put(message, { origin: client.url })
    result.stored++
  } catch (error) {
    if (!(error instanceof TraderError)) throw error
    const reason = error.message.startsWith(`${client.url}: `)
      ? error.message.slice(client.url.length + 2)
      : error.message
    result.rejected.push({ source: `${client.url}/${path}`, reason })
  }
}

async function* pages(
  client: NodeClient,
  path: string,
  query: Record<string, string>,
  limit: number,
): AsyncGenerator<Record<string, unknown>> {
  let cursor: string | undefined
  let count = 0
  do {
    const { status, body } = await client.get(path, {
      ...query,
      limit: String(PAGE),
      ...(cursor !== undefined && { cursor }),
    })
    if (status !== 200 || !isObject(body) || !Array.isArray(body.items))
      throw bad(client, path, `answered ${status} without a page of items`)
    for (const item of body.items) {
      if (!isObject(item)) throw bad(client, path, 'an item is not an object')
      yield item
      if (++count >= limit) return
    }
    if (body.next !== undefined && typeof body.next !== 'string')
      throw bad(client, path, '"next" is not a string')
    cursor = body.next as string | undefined
  } while (cursor !== undefined)
}

function field(item: Record<string, unknown>, name: string, client: NodeClient, path: string): string {
  const value = item[name]
  if (typeof value !== 'string') throw bad(client, path, `an item has no string "${name}"`)
  return value
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

function bad(client: NodeClient, path: string, what: string): TraderError {
  return new TraderError(TraderErrorCode.NODE_RESPONSE_INVALID, `${client.url}/${path} ${what}`, {
    url: `${client.url}/${path}`,
  })
}
