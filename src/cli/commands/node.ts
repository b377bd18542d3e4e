/**
 * `mega node`: runs a node until SIGINT/SIGTERM, then shuts down gracefully.
 */
import { loadConfig, parseHostPort } from '../../node/config.ts'
import { MegaNode } from '../../node/node.ts'
import type { Command } from '../command.ts'

export const nodeCommand: Command = {
  name: 'node',
  summary: 'Run a node: mempool, persistence, REST API, dashboard at / and Swagger UI at /docs',
  usage: 'mega node [--config file] [--data dir] [--http host:port]',
  options: {
    config: { type: 'string', description: 'JSON configuration file (or MEGA_CONFIG)', placeholder: 'file' },
    data: { type: 'string', description: 'data directory (default ./data)', placeholder: 'dir' },
    http: {
      type: 'string',
      description: 'REST API address (default 127.0.0.1:8080)',
      placeholder: 'host:port',
    },
    help: { type: 'boolean', description: 'show this help' },
  },
  examples: [
    'mega node',
    'mega node --data /var/lib/mega --http 0.0.0.0:8080',
    'mega node --config mega.json',
  ],
  async run({ values }, io) {
    const file = (values.config as string | undefined) ?? process.env.MEGA_CONFIG
    const config = await loadConfig(file)
    if (typeof values.data === 'string') config.dataDir = values.data
    if (typeof values.http === 'string') config.http = parseHostPort(values.http, '--http')
    const node = new MegaNode(config)
    await node.start()
    if (io.stdout.isTTY)
      io.stdout.write(
        `Mega node: dashboard at ${node.url}/ — API docs at ${node.url}/docs — Ctrl-C to stop\n`,
      )
    await new Promise<void>((resolve) => {
      const stop = (signal: NodeJS.Signals) => {
        node.logger.info({ signal }, 'shutting down')
        process.off('SIGINT', stop)
        process.off('SIGTERM', stop)
        resolve()
      }
      process.on('SIGINT', stop)
      process.on('SIGTERM', stop)
    })
    await node.stop()
    return 0
  },
}
