/**
 * Peer exchange over gossip (the wire format of libp2p's pubsub peer discovery, on our own
 * topic): every node announces its addresses, and whoever hears of a peer may dial it. A node
 * announces every `intervalMs` while it wants peers, once within `intervalMs` after hearing of a
 * new one, and every `maxIntervalMs` otherwise, so an idle network stays quiet.
 * Announcements cost nothing to make (a new peer id is a key pair), so each is checked before
 * it is kept or relayed:
 *
 * - a peer that sends more than `maxPerPeerPerMinute` (twice what an honest node relays) or a
 *   malformed announcement, or one whose announced key is not its gossip signer, is struck
 *   (gossipsub `Reject`: score and, with enough strikes, a ban);
 * - the node accepts, and so relays, at most `maxPerMinute` announcements in all (the rest are
 *   ignored: not kept, not relayed), which also bounds what an honest relay sends its peers;
 * - addresses outside the node's scopes are dropped; an announcement left with none is ignored;
 * - what is kept goes into a bounded table of candidates (peer-candidates.ts), not libp2p's peer
 *   store, and no address is dialled more than a bounded number of times.
 */
import { publicKeyFromProtobuf, publicKeyToProtobuf } from '@libp2p/crypto/keys'
import type { Message as GossipMessage } from '@libp2p/gossipsub'
import { TopicValidatorResult } from '@libp2p/gossipsub'
import type { PeerId, PublicKey } from '@libp2p/interface'
import { peerIdFromPublicKey } from '@libp2p/peer-id'
import { type Multiaddr, multiaddr } from '@multiformats/multiaddr'
import type { Logger } from 'pino'
import { Reader, Writer } from '../sync/index.ts'
import type { ScopeFilter } from './address-scope.ts'
import type { MegaGossipSub } from './libp2p.ts'
import type { PeerCandidates } from './peer-candidates.ts'
import { PEER_EXCHANGE_TOPIC } from './topics.ts'

/** Largest announcement, bytes: a key and {@link MAX_ANNOUNCED_ADDRESSES} addresses fit easily. */
const MAX_ANNOUNCEMENT_BYTES = 4096
/** Addresses in one announcement, at most (a node announces its first ones). */
const MAX_ANNOUNCED_ADDRESSES = 16

// Protobuf `Peer { bytes publicKey = 1; repeated bytes addrs = 2; }` field tags.
const PUBLIC_KEY_TAG = 0x0a
const ADDRESS_TAG = 0x12

/** A peer's announcement of itself. */
export interface Announcement {
  id: PeerId
  /** Its addresses, without `/p2p/…`. */
  addresses: Multiaddr[]
}

export function encodeAnnouncement(publicKey: PublicKey, addresses: readonly Multiaddr[]): Uint8Array {
  const out = new Writer()
  const key = publicKeyToProtobuf(publicKey)
  out.byte(PUBLIC_KEY_TAG).varint(key.length).bytes(key)
  for (const address of addresses.slice(0, MAX_ANNOUNCED_ADDRESSES))
    out.byte(ADDRESS_TAG).varint(address.bytes.length).bytes(address.bytes)
  return out.finish()
}

/**
 * Decodes an announcement and checks it is its signer's own: one key, at most
 * {@link MAX_ANNOUNCED_ADDRESSES} multiaddrs, nothing else, and the key is the one that signed
 * the gossip message. Undefined otherwise.
 */
function decodeAnnouncement(message: GossipMessage): Announcement | undefined {
  if (message.type !== 'signed' || message.data.length > MAX_ANNOUNCEMENT_BYTES) return undefined
  try {
    const reader = new Reader(message.data)
    let key: Uint8Array | undefined
    const addresses: Multiaddr[] = []
    while (!reader.done) {
      const tag = reader.byte()
      const field = reader.bytes(reader.varint())
      if (tag === PUBLIC_KEY_TAG && key === undefined) key = field
      else if (tag === ADDRESS_TAG && addresses.length < MAX_ANNOUNCED_ADDRESSES)
        addresses.push(withoutPeerId(multiaddr(field)))
      else return undefined
    }
    if (key === undefined) return undefined
    // An Ed25519 peer id is its protobuf key (an identity multihash): the same bytes are the
    // signer's key without building a peer id from them (any other form takes the long way).
    const signer = message.from.toMultihash()
    if (signer.code === IDENTITY_MULTIHASH && equalBytes(signer.digest, key))
      return { id: message.from, addresses }
    const id = peerIdFromPublicKey(publicKeyFromProtobuf(key) as never)
    return id.equals(message.from) ? { id, addresses } : undefined
  } catch {
    return undefined
  }
}

