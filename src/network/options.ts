/**
 * Options of the network layer. Plain data (structuredClone-able); every option optional in
 * {@link NetworkInit}; the defaults below say where each number comes from.
 */

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
  /** Milliseconds between announcements of this node's addresses on the peer-exchange topic. @default 10_000 */
  peerExchangeIntervalMs: number
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
  /** File of the node's libp2p private key, inside the data directory. @default 'node-key' */
  keyFile: string
}

/** Options given to the network: any subset, `orphans` merged with its defaults. */
export type NetworkInit = Partial<Omit<NetworkOptions, 'orphans'>> & { orphans?: Partial<OrphanOptions> }

export const defaultNetworkOptions: NetworkOptions = {
  listen: ['/ip4/127.0.0.1/tcp/9090', '/ip4/127.0.0.1/tcp/9091/ws'],
  announce: [],
  bootstrap: [],
  mdns: false,
  maxConnections: 64,
  minConnections: 8,
  peerExchangeIntervalMs: 10_000,
  maintenanceIntervalMs: 5_000,
  // Honest peers relay only what they admitted, and only rule breaks no honest node could have
  // admitted count (see verdicts.ts): ten in a minute is misbehaviour, not a race.
  invalidThreshold: 10,
  invalidWindowSeconds: 60,
  banSeconds: 3600,
  // Bitcoin Core holds 100 orphan transactions of ≤ 400 kB each; our messages are ≤ 64 KiB and
  // several peers may each be mid-way through an oracle's ads, so more of them, bounded in bytes.
  orphans: { maxCount: 1000, maxPerPeer: 100, maxBytes: 8 * 1024 * 1024, expirySeconds: 1200 },
  keyFile: 'node-key',
}

/** The defaults overlaid with `init`. */
export function networkOptions(init: NetworkInit = {}): NetworkOptions {
  const defined = Object.fromEntries(Object.entries(init).filter(([, value]) => value !== undefined))
  return {
    ...defaultNetworkOptions,
    ...defined,
    orphans: { ...defaultNetworkOptions.orphans, ...init.orphans },
  }
}
