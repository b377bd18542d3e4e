/**
 * Propagation benchmark (issue: "20 and 50 nodes on loopback: publish M messages at a fixed
 * rate, measure time until every node has each message (p50, p99), copies received per node
 * per message, bytes sent per message per node"). Goals: 100% delivery, p99 full coverage
 * ≤ 500 ms at 50 nodes, ≤ 2 copies per node per message. (The fourth figure of the issue, a
 * fresh node syncing 100k entries, is bench/sync.ts.)
 *
 *   node bench/propagation.ts                    20 and 50 nodes, 500 messages at 200/N per second
 *                                                (10/s, 4/s), gossipsub's parameters then ours
 *                                                (each on a fresh network; ≈ 15 min)
 *   node bench/propagation.ts --quick            10 nodes, 100 messages
 *   node bench/propagation.ts --nodes 20,50 --messages 1000 --rate 10,4
 *   node bench/propagation.ts --config mega --config 'd3:mega:meshDegree=3,meshDegreeLow=2'
 *                                                parameter sets: `gossipsub` (its defaults), `mega`
 *                                                (the node's defaults), or `label:base:key=value,…`
 *                                                (network.gossip options over a base)
 *   node bench/propagation.ts --json             results as one JSON object on stdout
 *   node bench/propagation.ts --paths            also: each arrival's path and hop, from the nodes'
 *                                                trace lines (logging costs the nodes some CPU)
 *
 * For each node count and parameter set: N `mega node` processes on loopback (the devnet's
 * start logic, src/cli/devnet-nodes.ts; small heaps; logs in <data>/node-i/node.log), each
 * joining through a random node started before it, then finding more by peer exchange. Once
 * every node has `--min-peers` peers (default 8, the node's minConnections) and three
 * heartbeats have passed, the bench listens to every node's `GET /events`, measures the
 * background traffic for `--idle` seconds, then posts M real signed oracle ads (8 bits; nodes
 * take 8 bits) over REST to random nodes at R per second. It records when each node reports
 * each message (server-sent event), and reads the nodes' `/stats` wire counters.
 *
 * - delivery: (message, node) pairs reported ÷ M × N;
 * - full coverage: last node's report − the moment the POST was sent, per message;
 * - copies per node per message: message copies the nodes received from peers (gossipsub
 *   counts them before its seen-cache, duplicates included) ÷ M × (N − 1): 1 is a perfect tree;
 * - bytes per message per node: gossipsub RPC bytes the nodes sent (messages and control,
 *   before Yamux and Noise framing) during the run, less the idle background rate (peer
 *   exchange, mesh upkeep) over the same time, ÷ M × N;
 * - copies by path: copies sent along the mesh (published, forwarded) and in answer to IWANT,
 *   ÷ M × (N − 1); first copies from a mesh peer or from outside the mesh (IWANT after IHAVE);
 * - CPU: the node processes' CPU time during the run over the cores available, and per message
 *   per node with the idle rate subtracted (kernel accounting: the machine's other work does not
 *   inflate it as it inflates latencies); the machine's load average as publishing starts and ends.
 */
