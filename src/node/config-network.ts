/**
 * The `network` section of the configuration file: its schema, whose descriptions and
 * defaults (taken from the network layer's own) are the documentation.
 */
import Type from 'typebox'
import { defaultNetworkOptions as d, defaultSyncServiceOptions as sync } from '../network/index.ts'
import { defaultSessionOptions } from '../sync/index.ts'

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
      'Milliseconds between announcements of this node’s addresses to its peers (peer exchange) while it is short of peers; after hearing of a new peer it announces once within this.',
      d.peerExchangeIntervalMs,
      100,
    ),
    peerExchange: Type.Partial(
      Type.Object({
        maxPeers: Integer(
          'Candidate peers kept (announced, discovered, connected before); the least useful go first.',
          d.peerExchange.maxPeers,
        ),
        maxPerMinute: Integer(
          'Peer announcements accepted (kept and relayed) per minute, from all peers; the rest are dropped.',
          d.peerExchange.maxPerMinute,
        ),
        maxPerPeerPerMinute: Integer(
          'Peer announcements one peer may send per minute; each one beyond is a strike (keep it at least twice the maxPerMinute of the network’s nodes).',
          d.peerExchange.maxPerPeerPerMinute,
        ),
        maxIntervalMs: Integer(
          'Milliseconds between this node’s own announcements while it has its peers (minConnections); hearing of a new peer brings one more within peerExchangeIntervalMs.',
          d.peerExchange.maxIntervalMs,
          100,
        ),
      }),
      {
        additionalProperties: false,
        default: {},
        description: 'Bounds of peer exchange (docs/network.md#peer-discovery).',
      },
    ),
    addressScopes: Type.Array(
      Type.Union([Type.Literal('loopback'), Type.Literal('private'), Type.Literal('public')]),
      {
        uniqueItems: true,
        maxItems: 3,
        description:
          'Scopes of the addresses this node dials (announced, discovered, learnt from peers): loopback, private (RFC 1918, link-local, unique-local), public (the rest, DNS names included). The bootstrap list is dialled whatever its scope. Default: the scopes of the announce addresses, or else of the listen addresses (0.0.0.0 or ::: private and public).',
      },
    ),
    maxDialsPerAddress: Integer(
      'Dials of one address (IP and port, under any peer id) without a success, at most; bootstrap peers aside.',
      d.maxDialsPerAddress,
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
    gossip: Type.Partial(
      Type.Object({
        meshDegree: Integer(
          'Peers per topic each message is forwarded to, the mesh (gossipsub D).',
          d.gossip.meshDegree,
        ),
        meshDegreeLow: Integer(
          'Fewer mesh peers than this: graft more at the next heartbeat (Dlo; ≤ meshDegree).',
          d.gossip.meshDegreeLow,
        ),
        meshDegreeHigh: Integer(
          'More mesh peers than this: prune down to meshDegree (Dhi; ≥ meshDegree).',
          d.gossip.meshDegreeHigh,
        ),
        gossipDegree: Integer(
          'Peers outside the mesh told of recent messages (IHAVE) each heartbeat, at least (Dlazy).',
          d.gossip.gossipDegree,
          0,
        ),
        gossipFactor: Type.Number({
          minimum: 0,
          maximum: 1,
          default: d.gossip.gossipFactor,
          description:
            'Share of the peers outside the mesh told (IHAVE) each heartbeat, when more than gossipDegree.',
        }),
        heartbeatIntervalMs: Integer(
          'Milliseconds between gossipsub heartbeats (mesh upkeep, IHAVE gossip).',
          d.gossip.heartbeatIntervalMs,
          100,
        ),
        floodPublish: Type.Boolean({
          default: d.gossip.floodPublish,
          description: 'Send this node’s own new messages to every peer on the topic, not only to its mesh.',
        }),
        idontwantMinBytes: Integer(
          'Messages at least this large are announced to mesh peers on arrival (IDONTWANT), so they send no copy back.',
          d.gossip.idontwantMinBytes,
          0,
        ),
        // Each hop is that much slower: past a second, gossip at the next heartbeat (1 s)
        // would overtake the mesh.
        forwardDelayMs: Type.Integer({
          minimum: 0,
          maximum: 1000,
          default: d.gossip.forwardDelayMs,
          description:
            'Milliseconds an accepted message is held before it is forwarded, so mesh peers’ IDONTWANTs arrive first (at most 1000).',
        }),
      }),
      {
        additionalProperties: false,
        default: {},
        description: 'Gossipsub mesh parameters (measured by bench/propagation.ts).',
      },
    ),
    sync: Type.Partial(
      Type.Object({
        method: Type.Union([Type.Literal('range'), Type.Literal('inventory')], {
          default: defaultSessionOptions.method,
          description:
            'How a node learns what a peer has and it lacks: range-based set reconciliation, or the full inventory of ids (baseline).',
        }),
        intervalMs: Integer(
          'Milliseconds between periodic sync rounds (0: sync only when a peer connects).',
          sync.intervalMs,
          0,
        ),
        peersPerInterval: Integer('Peers synced per periodic round.', sync.peersPerInterval),
        maxOutboundSessions: Integer('Sessions this node initiates at once.', sync.maxOutboundSessions),
        maxInboundSessions: Integer('Sessions this node serves at once, all peers.', sync.maxInboundSessions),
        inboundPerPeer: Integer('Sessions one peer may open per minute.', sync.inboundPerPeer),
        sessionTimeoutMs: Integer('Longest session, milliseconds.', sync.sessionTimeoutMs, 1000),
        signatureThreads: Type.Integer({
          minimum: 0,
          maximum: 64,
          description:
            'Threads that check the signatures of fetched messages while the previous page is admitted (0: check on the main thread). Default: the cores, at most 4.',
        }),
      }),
      {
        additionalProperties: false,
        default: {},
        description: 'Set reconciliation with peers (docs/sync.md).',
      },
    ),
  },
  { additionalProperties: false },
)
export type NetworkConfig = Type.Static<typeof NetworkConfig>