/** Multihash code of the identity hash: the digest is the input. */
const IDENTITY_MULTIHASH = 0x00

function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((byte, i) => byte === b[i])
}

function withoutPeerId(address: Multiaddr): Multiaddr {
  const components = address.getComponents()
  const cut = components.findIndex((component) => component.name === 'p2p')
  return cut < 0 ? address : multiaddr(components.slice(0, cut))
}

/** A token bucket: `perMinute` tokens a minute, at most `perMinute` held. */
class Bucket {
  readonly #perMinute: number
  #tokens: number
  #at: number

  constructor(perMinute: number, now: number) {
    this.#perMinute = perMinute
    this.#tokens = perMinute
    this.#at = now
  }

  take(now: number): boolean {
    this.#tokens = Math.min(this.#perMinute, this.#tokens + ((now - this.#at) * this.#perMinute) / 60_000)
    this.#at = now
    if (this.#tokens < 1) return false
    this.#tokens--
    return true
  }
}

export interface PeerExchangeOptions {
  /** Milliseconds between announcements while the node wants peers, and after news. */
  intervalMs: number
  /** Milliseconds between announcements while the node has its peers. */
  maxIntervalMs: number
  /** Announcements accepted (kept and relayed) per minute, from all peers. */
  maxPerMinute: number
  /** Announcements one peer may send per minute before each is a strike. */
  maxPerPeerPerMinute: number
}

/** Announcements from peers since start. */
export interface PeerExchangeCounters {
  /** Kept and relayed. */
  accepted: number
  /** Dropped without penalty: over the node's rate, no address in scope, this node's own. */
  ignored: number
  /** Malformed, not the signer's own, or over the sending peer's rate: a strike each. */
  rejected: number
}

export interface PeerExchangeComponents {
  pubsub: MegaGossipSub
  /** This node's id (with its public key) and its dialable addresses. */
  peerId: PeerId
  addresses: () => Multiaddr[]
  candidates: PeerCandidates
  scope: ScopeFilter
  isBanned: (peer: string) => boolean
  isConnected: (peer: string) => boolean
  strike: (peer: string, reason: string) => void
  /** A candidate was added or refreshed (the keeper may dial it). */
  announced: (peer: PeerId) => void
  /** Candidates evicted from the table (to be forgotten elsewhere too). */
  evicted: (peers: string[]) => void
  /** The node has fewer connections than it keeps (it announces at the short interval meanwhile). */
  wantsPeers: () => boolean
  logger: Logger
  /** Clock, ms. @default Date.now */
  now?: () => number
}

export class PeerExchange {
  readonly counters: PeerExchangeCounters = { accepted: 0, ignored: 0, rejected: 0 }
  readonly #c: PeerExchangeComponents
  readonly #options: PeerExchangeOptions
  readonly #now: () => number
  readonly #all: Bucket
  /** Per sending peer, the most recent 4096 (connected peers are far fewer). */
  readonly #perPeer = new Map<string, Bucket>()
  #timer: NodeJS.Timeout | undefined
  /** When the next announcement is due (ms, on {@link PeerExchangeComponents.now}'s clock). */
  #due = Number.POSITIVE_INFINITY
  #started = false

  constructor(components: PeerExchangeComponents, options: PeerExchangeOptions) {
    this.#c = components
    this.#options = options
    this.#now = components.now ?? Date.now
    this.#all = new Bucket(options.maxPerMinute, this.#now())
  }

  start(): void {
    const { pubsub } = this.#c
    pubsub.topicValidators.set(PEER_EXCHANGE_TOPIC, (peer, message) => this.validate(peer, message))
    pubsub.subscribe(PEER_EXCHANGE_TOPIC)
    this.#started = true
    this.#tick()
  }

