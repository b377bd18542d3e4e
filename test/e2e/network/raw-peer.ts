/**
 * A bare libp2p node speaking our gossip (same topics and message ids) with no admission of
 * its own: it publishes whatever bytes a test gives it, in the order given, as a hostile or
 * out-of-order peer would.
 */

import { publicKeyToProtobuf } from '@libp2p/crypto/keys'
import { type GossipsubOpts, gossipsub } from '@libp2p/gossipsub'
import { identify } from '@libp2p/identify'
import type { Libp2p, PrivateKey } from '@libp2p/interface'
import { noise } from '@libp2p/noise'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { tcp } from '@libp2p/tcp'
import { yamux } from '@libp2p/yamux'
import { multiaddr } from '@multiformats/multiaddr'
import { createLibp2p } from 'libp2p'
import type { MegaGossipSub } from '../../../src/network/libp2p.ts'
import { encodeAnnouncement } from '../../../src/network/peer-exchange.ts'
import { gossipsubOptions, PEER_EXCHANGE_TOPIC, topicOf } from '../../../src/network/topics.ts'
import { canonicalBytes } from '../../../src/protocol/canonical.ts'
import { type Message, POOL_KINDS, type PoolKind } from '../../../src/protocol/messages/index.ts'
import { waitFor } from './helpers.ts'

export interface RawPeer {
  libp2p: Libp2p<{ pubsub: MegaGossipSub }>
  /** Dials `address` and waits until the node there subscribes to every topic. */
  connect(address: string): Promise<void>
  /** Publishes a message (canonical JSON) or raw bytes on the kind's topic. */
  publish(kind: PoolKind, message: Message | Uint8Array): Promise<number>
  /**
   * Publishes a peer announcement of `identity` (a fresh key: a peer id that costs nothing)
   * at `addresses`, signed by that identity, as a flooder of made-up peers would.
   */
  announce(identity: PrivateKey, addresses: string[]): Promise<void>
  stop(): Promise<void>
}

/** `gossip`: gossipsub options over the node's (a peer that keeps no mesh, say). */
export async function rawPeer(gossip: Partial<GossipsubOpts> = {}): Promise<RawPeer> {
  const libp2p = (await createLibp2p({
    addresses: { listen: ['/ip4/127.0.0.1/tcp/0'] },
    transports: [tcp()],
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()],
    services: { identify: identify(), pubsub: gossipsub({ ...gossipsubOptions(), ...gossip }) },
  })) as unknown as Libp2p<{ pubsub: MegaGossipSub }>
  const { pubsub } = libp2p.services
  for (const kind of POOL_KINDS) pubsub.subscribe(topicOf(kind))
  pubsub.subscribe(PEER_EXCHANGE_TOPIC)
  // Gossipsub signs with this config; swapping it signs as another identity.
  const signing = pubsub as unknown as { publishConfig: unknown }
  return {
    libp2p,
    async connect(address) {
      const connection = await libp2p.dial(multiaddr(address))
      const peer = connection.remotePeer
      await waitFor('the node’s subscriptions', () =>
        [...POOL_KINDS.map(topicOf), PEER_EXCHANGE_TOPIC].every((topic) =>
          pubsub.getSubscribers(topic).some((id) => id.equals(peer)),
        ),
      )
    },
    async publish(kind, message) {
      const bytes = message instanceof Uint8Array ? message : canonicalBytes(message)
      return (await pubsub.publish(topicOf(kind), bytes)).recipients.length
    },
    async announce(identity, addresses) {
      const own = signing.publishConfig
      const author = peerIdFromPrivateKey(identity)
      signing.publishConfig = {
        type: 0, // PublishConfigType.Signing
        author,
        key: publicKeyToProtobuf(identity.publicKey),
        privateKey: identity,
      }
      const bytes = encodeAnnouncement(
        identity.publicKey,
        addresses.map((a) => multiaddr(a)),
      )
      // The config is read as publish starts, before its first await.
      const published = pubsub.publish(PEER_EXCHANGE_TOPIC, bytes)
      signing.publishConfig = own
      await published
    },
    stop: async () => {
      await libp2p.stop()
    },
  }
}