import { readFileSync, rmSync } from 'node:fs'
import { availableParallelism, cpus, loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import {
  bootstrapAddress,
  type NodeProcess,
  startNodeProcess,
  stopNodeProcess,
} from '../src/cli/devnet-nodes.ts'
import { NodeClient } from '../src/client/node-client.ts'
import { defaultNetworkOptions, GOSSIPSUB_DEFAULTS, type GossipOptions } from '../src/network/options.ts'
import type { NetworkStats } from '../src/network/view-schemas.ts'
import { messageId } from '../src/protocol/message.ts'
import type { Message } from '../src/protocol/messages/index.ts'
import { generate, lines } from './admission-messages.ts'
import { cpuSeconds, rssMiB } from './process-usage.ts'

const { values } = parseArgs({
  options: {
    nodes: { type: 'string' },
    messages: { type: 'string' },
    rate: { type: 'string' },
    quick: { type: 'boolean', default: false },
    json: { type: 'boolean', default: false },
    config: { type: 'string', multiple: true },
    'min-peers': { type: 'string' },
    idle: { type: 'string', default: '10' },
    // Below Linux's ephemeral range (32768–60999), which the nodes' own dials draw from.
    'http-port': { type: 'string', default: '28000' },
    'p2p-port': { type: 'string', default: '29000' },
    'log-level': { type: 'string', default: 'warn' },
    seed: { type: 'string', default: '1' },
    cache: { type: 'string', default: join(tmpdir(), 'mega-bench') },
    keep: { type: 'boolean', default: false },
    'node-args': { type: 'string', default: '' },
    paths: { type: 'boolean', default: false },
  },
})
const quick = values.quick
const nodeCounts = (values.nodes ?? (quick ? '10' : '20,50')).split(',').map(Number)
const messageCount = Number(values.messages ?? (quick ? 100 : 500))
/**
 * Messages per second: `--rate R`, or `--rate R1,R2` per node count; by default 200 / N, so
 * every network admits ~200 messages per second in all (10/s at 20 nodes, 4/s at 50): more
 * saturates two cores at 50 nodes with gossipsub's defaults (requests to nodes time out).
 */
const givenRates = values.rate?.split(',').map(Number)
const rates = nodeCounts.map((count, i) => (givenRates ? (givenRates[i] ?? givenRates.at(-1)!) : 200 / count))
const idleSeconds = Number(values.idle)
const httpBase = Number(values['http-port'])
const p2pBase = Number(values['p2p-port'])
const configs = (values.config ?? ['gossipsub', 'mega']).map(parseConfig)
const json = values.json
const log = (line: string) => (json ? console.error(line) : console.log(line))
const progress = (line: string) => console.error(line)

const GOALS = { delivery: 1, p99Ms: 500, copies: 2 }
const BITS = 8
/** Node processes: small heaps, one V8 helper thread, two libuv threads. */
const EXEC_ARGV = ['--max-semi-space-size=1', '--v8-pool-size=1', '--max-old-space-size=256']
/** Messages of the cached set (the measured ones from its start, the warm-up ones from its end). */
const SET_SIZE = 10_000
/** Warm-up messages at least (one per node at least). */
const WARM_UP = 30
/** Nodes started at once (after the first). */
const WAVE = 4

interface Config {
  label: string
  gossip: GossipOptions
}

/** `gossipsub`, `mega`, or `label:base:key=value,key=value`. */
function parseConfig(text: string): Config {
  const bases: Record<string, GossipOptions> = {
    gossipsub: GOSSIPSUB_DEFAULTS,
    mega: defaultNetworkOptions.gossip,
  }
  const [label = '', base = label, overrides = ''] = text.split(':')
  if (!bases[base]) throw new Error(`--config ${text}: base must be gossipsub or mega`)
  const gossip = { ...bases[base] }
  for (const pair of overrides.split(',').filter(Boolean)) {
    const [key, value] = pair.split('=') as [keyof GossipOptions, string]
    if (!(key in gossip)) throw new Error(`--config ${text}: no gossip option ${key}`)
    ;(gossip as unknown as Record<string, unknown>)[key] = JSON.parse(value)
  }
  return { label, gossip }
}

function gossipEnv(gossip: GossipOptions): Record<string, string> {
  const snake = (key: string) => key.replace(/([A-Z])/g, '_$1').toUpperCase()
  return Object.fromEntries(
    Object.entries(gossip).map(([key, value]) => [`MEGA_NETWORK__GOSSIP__${snake(key)}`, String(value)]),
  )
}

/** Deterministic choices (topology, publishers) from `--seed`. */
function random(seed: number): () => number {
  let state = seed >>> 0
  return () => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32
  }
}

const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms))

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!
}

// ---- the node processes ----

const running = new Set<NodeProcess>()
let stopping = false
// Whatever happens, no node outlives the bench.
process.on('exit', () => {
  for (const node of running) node.child.kill('SIGKILL')
})
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (stopping) return
    stopping = true
    progress(`${signal}: stopping ${running.size} nodes`)
    void Promise.all([...running].map((node) => stopNodeProcess(node.child, 3000))).then(() =>
      process.exit(130),
    )
  })
}

