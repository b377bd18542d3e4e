/**
 * Sync benchmark (issue: "a fresh node syncing 100k entries, persisting them: ≤ 5 s"): a node in a
 * child process holds N real signed and mined messages; a fresh node in this process syncs
 * them over real libp2p on loopback (TCP, Noise, Yamux, the sync service), once with
 * range-based reconciliation and once with the naive inventory, and once more with admission
 * replaced by parsing alone (what the protocol costs without the signature checks). Then both
 * nodes hold N items each, 1% of them different (0.5% only on each side), and we time finding
 * the difference with each method. Finally, the same 1% case in memory, without the network.
 *
 *   node bench/sync.ts                        N = 10k and 100k (≈ 3 min, most of it admitting)
 *   node bench/sync.ts --quick                N = 10k only
 *   node bench/sync.ts --sizes 20000          chosen sizes
 *   node bench/sync.ts --cache /tmp/mega-bench  where generated messages are kept (default: that)
 *   node bench/sync.ts --json                 figures as JSON on stdout
 *   node bench/sync.ts --threads 1            signature threads of the threaded run (default: the node's)
 *   node bench/sync.ts --no-persist           admit without the SQLite store (what persisting costs)
 *
 * Each fresh run reports its phases apart: transfer (time this side waited for fetch replies,
 * bytes received), verification (the signature threads' CPU time, and how long admission waited
 * for them), parsing, admission (the mempool), persistence (the SQLite transactions, wall and
 * CPU time), with the total, the process's CPU time (all threads, and the main thread's), the
 * serving node's CPU time meanwhile (it shares the machine's cores) and the load average. With
 * the signature-threads run comes its baseline, in the same run: two threads checking the same
 * N messages (canonical form and signatures) with nothing else to do. The machine may be
 * shared: compare CPU times, and A/B against another checkout in the same session.
 *
 * Messages (bench/admission-messages.ts, 8 bits each, one key per message): 55% oracle ads,
 * 15% capabilities, 15% free-form reports, 15% offers. Bytes are the sync frames both ways
 * (Noise and Yamux framing not counted); round trips are reconcile rounds (or inventory
 * pages) plus fetch requests.
 */
import { type ChildProcess, spawn } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import { identify } from '@libp2p/identify'
import type { Libp2p } from '@libp2p/interface'
import { noise } from '@libp2p/noise'
import { tcp } from '@libp2p/tcp'
import { yamux } from '@libp2p/yamux'
import { multiaddr } from '@multiformats/multiaddr'
import { createLibp2p } from 'libp2p'
import type { PoolMessage } from '../src/mempool/index.ts'
import { Mempool } from '../src/mempool/mempool.ts'
import { admitValue } from '../src/mempool/pipeline.ts'
import { SYNC_PROTOCOL, type SyncService, syncService } from '../src/network/sync-service.ts'
import { MempoolSyncSource } from '../src/network/sync-source.ts'
import { streamChannel } from '../src/network/sync-stream.ts'
import { SignatureThreads } from '../src/node/signature-threads.ts'
import { canonicalize, type Validated } from '../src/protocol/index.ts'
import { floorsOf, openMempoolStore } from '../src/store/index.ts'
import { initiateSync, type SyncStats } from '../src/sync/initiator.ts'
import { initiate, reconcile, respond } from '../src/sync/reconcile.ts'
import type { SyncMethod } from '../src/sync/session-options.ts'
import type { SyncSource } from '../src/sync/source.ts'
import { generate, parse, type SetSpec } from './admission-messages.ts'

const argv = process.argv.slice(2)
const option = (name: string) => {
  const at = argv.indexOf(name)
  return at >= 0 ? argv[at + 1] : undefined
}
const quick = argv.includes('--quick')
const json = argv.includes('--json')
const cacheDir = option('--cache') ?? join(tmpdir(), 'mega-bench')
const sizes = (option('--sizes') ?? (quick ? '10000' : '10000,100000')).split(',').map(Number)
const RUNS = ['threads', 'range', 'inventory', 'parse', 'difference'] as const
const runs = new Set((option('--runs') ?? RUNS.join(',')).split(','))
const signatureThreads = option('--threads') === undefined ? undefined : Number(option('--threads'))
const persist = !argv.includes('--no-persist')

const GOAL_SECONDS = 5
const NOW = 1_850_000_000
const LOW = { oracle: 8, capability: 8, report: 8, offer: 8 }
const MiB = 1024 * 1024

