/**
 * A bare libp2p node speaking our gossip (same topics and message ids) with no admission of
 * its own: it publishes whatever bytes a test gives it, in the order given, as a hostile or
 * out-of-order peer would.
 */
import { gossipsub } from '@libp2p/gossipsub'
import { identify } from '@libp2p/identify'
import type { Libp2p } from '@libp2p/interface'
import { noise } from '@libp2p/noise'
import { tcp } from '@libp2p/tcp'
import { yamux } from '@libp2p/yamux'
import { multiaddr } from '@multiformats/multiaddr'
import { createLibp2p } from 'libp2p'
import type { MegaGossipSub } from '../../src/network/libp2p.ts'
import { gossipsubOptions, topicOf } from '../../src/network/topics.ts'
import { canonicalBytes } from '../../src/protocol/canonical.ts'
import { type Message, POOL_KINDS, type PoolKind } from '../../src/protocol/messages/index.ts'
import { waitFor } from './helpers.ts'

export interface RawPeer {
  libp2p: Libp2p<{ pubsub: MegaGossipSub }>
  /** Dials `address` and waits until the node there subscribes to every topic. */
  connect(address: string): Promise<void>
  /** Publishes a message (canonical JSON) or raw bytes on the kind's topic. */
  publish(kind: PoolKind, message: Message | Uint8Array): Promise<number>
  stop(): Promise<void>
}

export async function rawPeer(): Promise<RawPeer> {
  const libp2p = (await createLibp2p({
    addresses: { listen: ['/ip4/127.0.0.1/tcp/0'] },
    transports: [tcp()],
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()],
    services: { identify: identify(), pubsub: gossipsub(gossipsubOptions()) },
  })) as unknown as Libp2p<{ pubsub: MegaGossipSub }>
  const { pubsub } = libp2p.services
  for (const kind of POOL_KINDS) pubsub.subscribe(topicOf(kind))
  return {
    libp2p,
    async connect(address) {
      const connection = await libp2p.dial(multiaddr(address))
      const peer = connection.remotePeer
      await waitFor('the node’s subscriptions', () =>
        POOL_KINDS.every((kind) => pubsub.getSubscribers(topicOf(kind)).some((id) => id.equals(peer))),
      )
    },
    async publish(kind, message) {
      const bytes = message instanceof Uint8Array ? message : canonicalBytes(message)
      return (await pubsub.publish(topicOf(kind), bytes)).recipients.length
    },
    stop: async () => {
      await libp2p.stop()
    },
  }
}
