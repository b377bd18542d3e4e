/**
 * `mega node`: runs a node until SIGINT/SIGTERM, then shuts down gracefully.
 */
import type { Command } from '../command.ts'

export const nodeCommand: Command = {
  name: 'node',
  summary:
    'Run a node: mempool, persistence, REST API, dashboard at / and Swagger UI at /docs; it also listens for peers',
  usage: 'mega node [--config file] [--data dir] [--http host:port] [--p2p host:port]',
  options: {
    config: { type: 'string', description: 'JSON configuration file (or MEGA_CONFIG)', placeholder: 'file' },
    data: { type: 'string', description: 'data directory (default ./data)', placeholder: 'dir' },
    http: {
      type: 'string',
      description: 'REST API address (default 127.0.0.1:8080)',
      placeholder: 'host:port',
    },
    p2p: {
      type: 'string',
      description:
        'peer-to-peer address: TCP on port, WebSocket on port+1 (default 127.0.0.1:9090, loopback only)',
      placeholder: 'host:port',
    },
    help: { type: 'boolean', description: 'show this help' },
  },
  examples: [
    'mega node',
    'mega node --data /var/lib/mega --http 0.0.0.0:8080 --p2p 0.0.0.0:9090',
    'mega node --config mega.json',
  ],
  async run(args, io) {
    // The node (libp2p, fastify, the store) loads for this command only, not for every other one.
    const { runNode } = await import('./node-start.ts')
    return runNode(args, io)
  },
}
