/**
 * Advertising (`mega oracle advertise`): posts the oracle ad and its capabilities to nodes,
 * and on an interval re-signs the ad with a higher `seqNo` (an update, which nodes gossip on)
 * and posts everything again, so a node that evicted the oracle or lost it gets it back.
 *
 * Each round notices what a node says: a `LOW_POW` refusal (409) carries the bits the pool
 * wants now (`requiredBits`, the rolling floor `floorBits`); an oracle the node held last round
 * and no longer holds was evicted. With `mineMore`, the advertiser upgrades the PoW to the
 * required bits (up to a cap) and posts again.
 */
import { NodeClient, NodeUnreachableError } from '../client/index.ts'
import type { RootKey } from '../keys/index.ts'
import { mine } from '../miner/index.ts'
import { type OracleId, type PoolKind, powBoundOf } from '../protocol/index.ts'
import { mineIdentity, resignAd } from './identity.ts'
import { sleep } from './sleep.ts'
import { type CapabilityRecord, loadState, saveState } from './state.ts'

/** What one POST did. */
export interface PostOutcome {
  /** HTTP status (0 when the node was unreachable). */
  status: number
  result: 'added' | 'updated' | 'duplicate' | 'skipped' | 'low-pow' | 'refused' | 'unreachable'
  /** Problem code when refused. */
  code?: string
  message?: string
  /** For `low-pow`: the bits that would enter now. */
  requiredBits?: number
  floorBits?: number
}

/** What one node said in one round. */
export interface NodeAnnouncement {
  node: string
  /** The node held the oracle before this round's posts. */
  heldBefore: boolean
  /** The node held it at the end of the previous round and not at the start of this one. */
  evicted: boolean
  oracle: PostOutcome
  capabilities: { label: string; outcome: PostOutcome }[]
  /** The node's oracle pool after the posts (`GET /stats`), when it answered. */
  pool?: { count: number; capacity: number; floorBits: number }
  /** Bits of the ad posted. */
  adBits: number
  /** The pool is full and its floor is within one bit of the ad: next to be evicted. */
  atRisk: boolean
}

/** Posts the ad and the capabilities to every node, in parallel across nodes. */
async function announce(
  clients: readonly NodeClient[],
  ad: OracleId,
  capabilities: readonly CapabilityRecord[],
  heldLastRound: ReadonlySet<string> = new Set(),
): Promise<NodeAnnouncement[]> {
  const adBits = ad.pow.bits
  return Promise.all(
    clients.map(async (client) => {
      const heldBefore = await holds(client, ad.pubkey)
      const oracle = await post(client, 'oracle', ad)
      const results: NodeAnnouncement['capabilities'] = []
      for (const record of capabilities) {
        results.push({ label: record.label, outcome: await post(client, 'capability', record.ad) })
      }
      const pool = await oraclePool(client)
      return {
        node: client.url,
        heldBefore,
        evicted: heldLastRound.has(client.url) && !heldBefore,
        oracle,
        capabilities: results,
        ...(pool && { pool }),
        adBits,
        atRisk: pool !== undefined && pool.count >= pool.capacity && adBits - pool.floorBits < 1,
      }
    }),
  )
}

/** The node's oracle pool: how full, and its rolling floor (a raised floor means evictions). */
async function oraclePool(client: NodeClient): Promise<NodeAnnouncement['pool']> {
  try {
    const response = await client.get('stats')
    const pool = (response.body as { mempool?: { oracles?: NodeAnnouncement['pool'] } })?.mempool?.oracles
    if (response.status !== 200 || typeof pool?.floorBits !== 'number') return undefined
    return { count: pool.count, capacity: pool.capacity, floorBits: pool.floorBits }
  } catch {
    return undefined
  }
}

async function holds(client: NodeClient, key: string): Promise<boolean> {
  try {
    return (await client.get(`oracles/${key}`)).status === 200
  } catch {
    return false
  }
}