async function startNetwork(count: number, config: Config, root: string, rand: () => number) {
  const env = {
    UV_THREADPOOL_SIZE: '2',
    // `--paths`: every node logs each gossip arrival (sender, path) at level trace.
    MEGA_LOG_LEVEL: values.paths ? 'trace' : values['log-level'],
    MEGA_MEMPOOL__MIN_BITS__ORACLE: String(BITS),
    MEGA_API__RATE_LIMIT_MAX: '1000000',
    MEGA_STORE__CHECK_POW_ON_LOAD: 'false',
    ...gossipEnv(config.gossip),
  }
  const nodes: NodeProcess[] = []
  const addresses: string[] = []
  const start = async (index: number, bootstrap?: string) => {
    const node = await startNodeProcess({
      index,
      root,
      httpPort: httpBase + index,
      tcpPort: p2pBase + 2 * index,
      bootstrap,
      env,
      execArgv: [...EXEC_ARGV, ...values['node-args'].split(' ').filter(Boolean)],
      startTimeoutMs: 120_000,
    })
    running.add(node)
    nodes[index] = node
    addresses[index] = await bootstrapAddress(node)
  }
  try {
    await start(0)
    for (let first = 1; first < count; first += WAVE) {
      const started = addresses.length
      const wave = Array.from({ length: Math.min(WAVE, count - first) }, (_, i) => first + i)
      await Promise.all(wave.map((index) => start(index, addresses[Math.floor(rand() * started)])))
      progress(`  ${nodes.filter(Boolean).length}/${count} nodes started`)
    }
  } catch (error) {
    await stopNetwork(nodes.filter(Boolean))
    throw error
  }
  return nodes
}

async function stopNetwork(nodes: NodeProcess[]): Promise<void> {
  await Promise.all(
    nodes.map(async (node) => {
      await stopNodeProcess(node.child)
      running.delete(node)
    }),
  )
}

/** Waits until every node has `minPeers` peers; returns the peer counts. */
async function waitForPeers(nodes: NodeProcess[], minPeers: number, timeoutMs: number) {
  const deadline = Date.now() + timeoutMs
  let counts: number[] = []
  for (;;) {
    counts = await Promise.all(
      nodes.map(async (node) => {
        const { body } = await new NodeClient({ url: node.url, timeoutMs: 30_000 }).get('peers')
        return (body as { items: unknown[] }).items.length
      }),
    )
    if (Math.min(...counts) >= minPeers || Date.now() > deadline) return counts
    await sleep(1000)
  }
}

/** A node's `/stats`, asked up to three times: a starved node may miss one 30 s deadline. */
async function statsOf(node: NodeProcess): Promise<NetworkStats> {
  for (let attempt = 1; ; attempt++) {
    try {
      const { body } = await new NodeClient({ url: node.url, timeoutMs: 30_000 }).get('stats')
      return (body as { network: NetworkStats }).network
    } catch (error) {
      if (attempt === 3) throw error
      progress(`  node ${node.index}: /stats did not answer (${(error as Error).message}); asking again`)
    }
  }
}

async function networkStats(nodes: NodeProcess[]): Promise<NetworkStats[]> {
  return Promise.all(nodes.map(statsOf))
}

type Wire = NetworkStats['wire']
type Paths = Pick<NetworkStats['gossip'], 'fromMesh' | 'fromOutsideMesh'>
/** The nodes' wire counters and first-copy paths, summed. */
function sumWire(stats: NetworkStats[]): Wire & Paths {
  const sum: Record<string, number> = {}
  for (const { wire, gossip } of stats) {
    const counters = { ...wire, fromMesh: gossip.fromMesh, fromOutsideMesh: gossip.fromOutsideMesh }
    for (const [key, value] of Object.entries(counters)) sum[key] = (sum[key] ?? 0) + value
  }
  return sum as Wire & Paths
}

/** `after − before`, counter by counter. */
function difference<T extends object>(after: T, before: T): T {
  const a = after as Record<string, number>
  const b = before as Record<string, number>
  return Object.fromEntries(Object.keys(a).map((key) => [key, a[key]! - b[key]!])) as T
}

/** CPU seconds used so far by the node processes (and their children). */
function cpuSecondsOf(nodes: NodeProcess[]): number {
  return nodes.reduce((sum, { child }) => sum + (cpuSeconds(child.pid!) || 0), 0)
}

// ---- arrivals: every node's server-sent events ----

