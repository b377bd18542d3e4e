/**
 * Idle cost: what a node costs when nothing happens. N `mega node` processes on loopback (the
 * devnet's start logic, src/cli/devnet-nodes.ts, default Node flags), each joining through a
 * random node started before it and finding more by peer exchange. Once every node has
 * `--min-peers` peers (default 8, the node's minConnections) and `--settle` seconds have
 * passed, the bench measures each process for `--seconds` seconds while no message is sent:
 *
 * - CPU: utime + stime from /proc/<pid>/stat, as a share of one core (kernel accounting, so
 *   other work on a shared machine does not inflate it, unlike wall-clock timings);
 * - RSS from /proc/<pid>/status at the end, and the private part of it (USS, smaps_rollup): the
 *   RSS less the pages shared with the other processes, chiefly the Node executable's code;
 *   (all summed over the node process and its children, such as a dashboard build's esbuild)
 * - gossipsub RPC bytes sent and received per second (the nodes' `/stats` wire counters,
 *   before Yamux and Noise framing).
 *
 * A node is started and stopped first, so that every measured node finds Node's compile cache
 * warm (bin/mega.js) and its bundle built (src/cli/node-bundle.ts), as a node restarted on the
 * same machine does; `--env MEGA_BUNDLE=0` runs the nodes from the sources instead. The same run measures a bare
 * Node process (`setInterval` only) for the RSS baseline, and
 * prints the machine's load average before and after: other processes on the machine share
 * the cores but not the CPU time charged to these processes.
 *
 *   node bench/idle.ts                         5, 10 and 20 nodes, 60 s each
 *   node bench/idle.ts --nodes 10 --seconds 30
 *   node bench/idle.ts --node-args=--max-semi-space-size=32    flags of the node processes
 *   node bench/idle.ts --env MEGA_NETWORK__SYNC__INTERVAL_MS=0      configuration of the nodes
 *   node bench/idle.ts --env MEGA_BUNDLE=0     nodes run from the sources, not the bundle
 *   node bench/idle.ts --profile               CPU profile of node 1 (.cpuprofile in its data dir; --keep)
 *   node bench/idle.ts --per-node              one line per node: peers, CPU, what it sent and heard
 *   node bench/idle.ts --json
 */
import { spawn } from 'node:child_process'
import { readFileSync, rmSync } from 'node:fs'
import { cpus, loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import {
  bootstrapAddress,
  NODE_FLAGS,
  type NodeProcess,
  startNodeProcess,
  stopNodeProcess,
} from '../src/cli/devnet-nodes.ts'
import { NODE_BUNDLE_DIR } from '../src/cli/node-bundle.ts'
import { NodeClient } from '../src/client/node-client.ts'
import { defaultNetworkOptions } from '../src/network/options.ts'
import type { NetworkStats } from '../src/network/view-schemas.ts'
import { cpuSeconds, privateMiB, rssMiB } from './process-usage.ts'

const { values } = parseArgs({
  options: {
    nodes: { type: 'string', default: '5,10,20' },
    seconds: { type: 'string', default: '60' },
    settle: { type: 'string', default: '20' },
    'min-peers': { type: 'string' },
    'http-port': { type: 'string', default: '28500' },
    'p2p-port': { type: 'string', default: '29500' },
    'log-level': { type: 'string', default: 'warn' },
    'node-args': { type: 'string', default: '' },
    env: { type: 'string', multiple: true, default: [] },
    profile: { type: 'boolean', default: false },
    'per-node': { type: 'boolean', default: false },
    keep: { type: 'boolean', default: false },
    json: { type: 'boolean', default: false },
  },
})
const nodeCounts = values.nodes.split(',').map(Number)
const seconds = Number(values.seconds)
const settleSeconds = Number(values.settle)
const nodeArgs = values['node-args'].split(' ').filter(Boolean)
const log = (line: string) => (values.json ? console.error(line) : console.log(line))
const progress = (line: string) => console.error(line)
const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms))
/** Nodes started at once (after the first). */
const WAVE = 4

const GOALS = { cpuShareOfCore: 0.005, rssMiB: 100 }

const running = new Set<NodeProcess['child']>()
process.on('exit', () => {
  for (const child of running) child.kill('SIGKILL')
})
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    for (const child of running) child.kill('SIGKILL')
    process.exit(130)
  })
}

const load = () =>
  loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')

async function get<T>(node: NodeProcess, path: string): Promise<T> {
  const { body } = await new NodeClient({ url: node.url, timeoutMs: 30_000 }).get(path)
  return body as T
}

const networkOf = async (node: NodeProcess) => (await get<{ network: NetworkStats }>(node, 'stats')).network

