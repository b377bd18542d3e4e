/**
 * The `network` section of the configuration file: its schema, whose descriptions and
 * defaults (taken from the network layer's own) are the documentation.
 */
import Type from 'typebox'
import { defaultNetworkOptions as d } from '../network/options.ts'

const Addresses = (description: string, value: string[]) =>
  Type.Array(Type.String({ minLength: 1, maxLength: 512 }), { maxItems: 256, default: value, description })
const Integer = (description: string, value: number, minimum = 1) =>
  Type.Integer({ minimum, default: value, description })

export const NetworkConfig = Type.Object(
  {
    enabled: Type.Boolean({
      default: true,
      description: 'Join the peer-to-peer network (false: a standalone node, REST only).',
    }),
    listen: Addresses(
      'Multiaddrs to listen on (port 0: any free port). Loopback by default: use /ip4/0.0.0.0/… to accept peers from other machines.',
      d.listen,
    ),
    announce: Addresses(
      'Multiaddrs announced to peers instead of the listen addresses (public address).',
      d.announce,
    ),
    bootstrap: Addresses('Peers to join through: multiaddrs ending in /p2p/<peer id>.', d.bootstrap),
    mdns: Type.Boolean({ default: d.mdns, description: 'Find peers on the local network by multicast DNS.' }),
    maxConnections: Integer('Connections kept at most.', d.maxConnections),
    minConnections: Integer(
      'Peers the node keeps dialling for (bootstrap, discovered, known).',
      d.minConnections,
      0,
    ),
    peerExchangeIntervalMs: Integer(
      'Milliseconds between announcements of this node’s addresses to its peers (peer exchange).',
      d.peerExchangeIntervalMs,
      100,
    ),
    maintenanceIntervalMs: Integer(
      'Milliseconds between maintenance rounds (redial, orphan and ban expiry).',
      d.maintenanceIntervalMs,
      100,
    ),
    invalidThreshold: Integer(
      'Invalid messages from one peer within invalidWindowSeconds that get it banned.',
      d.invalidThreshold,
    ),
    invalidWindowSeconds: Integer('Window of the invalid-message count, seconds.', d.invalidWindowSeconds),
    banSeconds: Integer('Seconds a banned peer is disconnected and refused.', d.banSeconds),
    orphans: Type.Partial(
      Type.Object({
        maxCount: Integer('Orphans (messages waiting for their parent) kept in all.', d.orphans.maxCount),
        maxPerPeer: Integer('Orphans kept per peer that sent them.', d.orphans.maxPerPeer),
        maxBytes: Integer('Bytes of orphans kept in all.', d.orphans.maxBytes, 1024),
        expirySeconds: Integer('Seconds an orphan waits for its parent.', d.orphans.expirySeconds),
      }),
      { additionalProperties: false, default: {}, description: 'Messages that arrived before their parent.' },
    ),
  },
  { additionalProperties: false },
)
export type NetworkConfig = Type.Static<typeof NetworkConfig>