/** Reads a node's `/events`; calls `onId` with each admitted message id; resolves once connected. */
async function listen(node: NodeProcess, onId: (id: string) => void, signal: AbortSignal): Promise<void> {
  const response = await fetch(`${node.url}/events`, { signal })
  if (!response.ok || !response.body)
    throw new Error(`node ${node.index}: /events answered ${response.status}`)
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader()
  let buffer = ''
  let connected: () => void = () => {}
  const ready = new Promise<void>((done) => {
    connected = done
  })
  void (async () => {
    try {
      for (;;) {
        const { value, done } = await reader.read()
        if (done) return
        buffer += value
        connected()
        let end = buffer.indexOf('\n\n')
        while (end >= 0) {
          const frame = buffer.slice(0, end)
          buffer = buffer.slice(end + 2)
          end = buffer.indexOf('\n\n')
          const data = frame.split('\n').find((line) => line.startsWith('data: '))
          if (data) onId((JSON.parse(data.slice(6)) as { id: string }).id)
        }
      }
    } catch {
      // aborted at the end of the run
    }
  })()
  return ready
}

// ---- one run ----

interface RunResult {
  nodes: number
  config: string
  gossip: GossipOptions
  messages: number
  rate: number
  startSeconds: number
  meshSeconds: number
  peers: { min: number; mean: number; max: number }
  meshPeers: { min: number; mean: number; max: number }
  postFailures: number
  delivery: number
  incomplete: number
  fullCoverageMs: { p50: number; p99: number; max: number }
  arrivalMs: { p50: number; p99: number }
  copiesPerNodePerMessage: number
  duplicatesPerNodePerMessage: number
  idontwantPerNodePerMessage: number
  bytesPerMessagePerNode: number
  backgroundBytesPerNodePerSecond: number
  messageBytes: number
  cpuUtilization: number
  idleCpuUtilization: number
  /** Node CPU per message per node while publishing, the idle rate subtracted. */
  cpuMsPerMessagePerNode: number
  /** The machine's 1-minute load average when publishing started and when it ended. */
  loadAverage: { start: number; end: number }
  /** Copies received per node per message by path: along the mesh, in answer to IWANT. */
  copiesByPath: { mesh: number; iwant: number }
  /** Share of first copies (node, message) that came from a mesh peer, and from a peer outside it. */
  firstCopyFrom: { mesh: number; outsideMesh: number }
  /** Message ids asked for with IWANT, and copies not sent thanks to an IDONTWANT, per node per message. */
  iwantAskedPerNodePerMessage: number
  idontwantSkippedPerNodePerMessage: number
  /** With `--paths`: arrivals by path and hop (from the nodes' trace lines). */
  paths?: PathReport
  rssMiB: { mean: number; max: number }
}

interface Latency {
  count: number
  p50: number
  p99: number
}

interface PathReport {
  /** Arrivals (node, message) other than at the publisher, by how the first copy came. */
  byPath: Record<'mesh' | 'outsideMesh' | 'notGossip', Latency>
  /** Arrivals by hop from the publisher (sender chain of first copies). */
  byHop: Record<string, Latency>
  /** Arrivals later than `lateMs`, by path. */
  late: { lateMs: number } & Record<'mesh' | 'outsideMesh' | 'notGossip', number>
}

