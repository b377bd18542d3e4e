/**
 * The libp2p node of a Mega node: TCP and WebSockets, Noise, Yamux, identify, ping, gossipsub
 * (which also carries peer exchange, peer-exchange.ts) and optional mDNS (design §10).
 */
import { type GossipSub, gossipsub } from '@libp2p/gossipsub'
import { identify } from '@libp2p/identify'
import type { ConnectionGater, Libp2p, PeerDiscovery, PrivateKey } from '@libp2p/interface'
import { mdns } from '@libp2p/mdns'
import { noise } from '@libp2p/noise'
import { type Ping, ping } from '@libp2p/ping'
import { tcp } from '@libp2p/tcp'
import { webSockets } from '@libp2p/websockets'
import { yamux } from '@libp2p/yamux'
import { multiaddr } from '@multiformats/multiaddr'
import { createLibp2p, type Libp2pOptions } from 'libp2p'
import { NetworkError, NetworkErrorCode } from './errors.ts'
import type { GossipMetrics } from './gossip-metrics.ts'
import type { NetworkOptions } from './options.ts'
import { gossipsubOptions, type IdontwantSender, skipIdontwantOnPeerExchange } from './topics.ts'
import { installHalfWindowUpdates } from './yamux-window.ts'

/** Milliseconds between libp2p's connection-monitor pings of each connection. */
const CONNECTION_PING_INTERVAL_MS = 60_000

/** Gossipsub with the peer score and meshes it keeps (not on its public interface). */
export type MegaGossipSub = GossipSub & {
  getScore(peer: string): number
  getMeshPeers(topic: string): string[]
  /** Mesh peers by topic (read only: gossipsub's own). */
  readonly mesh: ReadonlyMap<string, ReadonlySet<string>>
}

/** The services every Mega libp2p node runs; plugged-in services come on top. */
export interface MegaServices extends Record<string, unknown> {
  identify: unknown
  ping: Ping
  pubsub: MegaGossipSub
}

/**
 * A libp2p service factory, as libp2p's `services` takes them: called with libp2p's
 * components (peer id, registrar, connection manager, …) and returning the service.
 */
// biome-ignore lint/suspicious/noExplicitAny: libp2p's components object is typed per service
export type ServiceFactory = (components: any) => unknown

export interface MegaLibp2pInit {
  privateKey: PrivateKey
  gater: ConnectionGater
  /** More libp2p services (the sync protocol): merged with ours; names must not clash. */
  services?: Record<string, ServiceFactory>
  /** Counters of copies and bytes on the wire, fed by gossipsub's metrics hooks. */
  metrics?: GossipMetrics
}

/** Creates (does not start) the libp2p node. Throws `BAD_MULTIADDR` for an unusable address. */
export async function createMegaLibp2p(
  options: NetworkOptions,
  { privateKey, gater, services = {}, metrics }: MegaLibp2pInit,
): Promise<Libp2p<MegaServices>> {
  for (const address of [...options.listen, ...options.announce]) checkMultiaddr(address)
  for (const name of Object.keys(services)) {
    if (['identify', 'ping', 'pubsub'].includes(name)) throw new Error(`service name "${name}" is taken`)
  }
  // Otherwise every gossip RPC received costs a window-update frame back (yamux-window.ts).
  installHalfWindowUpdates()
  // Peer exchange is ours (peer-exchange.ts), on gossip: bounded and checked.
  const peerDiscovery = (options.mdns ? [mdns()] : []) as ((
    components: never,
  ) => PeerDiscovery)[] as NonNullable<Libp2pOptions['peerDiscovery']>
  const node = await createLibp2p({
    privateKey,
    start: false,
    addresses: { listen: options.listen, announce: options.announce },
    transports: [tcp(), webSockets()],
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()],
    connectionGater: gater,
    connectionManager: { maxConnections: options.maxConnections },
    // libp2p pings every connection every 10 s on a new stream (stream setup, multistream
    // negotiation, Noise frames each way), a steady cost of an idle node with 8 or more peers.
    // Yamux's keep-alive (every 30 s) already finds dead connections; the monitor's ping keeps
    // the round trip in /peers current (and drops a peer that stops answering), for which once
    // a minute is enough.
    connectionMonitor: { pingInterval: CONNECTION_PING_INTERVAL_MS },
    peerDiscovery,
    services: {
      ...services,
      identify: identify(),
      ping: ping(),
      pubsub: gossipsub(gossipsubOptions(options.gossip, metrics)),
    },
  })
  skipIdontwantOnPeerExchange(node.services.pubsub as unknown as IdontwantSender)
  return node as unknown as Libp2p<MegaServices>
}

/** Throws `BAD_MULTIADDR` unless `text` parses as a multiaddr. */
export function checkMultiaddr(text: string): void {
  try {
    multiaddr(text)
  } catch (error) {
    throw new NetworkError(
      NetworkErrorCode.BAD_MULTIADDR,
      `"${text}" is not a multiaddr (e.g. /ip4/127.0.0.1/tcp/9090): ${(error as Error).message}`,
      { address: text },
      { cause: error },
    )
  }
}
