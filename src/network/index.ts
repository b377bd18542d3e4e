/**
 * The network layer: libp2p with TCP and WebSockets, Noise, Yamux, identify, ping, gossipsub
 * (one topic per pool kind, validated by the node's admission), peer exchange, optional mDNS,
 * an orphan pool, and bans of peers that send invalid messages. The mempool stays socket-free:
 * the network reaches it only through the node's `submit` and its `message:admitted` events.
 *
 * @packageDocumentation
 * @example
 * import { network } from './network/index.ts'
 * const net = network({ listen: ['/ip4/127.0.0.1/tcp/0'], bootstrap: [peerAddress] })({
 *   submit: (message) => node.submit(message, 'gossip'),
 *   events: node.events,
 *   logger,
 *   dataDir: './data',
 * })
 * await net.start()
 * await net.publish('oracle', ad)
 */
import { Network, type NetworkComponents } from './network.ts'
import type { NetworkInit } from './options.ts'

export { BanList, type BanOptions, type BanStats, banGater } from './bans.ts'
export { isNetworkError, NetworkError, NetworkErrorCode } from './errors.ts'
export { Gossip, type GossipCounters, type NetworkSubmit, type Orphaned } from './gossip.ts'
export type { MegaServices, ServiceFactory } from './libp2p.ts'
export { Network, type NetworkComponents, type NetworkStatus } from './network.ts'
export { loadOrCreateNodeKey, type NodeKey } from './node-key.ts'
export {
  defaultNetworkOptions,
  type NetworkInit,
  type NetworkOptions,
  networkOptions,
  type OrphanOptions,
} from './options.ts'
export { type Orphan, OrphanPool, type OrphanStats } from './orphans.ts'
export { kindOfTopic, PEER_EXCHANGE_TOPIC, TOPIC_PREFIX, topicOf } from './topics.ts'
export { type Verdict, verdictOf } from './verdicts.ts'
export { NetworkStats, PeerList, PeerView } from './view-schemas.ts'

/** The network as a factory of its components (libp2p's service shape). */
export function network(init: NetworkInit = {}): (components: NetworkComponents) => Network {
  return (components) => new Network(components, init)
}
export { MESH_DEGREE_ORDER, meshDegreeProblem } from './options.ts'
export { defaultSyncServiceOptions, syncService } from './sync-service.ts'
export { MempoolSyncSource, type SignatureChecker } from './sync-source.ts'