/** Both nodes' pools: room for everything, so only the sync is measured. */
function mempool(size: number): Mempool {
  return new Mempool(
    { minBits: LOW, maxOracles: size, maxOffers: size, maxBytes: 4096 * MiB },
    { now: () => NOW },
  )
}

/** The message sets of a size, sliced from cached sets (generated on first use). */
async function messagesOf(size: number): Promise<{ kind: string; index: number; message: unknown }[]> {
  const oracles = Math.round(size * 0.55)
  const others = Math.round(size * 0.15)
  const cached = (n: number) => (n <= 5000 ? 5000 : 20_000)
  const specs: SetSpec[] = [
    { kind: 'oracle', keys: 'base', bits: 8, count: oracles <= 10_000 ? 10_000 : Math.max(100_000, oracles) },
    { kind: 'capability', oracles: 'base', bits: 8, count: Math.max(cached(others), others) },
    { kind: 'report', oracles: 'base', bits: 8, count: Math.max(cached(others), others) },
    { kind: 'offer', bits: 8, count: Math.max(cached(others), others) },
  ]
  const sets = await generate(specs, { cacheDir, log: (line) => console.error(line) })
  const out: { kind: string; index: number; message: unknown }[] = []
  sets.forEach((set, s) => {
    const count = s === 0 ? oracles : others
    parse(set.bytes, 0, count).forEach((message, index) => {
      out.push({ kind: specs[s]!.kind, index, message })
    })
  })
  return out
}

/**
 * Which side leaves a message out in the 1% case: 0.5% of N on each side, disjoint, picked
 * evenly among reports, offers and oracles without capabilities (nothing hangs on them).
 */
function leftOut(all: { kind: string; index: number }[], size: number): Map<number, 'a' | 'b'> {
  const capabilities = Math.round(size * 0.15)
  const leaves = all
    .map((m, at) => ({ ...m, at }))
    .filter(
      (m) => m.kind === 'report' || m.kind === 'offer' || (m.kind === 'oracle' && m.index >= capabilities),
    )
  const each = Math.round(size * 0.005)
  const step = Math.floor(leaves.length / each)
  const out = new Map<number, 'a' | 'b'>()
  for (let i = 0; i < each; i++) {
    out.set(leaves[i * step]!.at, 'a')
    out.set(leaves[i * step + 1]!.at, 'b')
  }
  return out
}

function admitAll(pool: Mempool, messages: unknown[]): void {
  for (const message of messages) {
    const { admission } = admitValue(pool, message)
    if (admission.status !== 'added') throw new Error(`setup admission: ${JSON.stringify(admission)}`)
  }
}

async function libp2pNode(source: SyncSource) {
  return createLibp2p({
    addresses: { listen: ['/ip4/127.0.0.1/tcp/0'] },
    transports: [tcp()],
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()],
    services: { identify: identify(), sync: syncService({ source, syncOnConnect: false, intervalMs: 0 }) },
  })
}

// ---- the serving node (child process) -----------------------------------------------------

async function serve(size: number, leaveOut: boolean): Promise<void> {
  const all = await messagesOf(size)
  const pool = mempool(size)
  const started = performance.now()
  const out = leftOut(all, size)
  admitAll(
    pool,
    all.filter((_, at) => !leaveOut || out.get(at) !== 'a').map((m) => m.message),
  )
  const source = new MempoolSyncSource(pool, () => ({ status: 'invalid' }))
  source.refresh()
  const node = await libp2pNode(source)
  await node.start()
  const held = pool.oracles.size + pool.capabilities.size + pool.reports.size + pool.offers.size
  process.stdout.write(
    `${JSON.stringify({ address: node.getMultiaddrs()[0]!.toString(), held, setupSeconds: (performance.now() - started) / 1000 })}\n`,
  )
  // Answers each `cpu` line with this process's CPU time so far (the parent counts what serving
  // costs the machine); runs until the parent closes our stdin.
  const requests = createInterface({ input: process.stdin })
  requests.on('line', () =>
    process.stdout.write(`${JSON.stringify({ cpuMs: cpuMsOf(process.cpuUsage()) })}\n`),
  )
  await new Promise((resolve) => requests.once('close', resolve))
  await node.stop()
  process.exit(0)
}

interface Server {
  child: ChildProcess
  address: string
  held: number
  /** The child's stdout, a line at a time. */
  lines: AsyncIterator<string>
}