async function post(client: NodeClient, kind: PoolKind, message: unknown): Promise<PostOutcome> {
  let response: Awaited<ReturnType<NodeClient['post']>>
  try {
    response = await client.post(kind, message)
  } catch (error) {
    if (error instanceof NodeUnreachableError)
      return { status: 0, result: 'unreachable', message: error.message }
    throw error
  }
  const body = (response.body ?? {}) as Record<string, unknown>
  if (response.status < 300) return { status: response.status, result: body.status as PostOutcome['result'] }
  return {
    status: response.status,
    result: response.status === 409 ? 'low-pow' : 'refused',
    ...(typeof body.code === 'string' && { code: body.code }),
    ...(typeof body.detail === 'string' && { message: body.detail }),
    ...(typeof body.requiredBits === 'number' && { requiredBits: body.requiredBits }),
    ...(typeof body.floorBits === 'number' && { floorBits: body.floorBits }),
  }
}

export interface AdvertiserOptions {
  dir: string
  root: RootKey
  nodes: readonly string[]
  /** Milliseconds between rounds. @default 600_000 (the nodes' floor half-life) */
  intervalMs?: number
  /** Mine up to the bits a node asks for, but never above this many; undefined: only report. */
  mineUpToBits?: number
  threads?: number
  signal?: AbortSignal
  /** Called after each round (and after each re-announcement following extra mining). */
  onRound?: (round: NodeAnnouncement[]) => void
  /** Called when mining more: what and to how many bits. */
  onMining?: (what: string, bits: number) => void
}

/** The highest `requiredBits` a round asks of the oracle ad, and of each capability label. */
function bitsNeeded(round: readonly NodeAnnouncement[]) {
  let oracle: number | undefined
  const capabilities = new Map<string, number>()
  for (const node of round) {
    const wanted = node.oracle.requiredBits
    if (node.oracle.result === 'low-pow' && wanted !== undefined) oracle = Math.max(oracle ?? 0, wanted)
    for (const { label, outcome } of node.capabilities) {
      if (outcome.result === 'low-pow' && outcome.requiredBits !== undefined) {
        capabilities.set(label, Math.max(capabilities.get(label) ?? 0, outcome.requiredBits))
      }
    }
  }
  return { oracle, capabilities }
}

/** Runs one round: re-sign, post everywhere, mine more if asked and allowed, post again. */
export async function advertiseRound(
  options: AdvertiserOptions,
  heldLastRound: ReadonlySet<string> = new Set(),
): Promise<NodeAnnouncement[]> {
  const clients = options.nodes.map((url) => new NodeClient({ url }))
  let state = await loadState(options.dir)
  const ad = resignAd(state, options.root)
  await saveState(options.dir, state)
  let round = await announce(clients, ad, state.capabilities, heldLastRound)
  options.onRound?.(round)
  const cap = options.mineUpToBits
  if (cap === undefined) return round
  const needed = bitsNeeded(round)
  let mined = false
  if (needed.oracle !== undefined && needed.oracle <= cap && needed.oracle > ad.pow.bits) {
    options.onMining?.('oracle', needed.oracle)
    await mineIdentity({ dir: options.dir, root: options.root, bits: needed.oracle, ...threads(options) })
    mined = true
  }
  state = await loadState(options.dir)
  for (const [label, bits] of needed.capabilities) {
    const record = state.capabilities.find((candidate) => candidate.label === label)
    if (!record || bits > cap || bits <= record.ad.pow.bits) continue
    options.onMining?.(label, bits)
    // Anyone may add work to a capability: the PoW is not covered by its signature.
    const pow = await mine({ bound: powBoundOf(record.ad), bits, from: record.ad.pow, ...threads(options) })
    record.ad = { ...record.ad, pow }
    mined = true
  }
  if (!mined) return round
  await saveState(options.dir, state)
  round = await announce(clients, state.ad!, state.capabilities, heldLastRound)
  options.onRound?.(round)
  return round
}

/** Advertises until `signal` aborts: one round now, then one per interval. */
export async function advertiseLoop(options: AdvertiserOptions): Promise<void> {
  const interval = options.intervalMs ?? 600_000
  let held = new Set<string>()
  while (!options.signal?.aborted) {
    const round = await advertiseRound(options, held)
    held = new Set(
      round.filter((node) => node.oracle.status > 0 && node.oracle.status < 300).map((node) => node.node),
    )
    await sleep(interval, options.signal)
  }
}

function threads(options: AdvertiserOptions) {
  return options.threads !== undefined ? { threads: options.threads } : {}
}
