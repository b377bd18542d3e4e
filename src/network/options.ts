/**
 * Options of the network layer. Plain data (structuredClone-able); every option optional in
 * {@link NetworkInit}; the defaults below say where each number comes from.
 */
import type { AddressScope } from './address-scope.ts'

/** Bounds of the orphan pool (messages that arrived before their parent). */
export interface OrphanOptions {
  /** Orphans held in all. @default 1000 */
  maxCount: number
  /** Orphans held per announcing peer, so one peer cannot crowd out the others. @default 100 */
  maxPerPeer: number
  /** Bytes of orphans held in all. @default 8 MiB */
  maxBytes: number
  /** Seconds an orphan waits for its parent before it is dropped. @default 1200 */
  expirySeconds: number
}

/**
 * Gossipsub's mesh and gossip parameters (its names in brackets). Propagation cost and speed
 * depend on them; bench/propagation.ts measures both, with these and with gossipsub's defaults.
 */
export interface GossipOptions {
  /** Peers per topic a node forwards every message to, its mesh (D). @default 4 */
  meshDegree: number
  /** Fewer mesh peers than this and the node grafts more at the next heartbeat (Dlo). @default 3 */
  meshDegreeLow: number
  /** More mesh peers than this and the node prunes down to `meshDegree` (Dhi). @default 8 */
  meshDegreeHigh: number
  /** Peers outside the mesh told each heartbeat which messages the node has (IHAVE), at least (Dlazy). @default 3 */
  gossipDegree: number
  /** Share of the peers outside the mesh told (IHAVE) each heartbeat, when more than `gossipDegree`. @default 0.1 */
  gossipFactor: number
  /** Milliseconds between heartbeats: mesh upkeep and IHAVE gossip. @default 1000 */
  heartbeatIntervalMs: number
  /**
   * A node sends its own new messages to every peer on the topic (true) rather than to its
   * mesh only (false). @default false
   */
  floodPublish: boolean
  /**
   * Messages at least this large are announced to mesh peers as soon as they arrive, before
   * validation (IDONTWANT, gossipsub v1.2), so peers do not send the node copies it already
   * has. @default 0 (gossipsub's is 512; with `forwardDelayMs` the notice saves copies of small messages too)
   */
  idontwantMinBytes: number
  /**
   * Milliseconds an accepted message from a peer is held before gossipsub forwards it. The
   * node's IDONTWANT goes out on arrival, before validation: holding the forward a little lets
   * the mesh peers' own IDONTWANTs for the same message arrive first, so the node skips the
   * peers that already have it. Each hop is that much slower. @default 25
   */
  forwardDelayMs: number
}

/** Bounds of peer exchange (peer-exchange.ts): what announcements may cost a node. */
export interface PeerExchangeLimits {
  /** Candidate peers kept (announced, discovered, connected before); the least useful go first. @default 256 */
  maxPeers: number
  /** Announcements accepted, so kept and relayed, per minute from all peers; the rest are dropped. @default 600 */
  maxPerMinute: number
  /**
   * Announcements one peer may send per minute; each one beyond is a strike. At least twice
   * the `maxPerMinute` of the network's nodes, which is what an honest peer may relay. @default 1200
   */
  maxPerPeerPerMinute: number
  /**
   * Milliseconds between this node's own announcements while it has `minConnections` peers (it
   * announces every `peerExchangeIntervalMs` while short of them); hearing of a new peer brings
   * one more within `peerExchangeIntervalMs`. @default 320_000
   */
  maxIntervalMs: number
}