async function startServer(size: number, leaveOut: boolean): Promise<Server> {
  const child = spawn(
    process.execPath,
    [
      // Flags given to this process (e.g. --cpu-prof) pass on to the serving node.
      ...process.execArgv,
      '--max-old-space-size=8192',
      fileURLToPath(import.meta.url),
      '--serve',
      String(size),
      ...(leaveOut ? ['--leave-out'] : []),
      '--cache',
      cacheDir,
    ],
    { stdio: ['pipe', 'pipe', 'inherit'] },
  )
  const lines = createInterface({ input: child.stdout! })[Symbol.asyncIterator]()
  const line = await new Promise<string>((resolve, reject) => {
    lines.next().then(({ value }) => resolve(value ?? ''), reject)
    child.once('exit', (code) => reject(new Error(`server exited with ${code}`)))
  })
  const { address, held } = JSON.parse(line) as { address: string; held: number }
  return { child, address, held, lines }
}

/** The serving node's CPU time so far, ms (all its threads). */
async function serverCpuMs(server: Server): Promise<number> {
  server.child.stdin!.write('cpu\n')
  const { value } = await server.lines.next()
  return (JSON.parse(value as string) as { cpuMs: number }).cpuMs
}

async function stopServer(server: Server): Promise<void> {
  const exited = new Promise((resolve) => server.child.once('exit', resolve))
  server.child.stdin!.end()
  await exited
}

// ---- the syncing node (this process) ------------------------------------------------------

interface Run {
  what: string
  method: SyncMethod
  items: number
  seconds: number
  reconcileSeconds: number
  fetchSeconds: number
  /** Waiting for fetch replies. */
  transferSeconds: number
  /** The signature threads' CPU time. */
  verifyCpuSeconds: number
  /** Admission waiting for the signature threads. */
  verifyWaitSeconds: number
  parseSeconds: number
  /** In the mempool (persistence apart). */
  admitSeconds: number
  /** In the store's transactions: wall time, and the main thread's CPU time. */
  persistSeconds: number
  persistCpuSeconds: number
  /** The syncing process's CPU time during the session: all threads, and the main thread. */
  cpuSeconds: number
  mainCpuSeconds: number
  /** The serving node's CPU time during the session (it shares this machine's cores). */
  serverCpuSeconds: number
  /** One-minute load average at the end of the run. */
  loadAverage: number
  roundTrips: number
  rounds: number
  fetches: number
  bytesSent: number
  bytesReceived: number
  need: number
  have: number
  added: number
}

interface RunCosts {
  admitMs: number
  persistMs: number
  persistCpuMs: number
  verifyCpuMs: number
  cpuMs: number
  mainCpuMs: number
  serverCpuMs: number
}

const NO_COSTS: RunCosts = {
  admitMs: 0,
  persistMs: 0,
  persistCpuMs: 0,
  verifyCpuMs: 0,
  cpuMs: 0,
  mainCpuMs: 0,
  serverCpuMs: 0,
}

function runOf(what: string, stats: SyncStats, costs: RunCosts, items: number): Run {
  return {
    what,
    method: stats.method,
    items,
    seconds: stats.totalMs / 1000,
    reconcileSeconds: stats.reconcileMs / 1000,
    fetchSeconds: stats.fetchMs / 1000,
    transferSeconds: stats.waitMs / 1000,
    verifyCpuSeconds: costs.verifyCpuMs / 1000,
    verifyWaitSeconds: stats.prepareWaitMs / 1000,
    parseSeconds: stats.parseMs / 1000,
    admitSeconds: costs.admitMs / 1000,
    persistSeconds: costs.persistMs / 1000,
    persistCpuSeconds: costs.persistCpuMs / 1000,
    cpuSeconds: costs.cpuMs / 1000,
    mainCpuSeconds: costs.mainCpuMs / 1000,
    serverCpuSeconds: costs.serverCpuMs / 1000,
    loadAverage: loadavg()[0]!,
    roundTrips: stats.rounds + stats.fetches,
    rounds: stats.rounds,
    fetches: stats.fetches,
    bytesSent: stats.bytesSent,
    bytesReceived: stats.bytesReceived,
    need: stats.need,
    have: stats.have,
    added: (stats.outcomes.added ?? 0) + (stats.outcomes.updated ?? 0),
  }
}

type FreshMode = 'threads' | 'admit' | 'parse'
const threadsLabel = (n: number) => `${n} signature thread${n === 1 ? '' : 's'}`
const newThreads = () =>
  new SignatureThreads(signatureThreads === undefined ? {} : { threads: signatureThreads })
