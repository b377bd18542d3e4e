/**
 * Gossip topics and the gossipsub settings tied to them: one topic per pool kind, message ids
 * from the content (so one message published by two nodes is one gossip message), and peer
 * scores that punish invalid messages without punishing quiet topics.
 */
import type { Message as GossipMessage, GossipsubOpts } from '@libp2p/gossipsub'
import type { PeerScoreParams } from '@libp2p/gossipsub/score'
import { backend } from '#crypto'
import { POOL_KINDS, type PoolKind, toHex } from '../protocol/index.ts'
import type { GossipMetrics } from './gossip-metrics.ts'
import { type GossipOptions, gossipOptions } from './options.ts'

/**
 * Prefix of the gossip topics; `2` is the protocol version (docs/protocol.md §1): nodes of
 * another version, whose messages this node would refuse, never share a topic with it.
 */
export const TOPIC_PREFIX = '/mega/2/'

/** Topic of the peer-exchange announcements (pubsub peer discovery): ours, not the libp2p-wide one. */
export const PEER_EXCHANGE_TOPIC = `${TOPIC_PREFIX}peers`

/** The gossip topic of a pool kind: `/mega/2/<kind>`. */
export function topicOf(kind: PoolKind): string {
  return `${TOPIC_PREFIX}${kind}`
}

const KIND_BY_TOPIC = new Map<string, PoolKind>(POOL_KINDS.map((kind) => [topicOf(kind), kind]))

/** The pool kind a topic carries, or undefined for any other topic. */
export function kindOfTopic(topic: string): PoolKind | undefined {
  return KIND_BY_TOPIC.get(topic)
}

/**
 * Gossip message id. On message topics: SHA-256 of the bytes, so the same message published by
 * several nodes (a client posting to more than one) dedupes in every seen-cache, and a message
 * with more work on it (other bytes) is news. Elsewhere (peer exchange): publisher and sequence
 * number, since a node re-announces the same bytes on purpose.
 */
function messageIdOf(message: GossipMessage): Uint8Array {
  if (KIND_BY_TOPIC.has(message.topic) || message.type !== 'signed') return backend.sha256(message.data)
  const from = message.from.toMultihash().bytes
  const input = new Uint8Array(from.length + 8)
  input.set(from)
  new DataView(input.buffer).setBigUint64(from.length, message.sequenceNumber)
  return backend.sha256(input)
}

/**
 * Local id computed before gossipsub checks the envelope's signature: a copy already seen
 * (each message arrives from several mesh peers) is dropped without verifying it again.
 */
function fastMessageIdOf(message: {
  topic: string
  data?: Uint8Array
  from?: Uint8Array
  seqno?: Uint8Array
}): string {
  if (KIND_BY_TOPIC.has(message.topic)) return toHex(backend.sha256(message.data ?? new Uint8Array()))
  return `${toHex(message.from ?? new Uint8Array())}:${toHex(message.seqno ?? new Uint8Array())}`
}

/**
 * Peer-score parameters. Per message topic (and the peer-exchange topic), only two terms: first deliveries (a small reward
 * for bringing news) and invalid deliveries (squared, so ~9 rejects in quick succession reach
 * the graylist at -80). Mesh-delivery quotas are off: our topics are quiet for long stretches,
 * and a quota would penalise honest peers for the silence of the network.
 * IP colocation is not counted for loopback, where a devnet runs all its nodes.
 */