export interface NetworkOptions {
  /**
   * Multiaddrs to listen on. Loopback by default, like the REST API: a node is reachable from
   * other machines only when its operator says so (`/ip4/0.0.0.0/tcp/9090` + `announce`).
   * Port 0 picks a free port. @default TCP 9090 and WebSocket 9091 on 127.0.0.1
   */
  listen: string[]
  /** Multiaddrs announced to peers instead of the listen addresses (public address behind NAT). @default [] */
  announce: string[]
  /** Multiaddrs with `/p2p/<peer id>` dialled at start and whenever the node has too few connections. @default [] */
  bootstrap: string[]
  /** Find peers on the local network by multicast DNS (LAN demos). @default false */
  mdns: boolean
  /** Connections kept at most; libp2p prunes the least valuable beyond it. @default 64 */
  maxConnections: number
  /**
   * Connections the node keeps dialling discovered and known peers for. Eight, as Bitcoin
   * Core's outbound slots: enough paths that one dishonest neighbour cannot isolate the node.
   * @default 8
   */
  minConnections: number
  /**
   * Milliseconds between announcements of this node's addresses on the peer-exchange topic while
   * it is short of peers, and within which it answers a new peer (see `peerExchange.maxIntervalMs`
   * for the rest of the time). @default 10_000
   */
  peerExchangeIntervalMs: number
  /** Bounds of peer exchange. */
  peerExchange: PeerExchangeLimits
  /**
   * Scopes of the addresses this node dials (announced, discovered or learnt from a peer):
   * `loopback`, `private` (RFC 1918, link-local, unique-local), `public` (the rest, DNS names
   * included). The bootstrap list is dialled whatever its scope. @default the scopes of the
   * announce addresses, or else of the listen addresses (0.0.0.0 / ::: private and public)
   */
  addressScopes?: AddressScope[]
  /**
   * Dials of one address (IP and port, under any peer id) without a success, at most; the
   * bootstrap list aside. A dead or hostile address is dialled this often, not forever. @default 3
   */
  maxDialsPerAddress: number
  /** Milliseconds between maintenance rounds: redial, orphan expiry, ban expiry. @default 5_000 */
  maintenanceIntervalMs: number
  /** Invalid messages from one peer within `invalidWindowSeconds` that get it banned. @default 10 */
  invalidThreshold: number
  /** Window of the invalid-message count, seconds. @default 60 */
  invalidWindowSeconds: number
  /** Seconds a banned peer is disconnected and refused (dials and inbound). @default 3600 */
  banSeconds: number
  /** Orphan pool bounds. */
  orphans: OrphanOptions
  /** Gossipsub mesh and gossip parameters. */
  gossip: GossipOptions
  /** File of the node's libp2p private key, inside the data directory. @default 'node-key' */
  keyFile: string
}

/** Options given to the network: any subset, `orphans` merged with its defaults. */
export type NetworkInit = Partial<Omit<NetworkOptions, 'orphans' | 'gossip' | 'peerExchange'>> & {
  orphans?: Partial<OrphanOptions>
  gossip?: Partial<GossipOptions>
  peerExchange?: Partial<PeerExchangeLimits>
}

/** Gossipsub's own defaults (js-libp2p gossipsub 17, as the spec's): what bench/propagation.ts compares with. */
export const GOSSIPSUB_DEFAULTS: GossipOptions = {
  meshDegree: 6,
  meshDegreeLow: 4,
  meshDegreeHigh: 12,
  gossipDegree: 6,
  gossipFactor: 0.25,
  heartbeatIntervalMs: 1000,
  floodPublish: true,
  idontwantMinBytes: 512,
  forwardDelayMs: 0,
}

