/**
 * `mega devnet`: N nodes on loopback, each its own process, joined into one network through
 * the first; optionally seeded with demo data posted to different nodes. Ctrl-C stops them all.
 */
import { type ChildProcess, spawn } from 'node:child_process'
import { mkdirSync, openSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { buildDemoData } from '../../client/demo-data.ts'
import { NodeClient } from '../../client/node-client.ts'
import { CliError, type Command, integerFlag } from '../command.ts'

const MEGA = new URL('../../../bin/mega.ts', import.meta.url).pathname

interface DevnetNode {
  index: number
  url: string
  peerId: string
  dataDir: string
  child: ChildProcess
}

export const devnetCommand: Command = {
  name: 'devnet',
  summary: 'Run N nodes on loopback as one network (separate processes), optionally with demo data',
  usage: 'mega devnet [--nodes N] [--seed-demo] [--data dir] [--http-port P] [--p2p-port P] [--json]',
  options: {
    nodes: { type: 'string', description: 'number of nodes (default 3)', placeholder: 'N' },
    'seed-demo': { type: 'boolean', description: 'post demo oracles, reports and offers to the nodes' },
    data: { type: 'string', description: 'parent data directory (default ./devnet)', placeholder: 'dir' },
    'http-port': {
      type: 'string',
      description: 'REST port of node 0; node i uses P+i (default 8080)',
      placeholder: 'P',
    },
    'p2p-port': {
      type: 'string',
      description: 'TCP port of node 0; node i uses P+2i, WebSocket P+2i+1 (default 9090)',
      placeholder: 'P',
    },
    json: { type: 'boolean', description: 'print one JSON line describing the nodes once ready' },
    help: { type: 'boolean', description: 'show this help' },
  },
  examples: ['mega devnet', 'mega devnet --nodes 5 --seed-demo', 'npm run devnet'],
  async run({ values }, io) {
    const count = integerFlag(values.nodes, 'nodes', 1, 64) ?? 3
    const httpPort = integerFlag(values['http-port'], 'http-port', 1, 65_000) ?? 8080
    const p2pPort = integerFlag(values['p2p-port'], 'p2p-port', 1, 65_000) ?? 9090
    const root = resolve((values.data as string | undefined) ?? 'devnet')
    const nodes: DevnetNode[] = []
    const stopAll = async () => {
      await Promise.all(nodes.map((node) => stopChild(node.child)))
    }
    try {
      for (let index = 0; index < count; index++) {
        const bootstrap = nodes[0] ? await bootstrapAddress(nodes[0]) : undefined
        nodes.push(await startNode(index, root, httpPort + index, p2pPort + 2 * index, bootstrap))
      }
      if (values['seed-demo']) await seed(nodes)
    } catch (error) {
      await stopAll()
      throw error
    }
    if (values.json) {
      io.stdout.write(
        `${JSON.stringify({ nodes: nodes.map(({ index, url, peerId, dataDir }) => ({ index, url, peerId, dataDir })) })}\n`,
      )
    } else {
      io.stdout.write(`Mega devnet: ${count} nodes (logs in ${root}/node-*/node.log)\n`)
      for (const node of nodes)
        io.stdout.write(`  node ${node.index}  ${node.url}  docs ${node.url}/docs  peer ${node.peerId}\n`)
      io.stdout.write('Ctrl-C stops all nodes.\n')
    }
    await new Promise<void>((done) => {
      const stop = () => {
        process.off('SIGINT', stop)
        process.off('SIGTERM', stop)
        done()
      }
      process.on('SIGINT', stop)
      process.on('SIGTERM', stop)
      for (const node of nodes) node.child.once('exit', stop)
    })
    await stopAll()
    return 0
  },
}

async function startNode(index: number, root: string, httpPort: number, tcpPort: number, bootstrap?: string) {
  const dataDir = join(root, `node-${index}`)
  mkdirSync(dataDir, { recursive: true })
  const log = openSync(join(dataDir, 'node.log'), 'a')
  const child = spawn(
    process.execPath,
    [MEGA, 'node', '--data', dataDir, '--http', `127.0.0.1:${httpPort}`],
    {
      env: {
        ...process.env,
        MEGA_LOG_PRETTY: 'false',
        MEGA_NETWORK__LISTEN: JSON.stringify([
          `/ip4/127.0.0.1/tcp/${tcpPort}`,
          `/ip4/127.0.0.1/tcp/${tcpPort + 1}/ws`,
        ]),
        MEGA_NETWORK__BOOTSTRAP: JSON.stringify(bootstrap ? [bootstrap] : []),
      },
      stdio: ['ignore', log, log],
    },
  )
  const url = `http://127.0.0.1:${httpPort}`
  const client = new NodeClient({ url, timeoutMs: 2000 })
  for (let attempt = 0; attempt < 150; attempt++) {
    if (child.exitCode !== null)
      throw new CliError(`node ${index} exited with ${child.exitCode}: see ${dataDir}/node.log`)
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
  throw new CliError(`node ${index} did not start within 15 s: see ${dataDir}/node.log`)
}

interface Peers {
  self: { id: string; addresses: string[] }
}

async function bootstrapAddress(node: DevnetNode): Promise<string> {
  const { body } = await new NodeClient({ url: node.url }).get('peers')
  const { id, addresses } = (body as Peers).self
  const tcp =
    addresses.find((address) => address.includes('/tcp/') && !address.includes('/ws')) ?? addresses[0]
  if (!tcp) throw new CliError('node 0 reports no listen address')
  return tcp.includes('/p2p/') ? tcp : `${tcp}/p2p/${id}`
}

/**
 * Posts each demo oracle's messages to a different node, so that gossip must carry them to the
 * others (a node's REST API takes a capability only once it holds the oracle).
 */
async function seed(nodes: DevnetNode[]): Promise<void> {
  const clients = nodes.map((node) => new NodeClient({ url: node.url }))
  // Let the network form before publishing, so the first messages reach everyone.
  await new Promise((done) => setTimeout(done, 1500))
  for (const { kind, message, oracle } of buildDemoData()) {
    const { status, body } = await clients[oracle % clients.length]!.post(kind, message)
    if (status >= 300) throw new CliError(`seeding ${kind} failed with ${status}: ${JSON.stringify(body)}`)
  }
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return Promise.resolve()
  return new Promise((done) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000)
    child.once('exit', () => {
      clearTimeout(timer)
      done()
    })
    child.kill('SIGTERM')
  })
}
