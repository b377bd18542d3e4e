/**
 * Schemas of what the network reports: its peers (`GET /peers`) and its counters (the
 * `network` part of `GET /stats`). One schema per view gives the TypeScript type, the REST
 * response serialization and the OpenAPI document.
 */
import Type from 'typebox'
import { strict } from '../protocol/index.ts'

const Count = Type.Integer({ minimum: 0 })

/** One connected peer. */
export const PeerView = Type.Object(
  {
    id: Type.String({ description: 'libp2p peer id' }),
    addresses: Type.Array(Type.String(), { description: 'remote multiaddrs of the open connections' }),
    direction: Type.Union([Type.Literal('inbound'), Type.Literal('outbound')], {
      description: 'who dialled: inbound (the peer) or outbound (this node), of the oldest connection',
    }),
    latencyMs: Type.Optional(Type.Number({ description: 'round trip of the last ping, milliseconds' })),
    score: Type.Number({ description: 'gossipsub peer score (negative: misbehaving)' }),
    connectedSeconds: Type.Number({ description: 'seconds since the oldest connection opened' }),
  },
  { ...strict, $id: 'PeerView' },
)
export type PeerView = Type.Static<typeof PeerView>

/** This node's identity and its peers. */
export const PeerList = Type.Object(
  {
    self: Type.Object(
      {
        id: Type.String({ description: 'this node’s peer id' }),
        addresses: Type.Array(Type.String(), { description: 'multiaddrs peers can dial, with /p2p/<id>' }),
      },
      strict,
    ),
    items: Type.Array(PeerView),
  },
  { ...strict, $id: 'PeerList' },
)
export type PeerList = Type.Static<typeof PeerList>

/** Connections, gossip outcomes, orphans and bans since start. */
export const NetworkStats = Type.Object(
  {
    peerId: Type.String(),
    connections: Count,
    peers: Count,
    gossip: Type.Object(
      {
        accepted: Count,
        ignored: Count,
        rejected: Count,
        orphaned: Count,
        published: Count,
        fromMesh: Count,
        fromOutsideMesh: Count,
      },
      {
        ...strict,
        description:
          'messages from peers admitted, dropped without penalty, refused with penalty, held as orphans; messages published; of the admitted, those whose first copy came from a mesh peer (forwarded along the mesh) and from a peer outside the mesh (asked for with IWANT after its IHAVE)',
      },
    ),
    mesh: Type.Record(Type.String(), Count, {
      description: 'gossipsub mesh peers per message kind (the peers each message is forwarded to)',
    }),
    wire: Type.Object(
      {
        received: Count,
        duplicates: Count,
        sent: Count,
        idontwantSent: Count,
        idontwantSkipped: Count,
        iwantAsked: Count,
        iwantServed: Count,
        bytesSent: Count,
        bytesReceived: Count,
      },
      {
        ...strict,
        description:
          'gossipsub on the wire: message copies received (repeats included, before the seen-cache) and of those repeats, copies sent along the mesh (published and forwarded), IDONTWANT notices sent, copies not sent because the peer had sent IDONTWANT (all topics), message ids asked for (IWANT) after an IHAVE, copies sent in answer to an IWANT, RPC bytes sent and received (all topics and control, before Yamux and Noise framing)',
      },
    ),
    orphans: Type.Object(
      {
        count: Count,
        bytes: Count,
        max: Count,
        added: Count,
        resolved: Count,
        expired: Count,
        evicted: Count,
      },
      { ...strict, description: 'messages waiting for their parent: held now, and moves since start' },
    ),
    peerExchange: Type.Object(
      { candidates: Count, accepted: Count, ignored: Count, rejected: Count },
      {
        ...strict,
        description:
          'peers this node may dial (bounded); peer announcements kept and relayed, dropped without penalty (over the rate, out of scope), refused with a strike',
      },
    ),
    bans: Type.Object(
      { active: Count, total: Count, strikes: Count },
      { ...strict, description: 'peers banned now, bans and invalid-message strikes since start' },
    ),
    sync: Type.Optional(
      Type.Object(
        {
          sessions: Count,
          failed: Count,
          served: Count,
          refusedInbound: Count,
          fetched: Count,
          admitted: Count,
          misbehaviour: Count,
          bytesSent: Count,
          bytesReceived: Count,
        },
        {
          ...strict,
          description:
            'set reconciliation since start: sessions this node initiated and of those failed, messages served to peers, sessions refused (limits), messages fetched and of those admitted, peers caught misbehaving, sync bytes sent and received (both sides)',
        },
      ),
    ),
  },
  { ...strict, $id: 'NetworkStats' },
)
export type NetworkStats = Type.Static<typeof NetworkStats>