async function run(
  count: number,
  rate: number,
  config: Config,
  messages: string[],
  ids: string[],
  warmUpMessages: string[],
): Promise<RunResult> {
  const root = join(tmpdir(), `mega-propagation-${process.pid}-${count}-${config.label}`)
  rmSync(root, { recursive: true, force: true })
  const rand = random(Number(values.seed) * 1000 + count)
  progress(`${count} nodes, ${config.label}: starting (logs in ${root}/node-*/node.log)`)
  let started = performance.now()
  const nodes = await startNetwork(count, config, root, rand)
  const startSeconds = (performance.now() - started) / 1000
  const abort = new AbortController()
  try {
    started = performance.now()
    const minPeers = Math.min(Number(values['min-peers'] ?? defaultNetworkOptions.minConnections), count - 1)
    const peerCounts = await waitForPeers(nodes, minPeers, 120_000)
    // Subscriptions and grafts follow the connections: every node's mesh of every message
    // topic at its low bound (a node refused by full meshes waits out a prune backoff).
    const meshLow = Math.min(config.gossip.meshDegreeLow, count - 1)
    const meshDeadline = Date.now() + 90_000
    await sleep(3 * config.gossip.heartbeatIntervalMs)
    for (;;) {
      const meshes = (await networkStats(nodes)).map((stats) => Math.min(...Object.values(stats.mesh)))
      if (Math.min(...meshes) >= meshLow) break
      if (Date.now() > meshDeadline) {
        progress(`  meshes still short after 90 s: ${meshes.join(' ')}`)
        break
      }
      await sleep(1000)
    }
    const meshSeconds = (performance.now() - started) / 1000
    const peers = {
      min: Math.min(...peerCounts),
      mean: peerCounts.reduce((a, b) => a + b, 0) / count,
      max: Math.max(...peerCounts),
    }
    progress(
      `  peers per node ${peers.min}–${peers.max} (mean ${peers.mean.toFixed(1)}) after ${meshSeconds.toFixed(0)} s`,
    )

    // Arrival times, message-major: arrivals[m * count + node].
    const index = new Map(ids.map((id, i) => [id, i]))
    const arrivals = new Float64Array(messages.length * count).fill(Number.NaN)
    let arrived = 0
    await Promise.all(
      nodes.map((node) =>
        listen(
          node,
          (id) => {
            const m = index.get(id)
            if (m === undefined) return
            const slot = m * count + node.index
            if (Number.isNaN(arrivals[slot]!)) {
              arrivals[slot] = performance.now()
              arrived++
            }
          },
          abort.signal,
        ),
      ),
    )

    // Warm-up, not measured: every node admits a message over REST and several over gossip
    // (the first admissions of a fresh process run cold code: hundreds of milliseconds).
    const clients = nodes.map((node) => new NodeClient({ url: node.url, timeoutMs: 30_000 }))
    const warmUp = Math.max(count, WARM_UP)
    progress(`  warming up: ${warmUp} messages`)
    for (let w = 0; w < warmUp; w++) {
      const text = warmUpMessages[w]!
      await clients[w % count]!.post('oracle', text)
      await sleep(1000 / rate)
    }
    await sleep(2000)

    // Background traffic while idle.
    const idleStart = performance.now()
    const idleCpuBefore = cpuSecondsOf(nodes)
    const idleBefore = sumWire(await networkStats(nodes))
    await sleep(idleSeconds * 1000)
    const idleStats = await networkStats(nodes)
    const idleAfter = sumWire(idleStats)
    const meshSizes = idleStats.map((stats) => stats.mesh.oracle ?? 0)
    const idleElapsed = (performance.now() - idleStart) / 1000
    const background = (idleAfter.bytesSent - idleBefore.bytesSent) / idleElapsed
    const idleCpu = (cpuSecondsOf(nodes) - idleCpuBefore) / idleElapsed / availableParallelism()

    // Publish at a fixed rate to random nodes.
    const published = new Float64Array(messages.length)
    const publisher = new Int32Array(messages.length)
    const cpuBefore = cpuSecondsOf(nodes)
    const loadAtStart = loadavg()[0]!
    const runStart = performance.now()
    const t0 = runStart + 100
    let postFailures = 0
    const posts: Promise<void>[] = []
    progress(`  publishing ${messages.length} messages at ${+rate.toFixed(2)}/s`)
    for (let m = 0; m < messages.length; m++) {
      const wait = t0 + (m * 1000) / rate - performance.now()
      if (wait > 1) await sleep(wait)
      publisher[m] = Math.floor(rand() * count)
      const client = clients[publisher[m]!]!
      published[m] = performance.now()
      posts.push(
        client.post('oracle', messages[m]!).then(
          ({ status, body }) => {
            if (status >= 300 || (body as { status?: string }).status !== 'added') postFailures++
          },
          () => {
            postFailures++
          },
        ),
      )
    }
    await Promise.all(posts)
    const total = messages.length * count
    const deadline = performance.now() + 15_000
    while (arrived < total && performance.now() < deadline) await sleep(50)
    // IHAVE gossip about the last messages goes out over the next heartbeats.
    await sleep(3 * config.gossip.heartbeatIntervalMs + 500)
    const runElapsed = (performance.now() - runStart) / 1000
    const cpuUsed = cpuSecondsOf(nodes) - cpuBefore
    const loadAtEnd = loadavg()[0]!
    const after = sumWire(await networkStats(nodes))
    const rss = nodes.map(({ child }) => rssMiB(child.pid!))

    const coverage: number[] = []
    const each: number[] = []
    let incomplete = 0
    for (let m = 0; m < messages.length; m++) {
      let last = 0
      let complete = true
      for (let n = 0; n < count; n++) {
        const at = arrivals[m * count + n]!
        if (Number.isNaN(at)) complete = false
        else {
          last = Math.max(last, at)
          each.push(at - published[m]!)
        }
      }
      if (complete) coverage.push(last - published[m]!)
      else incomplete++
    }
    if (process.env.BENCH_DEBUG) {
      progress(`  mesh (oracle topic) per node: ${meshSizes.join(' ')}`)
      for (let m = 0; m < messages.length; m++) {
        const late = Array.from(
          { length: count },
          (_, n) => [n, arrivals[m * count + n]! - published[m]!] as const,
        )
          .filter(([, ms]) => !(ms < 300))
          .map(([n, ms]) => `${n}:${ms.toFixed(0)}`)
        if (late.length > 0) progress(`  message ${m} from node ${publisher[m]}: late at ${late.join(' ')}`)
      }
    }
    coverage.sort((a, b) => a - b)
    each.sort((a, b) => a - b)
    const receivers = messages.length * (count - 1)
    const run = difference(after, idleAfter)
    const idleCores = idleCpu * availableParallelism()
    const paths = values.paths ? pathReport(nodes, index, arrivals, published, publisher, count) : undefined
    return {
      nodes: count,
      config: config.label,
      gossip: config.gossip,
      messages: messages.length,
      rate,
      startSeconds,
      meshSeconds,
      peers,
      meshPeers: {
        min: Math.min(...meshSizes),
        mean: meshSizes.reduce((a, b) => a + b, 0) / count,
        max: Math.max(...meshSizes),
      },
      postFailures,
      delivery: arrived / total,
      incomplete,
      fullCoverageMs: {
        p50: percentile(coverage, 50),
        p99: percentile(coverage, 99),
        max: coverage.at(-1) ?? NaN,
      },
      arrivalMs: { p50: percentile(each, 50), p99: percentile(each, 99) },
      copiesPerNodePerMessage: run.received / receivers,
      duplicatesPerNodePerMessage: run.duplicates / receivers,
      idontwantPerNodePerMessage: run.idontwantSent / total,
      bytesPerMessagePerNode: (run.bytesSent - background * runElapsed) / total,
      backgroundBytesPerNodePerSecond: background / count,
      messageBytes: messages.reduce((sum, text) => sum + Buffer.byteLength(text), 0) / messages.length,
      cpuUtilization: cpuUsed / runElapsed / availableParallelism(),
      idleCpuUtilization: idleCpu,
      cpuMsPerMessagePerNode: (1000 * (cpuUsed - idleCores * runElapsed)) / total,
      loadAverage: { start: loadAtStart, end: loadAtEnd },
      copiesByPath: { mesh: run.sent / receivers, iwant: run.iwantServed / receivers },
      firstCopyFrom: { mesh: run.fromMesh / receivers, outsideMesh: run.fromOutsideMesh / receivers },
      iwantAskedPerNodePerMessage: run.iwantAsked / receivers,
      idontwantSkippedPerNodePerMessage: run.idontwantSkipped / total,
      ...(paths && { paths }),
      rssMiB: { mean: rss.reduce((a, b) => a + b, 0) / count, max: Math.max(...rss) },
    }
  } finally {
    abort.abort()
    await stopNetwork(nodes)
    if (!values.keep) rmSync(root, { recursive: true, force: true })
  }
}