const FRESH_LABEL: Record<FreshMode, string> = {
  threads: `, ${threadsLabel(newThreads().threads)}${persist ? '' : ', not persisting'}`,
  admit: ', one thread',
  parse: ', parse only',
}

/**
 * A fresh node syncing everything from the server: admitting on this thread alone, with
 * signature threads (as a node does), or parsing only. Admitting persists as a node does: into
 * a SQLite store in a temporary directory, one transaction per page (`MegaNode.submitPage`).
 */
async function freshSync(server: Server, size: number, method: SyncMethod, mode: FreshMode): Promise<Run> {
  const admit = mode !== 'parse'
  const pool = mempool(size)
  const costs = { ...NO_COSTS }
  let parsed = 0
  const threads = mode === 'threads' ? newThreads() : undefined
  threads?.start()
  const dataDir = mkdtempSync(join(tmpdir(), 'mega-sync-bench-'))
  const store = openMempoolStore({ dataDir })
  /** Admits as `MegaNode.submitPage` does, timing the mempool and the store apart. */
  const admitPage = (messages: readonly Validated<PoolMessage>[]) => {
    const started = performance.now()
    const results = messages.map((message) => pool.admit(message))
    const admitted = performance.now()
    const persistCpu = process.threadCpuUsage()
    if (persist)
      store.applyAll(
        results.map((result) => result.changes),
        floorsOf(pool),
      )
    costs.persistCpuMs += cpuMsOf(process.threadCpuUsage(persistCpu))
    costs.admitMs += admitted - started
    costs.persistMs += performance.now() - admitted
    return results.map((result) => result.admission)
  }
  const source = new MempoolSyncSource(pool, (message) => admitPage([message])[0]!, {
    submitPage: admitPage,
    ...(threads && { signatures: threads }),
  })
  const plain: SyncSource = admit
    ? source
    : {
        snapshot: () => source.snapshot(),
        message: () => undefined,
        submit: () => {
          parsed++
          return { status: 'added' }
        },
      }
  const node = await libp2pNode(plain)
  await node.start()
  try {
    await node.dial(multiaddr(server.address))
    const peer = node.getConnections()[0]!.remotePeer
    const service = node.services.sync as SyncService
    // The topology learns the peer once identify ran.
    while (service.peers.length === 0) await new Promise((resolve) => setTimeout(resolve, 10))
    const serverCpu = await serverCpuMs(server)
    const cpu = process.cpuUsage()
    const mainCpu = process.threadCpuUsage()
    const stats = await service.syncWith(peer, { method })
    costs.cpuMs = cpuMsOf(process.cpuUsage(cpu))
    costs.mainCpuMs = cpuMsOf(process.threadCpuUsage(mainCpu))
    costs.serverCpuMs = (await serverCpuMs(server)) - serverCpu
    costs.verifyCpuMs = threads?.cpuMs ?? 0
    if (admit && stats.outcomes.added !== server.held)
      throw new Error(`added ${JSON.stringify(stats.outcomes)}`)
    if (!admit && parsed !== server.held) throw new Error(`parsed ${parsed} of ${server.held}`)
    const what = `fresh node, ${method === 'range' ? 'range-based' : 'naive inventory'}${FRESH_LABEL[mode]}`
    return runOf(what, stats, costs, size)
  } finally {
    await node.stop()
    await threads?.stop()
    store.close()
    rmSync(dataDir, { recursive: true, force: true })
  }
}

/** Finding a 1% difference between two full nodes (no fetch). */
async function differenceOnly(
  node: Libp2p,
  server: Server,
  source: SyncSource,
  method: SyncMethod,
  size: number,
): Promise<Run> {
  const stream = await node.dialProtocol(multiaddr(server.address), SYNC_PROTOCOL)
  const channel = streamChannel(stream, { maxFrameBytes: 2 * MiB })
  const stats = await initiateSync(channel, source, { method, fetch: false })
  return runOf(
    `1% different, ${method === 'range' ? 'range-based' : 'naive inventory'}, find only`,
    stats,
    NO_COSTS,
    size,
  )
}

const cpuMsOf = (usage: NodeJS.CpuUsage) => (usage.user + usage.system) / 1000

/** Two signature threads alone checking the same messages as a sync (canonical form, signatures). */
interface Baseline {
  threads: number
  messages: number
  seconds: number
  cpuSeconds: number
  loadAverage: number
}

