/** `GET /peers`: this node's peer id and addresses, and the peers it is connected to. */
import type { FastifyInstance } from 'fastify'
import type { NetworkStats, PeerList } from '../../network/index.ts'
import { json, problems } from './common.ts'

/** What the API reads from the network; absent when the node runs without one. */
export interface NetworkView {
  peers(): PeerList
  stats(): NetworkStats
}

export interface PeerRoutesOptions {
  network: NetworkView | undefined
}

export async function peerRoutes(app: FastifyInstance, { network }: PeerRoutesOptions): Promise<void> {
  app.get(
    '/peers',
    {
      schema: {
        tags: ['node'],
        summary: 'This node’s peer id and addresses, and its connected peers',
        description:
          'One item per connected peer: its addresses, who dialled, round-trip time of the last ping and gossipsub score. Without a network (`network.enabled: false`) the list is empty and `self.id` is "".',
        response: { 200: json('Peers', 'PeerList'), ...problems() },
      },
    },
    () => network?.peers() ?? { self: { id: '', addresses: [] }, items: [] },
  )
}