/** Arrivals later than this after the POST count as late in the path report. */
const LATE_MS = 300

/**
 * Reads the nodes' `gossip arrival` trace lines (`--paths`): for each (message, node) the peer
 * that sent the first copy and whether it was a mesh peer. An arrival without a line came
 * another way (sync, or the REST POST at the publisher). The hop of an arrival is one more
 * than its sender's, the publisher's being 0.
 */
function pathReport(
  nodes: NodeProcess[],
  index: Map<string, number>,
  arrivals: Float64Array,
  published: Float64Array,
  publisher: Int32Array,
  count: number,
): PathReport {
  const nodeOf = new Map(nodes.map((node) => [node.peerId, node.index]))
  type Via = 'mesh' | 'outsideMesh'
  // senders[m * count + n]: the node that sent n its first copy of m, and the path.
  const senders = new Map<number, { from: number; via: Via }>()
  for (const node of nodes) {
    for (const line of readFileSync(join(node.dataDir, 'node.log'), 'utf8').split('\n')) {
      if (!line.includes('"gossip arrival"')) continue
      const entry = JSON.parse(line) as { arrival: string; from: string; via: string }
      const m = index.get(entry.arrival)
      const from = nodeOf.get(entry.from)
      if (m === undefined || from === undefined) continue
      senders.set(m * count + node.index, { from, via: entry.via === 'mesh' ? 'mesh' : 'outsideMesh' })
    }
  }
  const hopOf = (m: number, n: number, depth = 0): number | undefined => {
    if (n === publisher[m]) return 0
    const sender = senders.get(m * count + n)
    if (!sender || depth > count) return undefined
    const before = hopOf(m, sender.from, depth + 1)
    return before === undefined ? undefined : before + 1
  }
  const byPath: Record<string, number[]> = { mesh: [], outsideMesh: [], notGossip: [] }
  const byHop: Record<string, number[]> = {}
  const late = { lateMs: LATE_MS, mesh: 0, outsideMesh: 0, notGossip: 0 }
  for (let m = 0; m < published.length; m++) {
    for (let n = 0; n < count; n++) {
      const at = arrivals[m * count + n]!
      if (n === publisher[m] || Number.isNaN(at)) continue
      const ms = at - published[m]!
      const path = senders.get(m * count + n)?.via ?? 'notGossip'
      byPath[path]!.push(ms)
      if (ms > LATE_MS) late[path]++
      const hop = String(hopOf(m, n) ?? '?')
      if (byHop[hop]) byHop[hop].push(ms)
      else byHop[hop] = [ms]
    }
  }
  const latency = (values: number[]): Latency => {
    values.sort((a, b) => a - b)
    return { count: values.length, p50: percentile(values, 50), p99: percentile(values, 99) }
  }
  return {
    byPath: {
      mesh: latency(byPath.mesh!),
      outsideMesh: latency(byPath.outsideMesh!),
      notGossip: latency(byPath.notGossip!),
    },
    byHop: Object.fromEntries(Object.entries(byHop).map(([hop, values]) => [hop, latency(values)])),
    late,
  }
}