/**
 * The baseline of the signature-threads run: the same N messages, as canonical bytes, checked
 * by two signature threads with nothing else to do, in pages of the sync's size, every page
 * handed over at once. What the threads cost without a sync around them.
 */
async function bareVerification(size: number): Promise<Baseline> {
  const encoder = new TextEncoder()
  const bytes = (await messagesOf(size)).map(({ message }) => encoder.encode(canonicalize(message)))
  const threads = new SignatureThreads({ threads: 2 })
  threads.start()
  try {
    // Warm: the threads load their modules before the clock starts.
    await threads.check(bytes.slice(0, 2))
    const cpuBefore = threads.cpuMs
    const started = performance.now()
    const pages: Promise<{ verified: readonly unknown[] }>[] = []
    for (let at = 0; at < bytes.length; at += 256) pages.push(threads.check(bytes.slice(at, at + 256)))
    const verified = (await Promise.all(pages)).reduce((sum, page) => sum + page.verified.length, 0)
    const seconds = (performance.now() - started) / 1000
    if (verified !== size) throw new Error(`verified ${verified} of ${size}`)
    return {
      threads: 2,
      messages: size,
      seconds,
      cpuSeconds: (threads.cpuMs - cpuBefore) / 1000,
      loadAverage: loadavg()[0]!,
    }
  } finally {
    await threads.stop()
  }
}

interface SizeResult {
  runs: Run[]
  memory: Record<string, number>
  baseline?: Baseline
}

async function measure(size: number): Promise<SizeResult> {
  const results: Run[] = []
  let baseline: Baseline | undefined
  console.error(
    `\n# N = ${size.toLocaleString('en-US')}: generating or loading messages, starting the serving node`,
  )
  const server = await startServer(size, false)
  try {
    for (const [run_, method, mode] of [
      ['threads', 'range', 'threads'],
      ['range', 'range', 'admit'],
      ['inventory', 'inventory', 'admit'],
      ['parse', 'range', 'parse'],
    ] as const) {
      if (!runs.has(run_)) continue
      const run = await freshSync(server, size, method, mode)
      results.push(run)
      console.error(`  ${run.what}: ${run.seconds.toFixed(2)} s (${run.cpuSeconds.toFixed(2)} s CPU)`)
      if (mode === 'threads') {
        baseline = await bareVerification(size)
        console.error(`  bare verification, 2 threads: ${baseline.seconds.toFixed(2)} s`)
      }
    }
  } finally {
    await stopServer(server)
  }

  if (!runs.has('difference')) return { runs: results, memory: {}, ...(baseline && { baseline }) }
  console.error('  1% case: both nodes admit their 99.5%')
  const all = await messagesOf(size)
  const out = leftOut(all, size)
  const pool = mempool(size)
  admitAll(
    pool,
    all.filter((_, at) => out.get(at) !== 'b').map((m) => m.message),
  )
  const source = new MempoolSyncSource(pool, () => ({ status: 'invalid' }))
  const snapshotStarted = performance.now()
  source.refresh()
  const snapshotSeconds = (performance.now() - snapshotStarted) / 1000
  const other = await startServer(size, true)
  const node = await libp2pNode(source)
  await node.start()
  try {
    for (const method of ['range', 'inventory'] as const) {
      const run = await differenceOnly(node, other, source, method, size)
      results.push(run)
      console.error(`  ${run.what}: ${(run.seconds * 1000).toFixed(0)} ms`)
    }
  } finally {
    await node.stop()
    await stopServer(other)
  }

  // The same difference in memory: the protocol's own CPU and bytes.
  const otherPool = mempool(size)
  admitAll(
    otherPool,
    all.filter((_, at) => out.get(at) !== 'a').map((m) => m.message),
  )
  const a = source.snapshot()
  const b = new MempoolSyncSource(otherPool, () => ({ status: 'invalid' })).refresh()
  const started = performance.now()
  let rounds = 0
  let bytes = 0
  let need = 0
  let have = 0
  let message: Uint8Array | undefined = initiate(a)
  while (message) {
    rounds++
    const reply = respond(b, message)
    bytes += message.length + reply.length
    const result = reconcile(a, reply)
    need += result.need.length
    have += result.have.length
    message = result.next
  }
  results.push({
    what: '1% different, range-based, in memory (no network)',
    method: 'range',
    items: size,
    seconds: (performance.now() - started) / 1000,
    reconcileSeconds: (performance.now() - started) / 1000,
    fetchSeconds: 0,
    transferSeconds: 0,
    verifyCpuSeconds: 0,
    verifyWaitSeconds: 0,
    parseSeconds: 0,
    admitSeconds: 0,
    persistSeconds: 0,
    persistCpuSeconds: 0,
    cpuSeconds: 0,
    mainCpuSeconds: 0,
    serverCpuSeconds: 0,
    loadAverage: loadavg()[0]!,
    roundTrips: rounds,
    rounds,
    fetches: 0,
    bytesSent: bytes,
    bytesReceived: 0,
    need,
    have,
    added: 0,
  })
  return { runs: results, memory: { snapshotSeconds }, ...(baseline && { baseline }) }
}

