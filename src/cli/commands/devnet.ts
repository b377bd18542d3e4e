/**
 * `mega devnet`: N nodes on loopback, each its own process, joined into one network through
 * the first; optionally seeded with demo data posted to different nodes. Ctrl-C stops them all.
 */
import { resolve } from 'node:path'
import { buildDemoData, NodeClient } from '../../client/index.ts'
import { CliError, type Command, integerFlag } from '../command.ts'
import { bootstrapAddress, type NodeProcess, startNodeProcess, stopNodeProcess } from '../devnet-nodes.ts'

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
    const nodes: NodeProcess[] = []
    const stopAll = async () => {
      await Promise.all(nodes.map((node) => stopNodeProcess(node.child)))
    }
    const say = (line: string) => {
      if (!values.json) io.stdout.write(`${line}\n`)
    }
    let seeded: SeedOutcome | undefined
    try {
      for (let index = 0; index < count; index++) {
        const bootstrap = nodes[0] ? await bootstrapAddress(nodes[0]) : undefined
        nodes.push(
          await startNodeProcess({
            index,
            root,
            httpPort: httpPort + index,
            tcpPort: p2pPort + 2 * index,
            bootstrap,
          }),
        )
      }
      if (values['seed-demo']) {
        say('Seeding the demo data…')
        seeded = await seed(nodes)
        say(
          seeded.posted
            ? `Demo data posted: ${seeded.summary}.`
            : `Demo data not posted again: the nodes already hold ${seeded.summary} (remove ${root} for a fresh devnet).`,
        )
      }
    } catch (error) {
      await stopAll()
      throw error
    }
    if (values.json) {
      io.stdout.write(
        `${JSON.stringify({
          nodes: nodes.map(({ index, url, peerId, dataDir }) => ({ index, url, peerId, dataDir })),
          ...(seeded && { seeded }),
        })}\n`,
      )
    } else {
      io.stdout.write(`Mega devnet: ${count} nodes (logs in ${root}/node-*/node.log)\n`)
      for (const node of nodes)
        io.stdout.write(
          `  node ${node.index}  dashboard ${node.url}/  docs ${node.url}/docs  peer ${node.peerId}\n`,
        )
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
    say(`Stopping ${count === 1 ? 'the node' : `${count} nodes`}…`)
    await stopAll()
    say('Mega devnet stopped.')
    return 0
  },
}

interface SeedOutcome {
  /** False when the nodes already held oracles (a devnet restarted on its data directory). */
  posted: boolean
  /** What was posted, or what was already there. */
  summary: string
}

/**
 * Posts each demo oracle's messages to a different node, so that gossip must carry them to the
 * others (a node's REST API takes a capability only once it holds the oracle).
 */
async function seed(nodes: NodeProcess[]): Promise<SeedOutcome> {
  const clients = nodes.map((node) => new NodeClient({ url: node.url }))
  // A devnet restarted on its data directory already holds the demo set: another run would add
  // a second set of demo oracles beside the first.
  const { body: stats } = await clients[0]!.get('stats')
  const held = (stats as { mempool: { oracles: { count: number } } }).mempool.oracles.count
  if (held > 0) return { posted: false, summary: `${held} oracles` }
  // Let the network form before publishing, so the first messages reach everyone.
  await new Promise((done) => setTimeout(done, 1500))
  const counts = new Map<string, number>()
  for (const { kind, message, oracle } of buildDemoData()) {
    const { status, body } = await clients[oracle % clients.length]!.post(kind, message)
    if (status >= 300) throw new CliError(`seeding ${kind} failed with ${status}: ${JSON.stringify(body)}`)
    counts.set(kind, (counts.get(kind) ?? 0) + 1)
  }
  const plural = (kind: string, n: number) =>
    n === 1 ? kind : kind === 'capability' ? 'capabilities' : `${kind}s`
  const summary = [...counts].map(([kind, n]) => `${n} ${plural(kind, n)}`).join(', ')
  return { posted: true, summary }
}