export const defaultNetworkOptions: NetworkOptions = {
  listen: ['/ip4/127.0.0.1/tcp/9090', '/ip4/127.0.0.1/tcp/9091/ws'],
  announce: [],
  bootstrap: [],
  mdns: false,
  maxConnections: 64,
  minConnections: 8,
  peerExchangeIntervalMs: 10_000,
  // A 50-node network announcing every 10 s makes 300 announcements a minute: room for twice
  // that. A candidate table of 256 is 32 times minConnections, about 0.2 MB. Once a node has its
  // peers, it announces every 320 s (and once when it hears of a newcomer): a 50-node network
  // then makes ~9 a minute instead of 300, each one signed, checked and relayed by every node
  // (bench/idle.ts).
  peerExchange: { maxPeers: 256, maxPerMinute: 600, maxPerPeerPerMinute: 1200, maxIntervalMs: 320_000 },
  maxDialsPerAddress: 3,
  maintenanceIntervalMs: 5_000,
  // Honest peers relay only what they admitted, and only rule breaks no honest node could have
  // admitted count (see verdicts.ts): ten in a minute is misbehaviour, not a race.
  invalidThreshold: 10,
  invalidWindowSeconds: 60,
  banSeconds: 3600,
  // Bitcoin Core holds 100 orphan transactions of ≤ 400 kB each; our messages are ≤ 64 KiB and
  // several peers may each be mid-way through an oracle's ads, so more of them, bounded in bytes.
  orphans: { maxCount: 1000, maxPerPeer: 100, maxBytes: 8 * 1024 * 1024, expirySeconds: 1200 },
  // Measured by bench/propagation.ts (loopback, 10–50 nodes, 2 cores; docs/network.md): a node
  // receives about (mesh peers − 1) copies of each message, since two mesh peers that got it
  // from elsewhere send it to each other at once. Gossipsub's 6/4/12 gave 6–7 copies per node
  // per message. IDONTWANT goes out on arrival, before validation, but validation takes ~1 ms,
  // so alone it rarely wins that race; holding the forward for 10 ms lets the mesh peers'
  // IDONTWANTs arrive first, and copies fall to ~1.2 (bytes sent −40% even with the notices,
  // which are ~45 B per mesh peer, so sent for every message size). With copies no longer
  // growing with the mesh, a mesh of 4 (Dlo 3) keeps more independent paths than 3. Publishing
  // to the mesh only (floodPublish off) still reaches at least D peers. Meshes settle between D
  // and Dhi (a node takes grafts until Dhi): with Dhi 8 they average 4.8–5.2 peers, with 5 they
  // averaged 4.2–4.6 and copies fell from 1.4 to 1.2, but a node that joins a settled network
  // finds its peers' meshes full, is refused and waits out a one-minute prune backoff: at 50
  // nodes one such node, with no mesh peer, took p99 full coverage from 282 to 1,611 ms. Dhi 8
  // leaves room for joiners (p99 389 and 407 ms, every mesh at Dlo). A busy machine
  // delays a peer's IDONTWANT by more than 10 ms (its process waits for a core): a 25 ms hold
  // still wins that race there: at 10 nodes copies fell from 1.6–1.95 to 1.3 (docs/network.md).
  gossip: {
    meshDegree: 4,
    meshDegreeLow: 3,
    meshDegreeHigh: 8,
    gossipDegree: 3,
    gossipFactor: 0.1,
    heartbeatIntervalMs: 1000,
    floodPublish: false,
    idontwantMinBytes: 0,
    forwardDelayMs: 25,
  },
  keyFile: 'node-key',
}

/** `init` without its undefined fields, so that spread over defaults it keeps them. */
export function definedFields<T extends object>(init: T): Partial<T> {
  return Object.fromEntries(Object.entries(init).filter(([, value]) => value !== undefined)) as Partial<T>
}

/** The defaults overlaid with `init`. */
export function networkOptions(init: NetworkInit = {}): NetworkOptions {
  return {
    ...defaultNetworkOptions,
    ...definedFields(init),
    orphans: { ...defaultNetworkOptions.orphans, ...init.orphans },
    peerExchange: { ...defaultNetworkOptions.peerExchange, ...definedFields(init.peerExchange ?? {}) },
    gossip: gossipOptions(init.gossip),
  }
}

/** Gossip options over the defaults; throws when the mesh bounds are out of order. */
export function gossipOptions(init: Partial<GossipOptions> = {}): GossipOptions {
  const gossip: GossipOptions = { ...defaultNetworkOptions.gossip, ...definedFields(init) }
  const problem = meshDegreeProblem(gossip)
  if (problem) throw new RangeError(`gossip mesh degrees ${problem}`)
  return gossip
}

/** The order gossip's mesh degrees must keep, in words. */
export const MESH_DEGREE_ORDER = '1 ≤ meshDegreeLow ≤ meshDegree ≤ meshDegreeHigh'

/** What is wrong with the mesh degrees of `gossip` (over the defaults), or undefined. */
export function meshDegreeProblem(init: Partial<GossipOptions>): string | undefined {
  const gossip = { ...defaultNetworkOptions.gossip, ...definedFields(init) }
  const { meshDegreeLow: low, meshDegree: d, meshDegreeHigh: high } = gossip
  if (low >= 1 && low <= d && d <= high) return undefined
  return `must satisfy ${MESH_DEGREE_ORDER}, got ${low}, ${d}, ${high}`
}
