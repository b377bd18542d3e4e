/**
 * What `mega node` runs (its options are in node.ts, which loads this module only when the
 * command runs): the node until SIGINT/SIGTERM, then a graceful shutdown.
 */
import {
  ConfigError,
  ConfigErrorCode,
  collectGarbageAfter,
  HeapGrowthCollector,
  ListenError,
  loadConfig,
  MegaNode,
  parseHostPort,
} from '../../node/index.ts'
import type { CliIo, ParsedArgs } from '../command.ts'

/** What to change when a listening address cannot be used, per service. */
const LISTEN_OPTIONS = {
  http: '--http host:port, the config key http (host, port) or MEGA_HTTP',
  p2p: '--p2p host:port, the config key network.listen or MEGA_NETWORK__LISTEN',
} as const

/** Start-up is over by then: the API listens and the first peers have been dialled. */
const STARTUP_GARBAGE_DELAY_MS = 20_000

/** Runs the node `mega node` was given until a signal stops it; returns the exit code. */
export async function runNode({ values }: ParsedArgs, io: CliIo): Promise<number> {
  const file = (values.config as string | undefined) ?? process.env.MEGA_CONFIG
  const config = await loadConfig(file)
  if (typeof values.data === 'string') config.dataDir = values.data
  if (typeof values.http === 'string') config.http = parseHostPort(values.http, '--http')
  if (typeof values.p2p === 'string') config.network.listen = p2pListenAddresses(values.p2p)
  const node = new MegaNode(config)
  try {
    await node.start()
  } catch (error) {
    if (!(error instanceof ListenError)) throw error
    const { service, address, reason } = error
    throw new ListenError(
      service,
      address,
      reason,
      error.cause,
      `${error.message}; choose another address with ${LISTEN_OPTIONS[service]}`,
    )
  }
  // Start-up's garbage (module loading, the network's first connections), which a quiet node
  // would otherwise keep: see heap.ts.
  collectGarbageAfter(STARTUP_GARBAGE_DELAY_MS)
  // And what a quiet node with peers keeps promoting afterwards: see HeapGrowthCollector.
  const heapGrowth = new HeapGrowthCollector()
  heapGrowth.start()
  if (io.stdout.isTTY)
    io.stdout.write(`Mega node: dashboard at ${node.url}/ — API docs at ${node.url}/docs — Ctrl-C to stop\n`)
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
  heapGrowth.stop()
  await node.stop()
  return 0
}

/** `--p2p host:port` as multiaddrs: TCP on the port, WebSocket on the next one. */
export function p2pListenAddresses(text: string): string[] {
  const { host, port } = parseHostPort(text, '--p2p', 'network.listen')
  if (port === 65_535) {
    const expected = 'host:port with a port below 65535 (WebSocket listens on port + 1)'
    throw new ConfigError(ConfigErrorCode.CONFIG_INVALID, `--p2p must be ${expected}, got "${text}"`, {
      source: '--p2p',
      key: 'network.listen',
      expected,
    })
  }
  const ip = host.includes(':') ? `/ip6/${host}` : /^[\d.]+$/.test(host) ? `/ip4/${host}` : `/dns/${host}`
  const wsPort = port === 0 ? 0 : port + 1
  return [`${ip}/tcp/${port}`, `${ip}/tcp/${wsPort}/ws`]
}