function formatBytes(bytes: number): string {
  return bytes >= MiB ? `${(bytes / MiB).toFixed(1)} MiB` : `${(bytes / 1024).toFixed(1)} KiB`
}

const seconds = (value: number) => (value < 1 ? `${(value * 1000).toFixed(0)} ms` : `${value.toFixed(2)} s`)

async function main(): Promise<void> {
  const results: Record<string, SizeResult> = {}
  for (const size of sizes) results[size] = await measure(size)
  if (json) {
    console.log(JSON.stringify({ goalSeconds: GOAL_SECONDS, results }, null, 2))
    return
  }
  for (const [size, { runs, memory, baseline }] of Object.entries(results)) {
    console.log(
      `\n## N = ${Number(size).toLocaleString('en-US')}${memory.snapshotSeconds === undefined ? '' : ` (snapshot build ${(memory.snapshotSeconds * 1000).toFixed(0)} ms)`}\n`,
    )
    console.log(
      '| run | time | CPU (all threads / main) | round trips | bytes (sent / received) | need / have |',
    )
    console.log('|---|---|---|---|---|---|')
    for (const run of runs) {
      const cpu = run.cpuSeconds > 0 ? `${seconds(run.cpuSeconds)} / ${seconds(run.mainCpuSeconds)}` : '—'
      console.log(
        `| ${run.what} | ${seconds(run.seconds)} | ${cpu} | ${run.roundTrips} (${run.rounds} + ${run.fetches} fetch) | ${formatBytes(run.bytesSent)} / ${formatBytes(run.bytesReceived)} | ${run.need} / ${run.have} |`,
      )
    }
    const fresh = runs.filter((run) => run.what.startsWith('fresh node'))
    if (fresh.length > 0) {
      console.log('\nPhases of the fresh runs (each summed over the session; they overlap):\n')
      console.log(
        '| run | transfer (waited / received) | verification (threads CPU / admission waited) | parsing | admission | persistence (wall / CPU) | total | serving node CPU | load |',
      )
      console.log('|---|---|---|---|---|---|---|---|---|')
      for (const run of fresh) {
        console.log(
          `| ${run.what} | ${seconds(run.transferSeconds)} / ${formatBytes(run.bytesReceived)} | ${seconds(run.verifyCpuSeconds)} / ${seconds(run.verifyWaitSeconds)} | ${seconds(run.parseSeconds)} | ${seconds(run.admitSeconds)} | ${seconds(run.persistSeconds)} / ${seconds(run.persistCpuSeconds)} | ${seconds(run.seconds)} | ${seconds(run.serverCpuSeconds)} | ${run.loadAverage.toFixed(1)} |`,
        )
      }
    }
    if (baseline) {
      console.log(
        `\nBaseline, same run: ${baseline.threads} signature threads alone check the ${baseline.messages.toLocaleString('en-US')} messages (canonical form, signatures) in ${seconds(baseline.seconds)} (${seconds(baseline.cpuSeconds)} CPU; load ${baseline.loadAverage.toFixed(1)}).`,
      )
    }
    const threaded = runs.find(
      (run) => run.what.startsWith('fresh node, range-based, ') && run.what.endsWith('threads'),
    )
    if (threaded && Number(size) === 100_000) {
      console.log(
        `\nGoal: sync of 100k entries, persisted, ≤ ${GOAL_SECONDS} s — ${threaded.seconds <= GOAL_SECONDS ? 'met' : 'not met'} (${threaded.seconds.toFixed(1)} s, ${threaded.cpuSeconds.toFixed(1)} s CPU).`,
      )
    }
  }
}

if (argv.includes('--serve')) await serve(Number(option('--serve')), argv.includes('--leave-out'))
else await main()