  stop(): void {
    if (!this.#started) return
    this.#started = false
    clearTimeout(this.#timer)
    this.#timer = undefined
    this.#due = Number.POSITIVE_INFINITY
    this.#c.pubsub.topicValidators.delete(PEER_EXCHANGE_TOPIC)
    this.#c.pubsub.unsubscribe(PEER_EXCHANGE_TOPIC)
  }

  /**
   * Announces, then waits: the short interval while the node wants peers, otherwise
   * `maxIntervalMs`. A node with its peers has nothing new to tell: newcomers are answered by
   * {@link hurry}, and its periodic announcement only refreshes the others' candidate tables.
   * A network where nothing changes costs each node (network size ÷ maxIntervalMs)
   * announcements a second instead of (size ÷ intervalMs). (The wait used to double from the
   * short interval up to the longest: five minutes of ever rarer announcements after each
   * change, which at 20 nodes were half of what an idle node did a minute after the network
   * formed.)
   */
  #tick(): void {
    this.announce()
    const { intervalMs, maxIntervalMs } = this.#options
    this.#schedule(this.#c.wantsPeers() ? intervalMs : maxIntervalMs)
  }

  #schedule(delayMs: number): void {
    clearTimeout(this.#timer)
    this.#due = this.#now() + delayMs
    this.#timer = setTimeout(() => this.#tick(), delayMs)
    this.#timer.unref()
  }

  /**
   * Something changed (a peer never heard of announced itself, or the node lost peers): the next
   * announcement at a random point within the short interval (so that a newcomer hears from
   * every node over that interval, not from all at once). Nothing when one is due that soon
   * already. Then the node waits as before (`#tick`): what a newcomer needs is one announcement
   * from each node, and going back to the short interval, doubling from there, made every join
   * cost each node of an N-node network some 6 N announcements over the next five minutes, each
   * checked and relayed.
   */
  hurry(): void {
    if (!this.#started) return
    const { intervalMs } = this.#options
    if (this.#due - this.#now() <= intervalMs) return
    this.#schedule(Math.random() * intervalMs)
  }

  /** Publishes this node's addresses (when some peer listens). */
  announce(): void {
    const { pubsub, peerId } = this.#c
    if (!peerId.publicKey || pubsub.getSubscribers(PEER_EXCHANGE_TOPIC).length === 0) return
    const bytes = encodeAnnouncement(peerId.publicKey, this.#c.addresses().map(withoutPeerId))
    pubsub
      .publish(PEER_EXCHANGE_TOPIC, bytes)
      .catch((error: Error) =>
        this.#c.logger.debug({ err: error.message }, 'peer announcement not published'),
      )
  }

  /** The topic validator: strike, drop or keep and relay. Never throws. */
  validate(source: PeerId, message: GossipMessage): TopicValidatorResult {
    const from = source.toString()
    if (this.#c.isBanned(from)) return this.#ignore()
    const now = this.#now()
    if (!this.#bucketOf(from, now).take(now)) return this.#reject(from, 'peer announcements over the rate')
    const announcement = decodeAnnouncement(message)
    if (!announcement) return this.#reject(from, 'malformed peer announcement')
    if (announcement.id.equals(this.#c.peerId)) return this.#ignore()
    if (!this.#all.take(now)) return this.#ignore()
    const addresses = announcement.addresses.filter((address) => this.#c.scope.allows(address))
    if (addresses.length === 0) return this.#ignore()
    // New to the candidate table. Past the table's size (maxPeers), peers it evicted look new
    // again: a larger network needs a longer memory of announced peers (docs/network.md).
    const newcomer = this.#c.candidates.get(announcement.id.toString()) === undefined
    const evicted = this.#c.candidates.add(announcement.id, addresses, now, this.#c.isConnected)
    if (evicted.length > 0) this.#c.evicted(evicted)
    this.counters.accepted++
    this.#c.announced(announcement.id)
    if (newcomer) this.hurry()
    return TopicValidatorResult.Accept
  }

  #bucketOf(peer: string, now: number): Bucket {
    let bucket = this.#perPeer.get(peer)
    if (bucket) return bucket
    bucket = new Bucket(this.#options.maxPerPeerPerMinute, now)
    this.#perPeer.set(peer, bucket)
    if (this.#perPeer.size > 4096) this.#perPeer.delete(this.#perPeer.keys().next().value!)
    return bucket
  }

  #ignore(): TopicValidatorResult {
    this.counters.ignored++
    return TopicValidatorResult.Ignore
  }

  #reject(peer: string, reason: string): TopicValidatorResult {
    this.counters.rejected++
    this.#c.strike(peer, reason)
    return TopicValidatorResult.Reject
  }
}