function scoreParams(): Partial<PeerScoreParams> {
  const topic = {
    topicWeight: 1,
    timeInMeshWeight: 0,
    timeInMeshQuantum: 1000,
    timeInMeshCap: 3600,
    firstMessageDeliveriesWeight: 1,
    firstMessageDeliveriesDecay: 0.9,
    firstMessageDeliveriesCap: 10,
    meshMessageDeliveriesWeight: 0,
    meshMessageDeliveriesDecay: 0.5,
    meshMessageDeliveriesCap: 100,
    meshMessageDeliveriesThreshold: 1,
    meshMessageDeliveriesWindow: 10,
    meshMessageDeliveriesActivation: 5000,
    meshFailurePenaltyWeight: 0,
    meshFailurePenaltyDecay: 0.5,
    // Half-life of about a minute at one decay per second.
    invalidMessageDeliveriesWeight: -1,
    invalidMessageDeliveriesDecay: 0.99,
  }
  // Peer announcements: no reward for bringing them (they cost nothing to make), the same
  // penalty for malformed ones or a flood.
  const peers = { ...topic, firstMessageDeliveriesWeight: 0 }
  return {
    topics: {
      ...Object.fromEntries(POOL_KINDS.map((kind) => [topicOf(kind), topic])),
      [PEER_EXCHANGE_TOPIC]: peers,
    },
    topicScoreCap: 10,
    IPColocationFactorWhitelist: new Set(['127.0.0.1', '::1']),
  }
}

/** The message topics, one per pool kind. */
export const MESSAGE_TOPICS: readonly string[] = POOL_KINDS.map(topicOf)

/**
 * The gossipsub options of a Mega node: its mesh parameters (see options.ts), and the metrics
 * hooks that count copies and bytes on the wire (gossip-metrics.ts) when given.
 */
export function gossipsubOptions(
  gossip: GossipOptions = gossipOptions(),
  metrics?: GossipMetrics,
): Partial<GossipsubOpts> {
  const { meshDegree: D, meshDegreeLow: Dlo } = gossip
  return {
    D,
    Dlo,
    Dhi: gossip.meshDegreeHigh,
    // Gossipsub's defaults in proportion (4 and 2 of D = 6): the best-scored peers kept on
    // pruning, and the outbound peers kept in the mesh (fewer than Dlo, at most D / 2).
    Dscore: Math.max(1, Math.round((2 * D) / 3)),
    Dout: Math.max(0, Math.min(2, Math.floor(D / 2), Dlo - 1)),
    Dlazy: gossip.gossipDegree,
    gossipFactor: gossip.gossipFactor,
    heartbeatInterval: gossip.heartbeatIntervalMs,
    floodPublish: gossip.floodPublish,
    idontwantMinDataSize: gossip.idontwantMinBytes,
    ...(metrics && { metricsRegister: metrics.register, metricsTopicStrToLabel: metrics.topicLabels }),
    emitSelf: false,
    // A node alone (first of a devnet) still admits over REST; sync catches peers up later.
    allowPublishToZeroTopicPeers: true,
    // The same message submitted to two nodes: the second publish is a no-op, not an error.
    ignoreDuplicatePublishError: true,
    msgIdFn: messageIdOf,
    fastMsgIdFn: fastMessageIdOf,
    scoreParams: scoreParams(),
    // Only our topics: a peer cannot make us track topics we never use.
    allowedTopics: [...POOL_KINDS.map(topicOf), PEER_EXCHANGE_TOPIC],
  }
}

/** Gossipsub's method that sends IDONTWANTs to mesh peers (public on its class, not its interface). */
export interface IdontwantSender {
  sendIDontWants(messageId: Uint8Array, topic: string, source: string): void
}

/**
 * Makes gossipsub send no IDONTWANT for messages on the peer-exchange topic. An IDONTWANT
 * saves a copy only when it reaches the mesh peer before that peer forwards its own: message
 * topics hold the forward for it (`forwardDelayMs`), announcements are forwarded at once. Idle
 * nodes of a 20-node network sent 77–266 notices a minute (2–7 per announcement heard, one per
 * mesh peer) that spared 2–15 copies, each notice an RPC encrypted, sent, read and decrypted
 * as a copy is (bench/idle.ts --per-node).
 */
export function skipIdontwantOnPeerExchange(pubsub: IdontwantSender): void {
  const send = pubsub.sendIDontWants.bind(pubsub)
  pubsub.sendIDontWants = (id: Uint8Array, topic: string, source: string) => {
    if (topic !== PEER_EXCHANGE_TOPIC) send(id, topic, source)
  }
}