interface Summary {
  min: number
  median: number
  mean: number
  max: number
}
function summary(values: number[]): Summary {
  const sorted = [...values].sort((a, b) => a - b)
  return {
    min: sorted[0]!,
    median: sorted[Math.floor(sorted.length / 2)]!,
    mean: sorted.reduce((a, b) => a + b, 0) / sorted.length,
    max: sorted.at(-1)!,
  }
}

interface IdleResult {
  nodes: number
  seconds: number
  peers: Summary
  cpuShareOfCore: Summary
  rssMiB: Summary
  privateMiB: Summary
  /** Nodes whose process runs the bundle (the launcher replaced itself), not the sources. */
  bundled: number
  bytesSentPerSecond: Summary
  bytesReceivedPerSecond: Summary
  loadBefore: string
  loadAfter: string
}

/** Whether the process runs `mega node`'s bundle (see src/cli/node-bundle.ts). */
function runsBundle(pid: number): boolean {
  return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').includes(join(NODE_BUNDLE_DIR, 'mega.mjs'))
}

/** RSS and private memory of a bare Node process (same binary, no code) after two seconds. */
async function bareNode(): Promise<{ rss: number; private: number }> {
  const child = spawn(process.execPath, [...nodeArgs, '-e', 'setInterval(() => {}, 1000)'], {
    stdio: 'ignore',
  })
  await sleep(2000)
  const usage = { rss: rssMiB(child.pid!), private: privateMiB(child.pid!) }
  child.kill('SIGKILL')
  return usage
}

/** Starts and stops one node, which fills Node's compile cache for the nodes measured after it. */
async function warmCompileCache(): Promise<void> {
  const root = join(tmpdir(), `mega-idle-${process.pid}-warm`)
  try {
    const node = await startNodeProcess({
      index: 0,
      root,
      httpPort: Number(values['http-port']),
      tcpPort: Number(values['p2p-port']),
      env: { MEGA_LOG_LEVEL: values['log-level'] },
      execArgv: nodeArgs,
      startTimeoutMs: 120_000,
    })
    running.add(node.child)
    await stopNodeProcess(node.child)
    running.delete(node.child)
  } finally {
    rmSync(root, { recursive: true, force: true })
  }
}

