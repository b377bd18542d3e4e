/**
 * Node processes on loopback, for `mega devnet` and bench/propagation.ts: each node runs
 * `mega node` in its own process with its own data directory, REST port and network ports,
 * logs to `<dataDir>/node.log`, and joins through a bootstrap peer.
 */
import { type ChildProcess, spawn } from 'node:child_process'
import { mkdirSync, openSync } from 'node:fs'
import { join } from 'node:path'
import { NodeClient } from '../client/index.ts'
import { CliError, CliErrorCode } from './command.ts'
import { ensureNodeBundle, NODE_FLAGS } from './node-bundle.ts'

export { NODE_FLAGS }

/** The launcher (compile cache on: see bin/mega.js). */
const MEGA = new URL('../../bin/mega.js', import.meta.url).pathname

/** A started node process. */
export interface NodeProcess {
  index: number
  /** REST API base URL. */
  url: string
  peerId: string
  dataDir: string
  child: ChildProcess
}

export interface NodeProcessInit {
  index: number
  /** Parent directory: the node's data directory is `<root>/node-<index>`. */
  root: string
  httpPort: number
  /** TCP port; the WebSocket port is the next one. */
  tcpPort: number
  /** Multiaddr (with `/p2p/<id>`) the node joins through. */
  bootstrap?: string | undefined
  /** More environment variables (configuration: `MEGA_…`). */
  env?: Record<string, string>
  /** More Node.js flags of the process (after {@link NODE_FLAGS}, so they win). */
  execArgv?: string[]
  /** @default 15_000 */
  startTimeoutMs?: number
}

/** Starts a node process and waits until its network has started (its peer id is known). */
export async function startNodeProcess(init: NodeProcessInit): Promise<NodeProcess> {
  const { index, root, httpPort, tcpPort, bootstrap, env = {}, execArgv = [] } = init
  const timeoutMs = init.startTimeoutMs ?? 15_000
  const dataDir = join(root, `node-${index}`)
  mkdirSync(dataDir, { recursive: true })
  await ensureNodeBundle()
  const log = openSync(join(dataDir, 'node.log'), 'a')
  const child = spawn(
    process.execPath,
    [...NODE_FLAGS, ...execArgv, MEGA, 'node', '--data', dataDir, '--http', `127.0.0.1:${httpPort}`],
    {
      env: {
        ...process.env,
        MEGA_LOG_PRETTY: 'false',
        MEGA_NETWORK__LISTEN: JSON.stringify([
          `/ip4/127.0.0.1/tcp/${tcpPort}`,
          `/ip4/127.0.0.1/tcp/${tcpPort + 1}/ws`,
        ]),
        MEGA_NETWORK__BOOTSTRAP: JSON.stringify(bootstrap ? [bootstrap] : []),
        ...env,
      },
      stdio: ['ignore', log, log],
    },
  )
  const url = `http://127.0.0.1:${httpPort}`
  const client = new NodeClient({ url, timeoutMs: 2000 })
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    if (child.exitCode !== null)
      throw new CliError(
        `node ${index} exited with ${child.exitCode}: see ${dataDir}/node.log`,
        1,
        CliErrorCode.DEVNET_FAILED,
      )
    try {
      // The API answers before the network has started: wait for the node's peer id.
      const peers = await client.get('peers')
      const self = (peers.body as Peers | null)?.self
      if (peers.status === 200 && self?.id) return { index, url, peerId: self.id, dataDir, child }
    } catch {
      // not listening yet
    }
    await new Promise((done) => setTimeout(done, 100))
  }
  child.kill('SIGKILL')
  throw new CliError(
    `node ${index} did not start within ${timeoutMs / 1000} s: see ${dataDir}/node.log`,
    1,
    CliErrorCode.DEVNET_FAILED,
  )
}

interface Peers {
  self: { id: string; addresses: string[] }
}

/** The node's TCP multiaddr with its peer id: what other nodes bootstrap from. */
export async function bootstrapAddress(node: Pick<NodeProcess, 'url'>): Promise<string> {
  const { body } = await new NodeClient({ url: node.url }).get('peers')
  const { id, addresses } = (body as Peers).self
  const tcp =
    addresses.find((address) => address.includes('/tcp/') && !address.includes('/ws')) ?? addresses[0]
  if (!tcp) throw new CliError('the bootstrap node reports no listen address', 1, CliErrorCode.DEVNET_FAILED)
  return tcp.includes('/p2p/') ? tcp : `${tcp}/p2p/${id}`
}

/** SIGTERM, then SIGKILL after `graceMs`; resolves when the process has exited. */
export function stopNodeProcess(child: ChildProcess, graceMs = 10_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve()
  return new Promise((done) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs)
    child.once('exit', () => {
      clearTimeout(timer)
      done()
    })
    child.kill('SIGTERM')
  })
}