// ---- main ----

const [set] = await generate([{ kind: 'oracle', keys: 'base', bits: BITS, count: SET_SIZE }], {
  cacheDir: values.cache,
  log: progress,
})
if (messageCount > SET_SIZE - 1000) throw new Error(`--messages: at most ${SET_SIZE - 1000}`)
const messages = [...lines(set!.bytes, 0, messageCount)]
const warmUpMessages = [...lines(set!.bytes, SET_SIZE - Math.max(WARM_UP, ...nodeCounts))]
const ids = messages.map((text) => messageId(JSON.parse(text) as Message))

log(
  `Propagation on loopback: ${cpus().length} cores (${cpus()[0]?.model.trim()}), Node ${process.version}; ` +
    `${messageCount} oracle ads (${BITS} bits) at ${rates.map((r, i) => `${+r.toFixed(2)}/s to ${nodeCounts[i]} nodes`).join(', ')}, to random nodes`,
)
const results: RunResult[] = []
for (const [i, count] of nodeCounts.entries()) {
  for (const config of configs) {
    const result = await run(count, rates[i]!, config, messages, ids, warmUpMessages)
    results.push(result)
    log(describe(result))
  }
}
if (json) console.log(JSON.stringify({ goals: GOALS, results }, null, 2))
else {
  log('')
  log(table(results))
  log(
    `Goals: ${GOALS.delivery * 100}% delivery; p99 full coverage ≤ ${GOALS.p99Ms} ms at 50 nodes; ≤ ${GOALS.copies} copies per node per message.`,
  )
}