async function run(count: number): Promise<IdleResult> {
  const root = join(tmpdir(), `mega-idle-${process.pid}-${count}`)
  rmSync(root, { recursive: true, force: true })
  const env = {
    MEGA_LOG_LEVEL: values['log-level'],
    ...Object.fromEntries(values.env.map((pair) => pair.split(/=(.*)/s).slice(0, 2))),
  }
  const httpBase = Number(values['http-port'])
  const p2pBase = Number(values['p2p-port'])
  const nodes: NodeProcess[] = []
  const addresses: string[] = []
  let seed = 12_345 + count
  const rand = () => {
    seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31
    return seed / 2 ** 31
  }
  const start = async (index: number, bootstrap?: string) => {
    const profile =
      values.profile && index === 1 ? ['--cpu-prof', `--cpu-prof-dir=${join(root, `node-${index}`)}`] : []
    const node = await startNodeProcess({
      index,
      root,
      httpPort: httpBase + index,
      tcpPort: p2pBase + 2 * index,
      bootstrap,
      env,
      execArgv: [...nodeArgs, ...profile],
      startTimeoutMs: 120_000,
    })
    running.add(node.child)
    nodes[index] = node
    addresses[index] = await bootstrapAddress(node)
  }
  progress(`${count} nodes: starting (logs in ${root}/node-*/node.log)`)
  try {
    await start(0)
    for (let first = 1; first < count; first += WAVE) {
      const started = addresses.length
      const wave = Array.from({ length: Math.min(WAVE, count - first) }, (_, i) => first + i)
      await Promise.all(wave.map((index) => start(index, addresses[Math.floor(rand() * started)])))
    }
    const minPeers = Math.min(Number(values['min-peers'] ?? defaultNetworkOptions.minConnections), count - 1)
    const deadline = Date.now() + 120_000
    let peers: number[] = []
    for (;;) {
      peers = await Promise.all(
        nodes.map(async (node) => (await get<{ items: unknown[] }>(node, 'peers')).items.length),
      )
      if (Math.min(...peers) >= minPeers || Date.now() > deadline) break
      await sleep(1000)
    }
    progress(`  peers per node ${Math.min(...peers)}–${Math.max(...peers)}; settling ${settleSeconds} s`)
    await sleep(settleSeconds * 1000)

    const loadBefore = load()
    const networkBefore = await Promise.all(nodes.map(networkOf))
    const wireBefore = networkBefore.map((network) => network.wire)
    const cpuBefore = nodes.map((node) => cpuSeconds(node.child.pid!))
    const started = performance.now()
    progress(`  measuring ${seconds} s (load ${loadBefore})`)
    await sleep(seconds * 1000)
    const elapsed = (performance.now() - started) / 1000
    const cpuAfter = nodes.map((node) => cpuSeconds(node.child.pid!))
    const networkAfter = await Promise.all(nodes.map(networkOf))
    const wireAfter = networkAfter.map((network) => network.wire)
    const rss = nodes.map((node) => rssMiB(node.child.pid!))
    const privateMemory = nodes.map((node) => privateMiB(node.child.pid!))
    const bundled = nodes.filter((node) => runsBundle(node.child.pid!)).length
    peers = await Promise.all(
      nodes.map(async (node) => (await get<{ items: unknown[] }>(node, 'peers')).items.length),
    )
    if (values['per-node'])
      nodes.forEach((_, i) => {
        const [before, after] = [networkBefore[i]!, networkAfter[i]!]
        const delta = (of: (network: NetworkStats) => number) => of(after) - of(before)
        log(
          `  node ${i}: ${peers[i]} peers, CPU ${pct((cpuAfter[i]! - cpuBefore[i]!) / elapsed)}, ` +
            `peer announcements heard ${delta((n) => n.peerExchange.accepted + n.peerExchange.ignored)}, ` +
            `IDONTWANT sent ${delta((n) => n.wire.idontwantSent)}, copies skipped ${delta((n) => n.wire.idontwantSkipped)}, ` +
            `sync sessions ${delta((n) => n.sync?.sessions ?? 0)}, ` +
            `gossip sent ${(delta((n) => n.wire.bytesSent) / elapsed).toFixed(0)} B/s`,
        )
      })
    return {
      nodes: count,
      seconds: elapsed,
      peers: summary(peers),
      cpuShareOfCore: summary(cpuAfter.map((after, i) => (after - cpuBefore[i]!) / elapsed)),
      rssMiB: summary(rss),
      privateMiB: summary(privateMemory),
      bundled,
      bytesSentPerSecond: summary(
        wireAfter.map((after, i) => (after.bytesSent - wireBefore[i]!.bytesSent) / elapsed),
      ),
      bytesReceivedPerSecond: summary(
        wireAfter.map((after, i) => (after.bytesReceived - wireBefore[i]!.bytesReceived) / elapsed),
      ),
      loadBefore,
      loadAfter: load(),
    }
  } finally {
    await Promise.all(
      nodes.filter(Boolean).map(async (node) => {
        await stopNodeProcess(node.child)
        running.delete(node.child)
      }),
    )
    if (values.profile) progress(`  profile of node 1 in ${root}/node-1/*.cpuprofile`)
    if (!values.keep && !values.profile) rmSync(root, { recursive: true, force: true })
  }
}

const pct = (share: number) => `${(100 * share).toFixed(2)}%`
const range = (s: Summary, format: (n: number) => string) =>
  `${format(s.median)} (${format(s.min)}–${format(s.max)})`

log(
  `Idle cost on loopback: ${cpus().length} cores (${cpus()[0]?.model.trim()}), Node ${process.version}` +
    `, node flags ${[...NODE_FLAGS, ...nodeArgs].join(' ')}; no messages sent; ` +
    `figures per node: median (min–max)`,
)
const bare = await bareNode()
log(
  `Bare Node process (setInterval only): RSS ${bare.rss.toFixed(0)} MiB, private ${bare.private.toFixed(0)} MiB`,
)
await warmCompileCache()
const results: IdleResult[] = []
for (const count of nodeCounts) {
  const r = await run(count)
  results.push(r)
  log(
    `${r.nodes} nodes, ${r.peers.min}–${r.peers.max} peers each, ${r.seconds.toFixed(0)} s (load ${r.loadBefore} → ${r.loadAfter}): ` +
      `CPU ${range(r.cpuShareOfCore, pct)} of a core; RSS ${range(r.rssMiB, (n) => n.toFixed(0))} MiB, ` +
      `private ${range(r.privateMiB, (n) => n.toFixed(0))} MiB (${r.bundled} of ${r.nodes} run the bundle); ` +
      `gossip sent ${range(r.bytesSentPerSecond, (n) => n.toFixed(0))} B/s, received ${range(r.bytesReceivedPerSecond, (n) => n.toFixed(0))} B/s`,
  )
}
log(
  `Goals: ≤ ${pct(GOALS.cpuShareOfCore)} of a core and ≤ ${GOALS.rssMiB} MB RSS per idle node with 8 peers.`,
)
if (values.json)
  console.log(
    JSON.stringify(
      {
        goals: GOALS,
        nodeFlags: [...NODE_FLAGS, ...nodeArgs],
        bareNodeRssMiB: bare.rss,
        bareNodePrivateMiB: bare.private,
        results,
      },
      null,
      2,
    ),
  )