function describe(r: RunResult): string {
  const g = r.gossip
  return [
    `${r.nodes} nodes, ${r.config} (D ${g.meshDegree}/${g.meshDegreeLow}/${g.meshDegreeHigh}, Dlazy ${g.gossipDegree}, ` +
      `gossipFactor ${g.gossipFactor}, floodPublish ${g.floodPublish}, IDONTWANT ≥ ${g.idontwantMinBytes} B, forward delay ${g.forwardDelayMs} ms, ` +
      `heartbeat ${g.heartbeatIntervalMs} ms)`,
    `  started in ${r.startSeconds.toFixed(0)} s; ${r.peers.min}–${r.peers.max} peers per node (mean ${r.peers.mean.toFixed(1)}), ` +
      `${r.meshPeers.min}–${r.meshPeers.max} in the mesh (mean ${r.meshPeers.mean.toFixed(1)}); ` +
      `RSS ${r.rssMiB.mean.toFixed(0)} MiB per node (max ${r.rssMiB.max.toFixed(0)}); node CPU ${(100 * r.cpuUtilization).toFixed(0)}% of the machine (idle ${(100 * r.idleCpuUtilization).toFixed(0)}%)`,
    `  delivery ${(100 * r.delivery).toFixed(2)}% (${r.incomplete} messages short of a node, ${r.postFailures} POSTs failed)`,
    `  full coverage p50 ${r.fullCoverageMs.p50.toFixed(0)} ms, p99 ${r.fullCoverageMs.p99.toFixed(0)} ms, max ${r.fullCoverageMs.max.toFixed(0)} ms; ` +
      `per node p50 ${r.arrivalMs.p50.toFixed(0)} ms, p99 ${r.arrivalMs.p99.toFixed(0)} ms`,
    `  copies per node per message ${r.copiesPerNodePerMessage.toFixed(2)} (${r.duplicatesPerNodePerMessage.toFixed(2)} of them duplicates; ` +
      `${r.copiesByPath.mesh.toFixed(2)} along the mesh, ${r.copiesByPath.iwant.toFixed(2)} asked for with IWANT); ` +
      `IDONTWANT ${r.idontwantPerNodePerMessage.toFixed(2)} sent, ${r.idontwantSkippedPerNodePerMessage.toFixed(2)} copies saved, per node per message`,
    `  first copies from a mesh peer ${(100 * r.firstCopyFrom.mesh).toFixed(1)}%, from outside the mesh (IWANT) ${(100 * r.firstCopyFrom.outsideMesh).toFixed(1)}%; ` +
      `IWANT ${r.iwantAskedPerNodePerMessage.toFixed(2)} ids per node per message`,
    `  node CPU ${r.cpuMsPerMessagePerNode.toFixed(2)} ms per message per node (idle rate subtracted); load average ${r.loadAverage.start.toFixed(1)} → ${r.loadAverage.end.toFixed(1)}`,
    ...(r.paths ? describePaths(r.paths) : []),
    `  bytes sent per message per node ${r.bytesPerMessagePerNode.toFixed(0)} (message ${r.messageBytes.toFixed(0)} B; ` +
      `background ${r.backgroundBytesPerNodePerSecond.toFixed(0)} B/s per node subtracted)`,
  ].join('\n')
}

function describePaths(paths: PathReport): string[] {
  const show = (name: string, l: Latency) =>
    `${name} ${l.count} (p50 ${l.p50.toFixed(0)} ms, p99 ${l.p99.toFixed(0)} ms)`
  const { byPath, byHop, late } = paths
  return [
    `  arrivals by path: ${show('mesh', byPath.mesh)}; ${show('outside the mesh', byPath.outsideMesh)}; ${show('not by gossip', byPath.notGossip)}`,
    `  arrivals by hop: ${Object.entries(byHop)
      .map(([hop, l]) => show(hop, l))
      .join('; ')}`,
    `  later than ${late.lateMs} ms: ${late.mesh} by the mesh, ${late.outsideMesh} from outside it, ${late.notGossip} not by gossip`,
  ]
}

function table(rows: RunResult[]): string {
  const header =
    '| nodes | messages | parameters | delivery | full coverage p50 / p99 | copies per node per message | bytes sent per message per node | node CPU | CPU per message per node | load |'
  const rule = '|---|---|---|---|---|---|---|---|---|---|'
  return [
    header,
    rule,
    ...rows.map(
      (r) =>
        `| ${r.nodes} | ${r.messages} at ${+r.rate.toFixed(2)}/s | ${r.config} | ${(100 * r.delivery).toFixed(1)}% | ${r.fullCoverageMs.p50.toFixed(0)} / ${r.fullCoverageMs.p99.toFixed(0)} ms | ` +
        `${r.copiesPerNodePerMessage.toFixed(2)} | ${r.bytesPerMessagePerNode.toFixed(0)} | ${(100 * r.cpuUtilization).toFixed(0)}% | ` +
        `${r.cpuMsPerMessagePerNode.toFixed(2)} ms | ${r.loadAverage.start.toFixed(0)}–${r.loadAverage.end.toFixed(0)} |`,
    ),
  ].join('\n')
}
