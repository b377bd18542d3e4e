/**
 * Mempool admission throughput with real signed and mined messages, per kind and pool size,
 * against native ed25519 verification measured in the same process (design §5: admission is
 * bounded by the one signature check each new message costs; everything else should be cheap).
 *
 *   node bench/admission.ts                         sizes 10k, 100k, 1M (≈ 15 min, most of it generating 1M ads)
 *   node bench/admission.ts --quick                 10k only, shorter rounds (≈ 30 s)
 *   node bench/admission.ts --sizes 10000,100000    chosen pool sizes (oracles)
 *   node bench/admission.ts --json                  all figures as one JSON object on stdout
 *   node bench/admission.ts --cache /tmp/mega-bench reuse generated messages across runs
 *   node bench/admission.ts --threads 2             generation threads (default: all cores)
 *   node --cpu-prof bench/admission.ts --quick      a CPU profile per size (flags pass on to each size's process)
 *
 * Each size runs in its own process (clean RSS, `--max-old-space-size=16384`, `--expose-gc`):
 * 1. generate every message up front on worker threads (outside all timing): N oracle ads at 8 bits,
 *    K = min(20k, N/2) stronger ads (9 bits), capabilities, free-form reports and offers on the
 *    first K oracles, and 5k weak ads (7 bits); every message has its own derived key;
 * 2. measure ed25519 verifications/s through the signature module (`verifyMessage`, libsodium):
 *    with a new signer each time (as for every new oracle) and with 16 signers over and over; and
 *    OpenSSL's (node:crypto) with a new key object each time, the "native" figure of the goals;
 * 3. time `Mempool.admit` on parsed values (JSON parsing happens in batches outside the timing):
 *    fill an empty pool of capacity N with the N ads, cheap rejections (duplicates, ads under the
 *    weakest entry, bad PoW) in repeated passes, K capabilities, K reports, K offers, then K
 *    stronger ads into the full pool, each one evicting the weakest (eviction-heavy), then weak
 *    ads under the rolling floor the evictions raised;
 * 4. time each pipeline step alone (schema, id, rules, PoW, signature, …) on the same messages,
 *    to show where an admission's time goes besides the signature.
 * The clock stands still (a fixed `now`), so floors do not decay mid-run; the byte budget is
 * lifted (`maxBytes` unbounded) and `maxOffers` ≥ K, so only the count limits evict.
 */
import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { availableParallelism, cpus, loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import { type PerformanceEntry, PerformanceObserver } from 'node:perf_hooks'
import { fileURLToPath } from 'node:url'
import type { Admission } from '../src/mempool/admission.ts'
import { Mempool } from '../src/mempool/mempool.ts'
import { packCanonical } from '../src/mempool/packed.ts'
import { admitValue } from '../src/mempool/pipeline.ts'
import { type VerifiedKey, verifiedKey } from '../src/mempool/verified-ids.ts'
import { fromHex } from '../src/protocol/hex.ts'
import { canonicalTexts, messageId, offerKey, signingBytes } from '../src/protocol/message.ts'
import { verifyMessagePow } from '../src/protocol/message-pow.ts'
import type { Message, OracleId, Report } from '../src/protocol/messages/index.ts'
import { checkMessageRules } from '../src/protocol/rules.ts'
import { verifySignatures } from '../src/protocol/sign.ts'
import { verifyMessage } from '../src/protocol/signature.ts'
import { validateMessage } from '../src/protocol/validate.ts'
import { verifyReportEvidence } from '../src/protocol/verify-report.ts'
import { generate, type MessageSet, parse, type SetSpec } from './admission-messages.ts'
import { opensslEd25519 } from './openssl-ed25519.ts'

const argv = process.argv.slice(2)
const has = (name: string) => argv.includes(name)
const option = (name: string) => {
  const at = argv.indexOf(name)
  return at >= 0 ? argv[at + 1] : undefined
}
const quick = has('--quick')
const json = has('--json')
const cacheDir = option('--cache')
const threads = option('--threads')

/** Goals of the issue. */
const GOALS = {
  signedPerSecond: 4_000,
  rejectionsPerSecond: 100_000,
  largeToSmallSlowdown: 2,
  /** CPU µs an admission spends besides its signature check, for every signed kind. */
  nonSignatureMicroseconds: 10,
  /** Admissions/s of each signed kind ÷ the bare verification rate of its signatures. */
  vsBareVerification: 0.8,
  /** RSS per oracle in a full pool of a million (about 1 GB for the pool). */
  bytesPerOracle: 1024,
}
const MIN_BITS = { oracle: 6, capability: 6, report: 6, offer: 6 }
const NOW = 1_850_000_000
const FILL_BATCH = 10_000
const CHECKPOINT = 100_000
const ROUND_MS = quick ? 300 : 1_000
const ROUNDS = quick ? 2 : 3
const MB = 1024 * 1024

/** What the figures are, printed with them. */
const NOTES = [
  'admissions on one core (the main thread of a process per size), Mempool.admit on parsed JSON values',
  'real messages: ed25519 keys derived per message, signed, mined (7-9 bits), generated on worker threads before any timing; JSON parsing in untimed batches',
  'clock fixed (floors do not decay), byte budget lifted, maxOffers ≥ K: only the count limits evict',
  'signed scenarios: one pass each (state changes); rejections: best of repeated passes (state unchanged)',
  'signed scenarios after the fill: every 5th block of 50 admissions has its signatures checked beforehand (the mempool’s verified ids) and is timed apart: the cost besides the signature, under the same load',
]

type ScenarioKind = 'signed' | 'rejection'

interface Scenario {
  name: string
  kind: ScenarioKind
  /** Message kind admitted. */
  message: string
  /** Expected outcome of every admission (status and reason code). */
  outcome: string
  count: number
  seconds: number
  /** Admissions ÷ seconds: everything included (GC, and any load from other processes). */
  perSecond: number
  /** Median rate of windows of 500 admissions: robust to short bursts of outside load. */
  medianPerSecond: number
  /** µs per admission, from perSecond. */
  microseconds: number
  /** perSecond ÷ ed25519 verifications/s with a new signer each time. */
  vsEd25519: number
  /** Main-thread CPU time ÷ wall time; well below 1: other processes took the core. */
  cpuShare: number
  /** Main-thread CPU µs per admission: what the admission itself cost, whatever the load. */
  cpuMicroseconds: number
  /** Admissions of the scenario made with their signatures already checked (not in `count`). */
  preverified?: number
  /** Their CPU µs each: what an admission costs besides its signature check. */
  preverifiedCpuMicroseconds?: number
  /** Share of the time spent in garbage collection. */
  gcShare: number
  /** Entries evicted during the scenario. */
  evicted: number
}

interface MemoryFigures {
  rssMB: number
  heapUsedMB: number
  externalMB: number
}

interface SizeResult {
  size: number
  k: number
  nodeFlags: string[]
  generation: {
    threads: number
    messages: number
    /** Messages generated in this run (the rest came from the cache). */
    generated: number
    seconds: number
    perSecond: number
    cached: boolean
    sets: { set: string; count: number; seconds: number; cached: boolean }[]
  }
  /**
   * ed25519 verifications/s (the better of the runs before and after the scenarios): the
   * node's own (libsodium) with a new signer each time and with 16 signers over and over, and
   * OpenSSL's with a new key object each time.
   */
  baseline: {
    ed25519NewSigner: number
    ed25519Cached: number
    opensslNewSigner: number
    runs: { ed25519NewSigner: number; ed25519Cached: number; opensslNewSigner: number }[]
  }
  scenarios: Scenario[]
  fill: { entries: number; perSecond: number; gcShare: number; cpuShare: number; memory: MemoryFigures }[]
  memory: {
    beforeFill: MemoryFigures
    afterFill: MemoryFigures
    end: MemoryFigures
    per100kOracles: { rssMB: number; heapUsedMB: number }
  }
  phases: Record<string, Record<string, number>>
  /**
   * Heap and RSS growth per entry held, by kind (after a full GC): the oracles of the fill,
   * then the K capabilities, reports and offers each; a capability's or report's figure
   * includes the structures its oracle's pool builds on its first entry.
   */
  bytesPerEntry: Record<string, { heap: number; rss: number }>
  /** Per signed kind: CPU µs of an admission against its signature check alone. */
  overhead: Record<string, Overhead>
  /** Load averages (1, 5, 15 min) when the size's process started and ended: the machine is shared. */
  load: { start: number[]; end: number[] }
}

interface Overhead {
  /** The scenario measured (with pre-verified blocks). */
  scenario: string
  admissionMicroseconds: number
  signatureMicroseconds: number
  /** CPU µs of the scenario's admissions whose signatures were checked beforehand. */
  nonSignatureMicroseconds: number
  /** Admission rate ÷ bare verification rate of the kind's signatures (signature µs ÷ admission µs). */
  vsBareVerification: number
}

// ---- the process per size ------------------------------------------------------------------

const gc = (globalThis as { gc?: () => void }).gc

function memory(): MemoryFigures {
  gc?.()
  gc?.()
  const m = process.memoryUsage()
  const round = (bytes: number) => Math.round((bytes / MB) * 10) / 10
  return { rssMB: round(m.rss), heapUsedMB: round(m.heapUsed), externalMB: round(m.external) }
}

/** Garbage-collection pauses, to tell what share of a timed section they took. */
const gcPauses: PerformanceEntry[] = []
const gcObserver = new PerformanceObserver((list) => gcPauses.push(...list.getEntries()))

/** Admissions per window: the median window rate shrugs off bursts of load from other processes. */
const WINDOW = 500

/**
 * Time intervals of a timed section (so GC pauses can be attributed afterwards), the main
 * thread's CPU time in them (less than the wall time when other processes took the core), and
 * the rate of each window of {@link WINDOW} admissions.
 */
class Stopwatch {
  readonly intervals: [number, number][] = []
  readonly windows: number[] = []
  cpuMicroseconds = 0
  #start = 0
  #cpu: NodeJS.CpuUsage = { user: 0, system: 0 }
  start(): void {
    this.#cpu = process.threadCpuUsage()
    this.#start = performance.now()
  }
  stop(): void {
    this.intervals.push([this.#start, performance.now()])
    const cpu = process.threadCpuUsage(this.#cpu)
    this.cpuMicroseconds += cpu.user + cpu.system
  }
  add(other: Stopwatch): void {
    this.intervals.push(...other.intervals)
    this.windows.push(...other.windows)
    this.cpuMicroseconds += other.cpuMicroseconds
  }
  get seconds(): number {
    return this.intervals.reduce((sum, [a, b]) => sum + b - a, 0) / 1000
  }
  /** Main-thread CPU time ÷ wall time: below ~0.95, another process was using this core. */
  cpuShare(): number {
    return this.seconds > 0 ? this.cpuMicroseconds / 1e6 / this.seconds : 0
  }
  medianPerSecond(): number {
    const sorted = this.windows.toSorted((a, b) => a - b)
    return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN
  }
  /** Share of the measured time spent in GC pauses (call after the observer delivered them). */
  gcShare(): number {
    let paused = 0
    for (const entry of gcPauses) {
      const [start, end] = [entry.startTime, entry.startTime + entry.duration]
      for (const [a, b] of this.intervals) paused += Math.max(0, Math.min(end, b) - Math.max(start, a))
    }
    return this.seconds > 0 ? paused / 1000 / this.seconds : 0
  }
}

function outcomeOf(admission: Admission): string {
  return admission.reason ? `${admission.status} ${admission.reason.code}` : admission.status
}

/**
 * Messages admitted with their signatures already checked (the mempool's `verified` ids, as a
 * sync's signature threads fill them): every {@link SPLIT_EVERY}th block of {@link SPLIT_BLOCK}
 * admissions of a signed scenario. Interleaved with the others, they measure what an admission
 * costs besides its signature check under the same load, pool size and state.
 */
const SPLIT_BLOCK = 50
const SPLIT_EVERY = 5

interface Split {
  /** `verifiedKey` of each message of a pre-verified block (undefined for the others). */
  keys: (VerifiedKey | undefined)[]
  /** Time of the pre-verified blocks. */
  watch: Stopwatch
  count: number
}

function splitFor(messages: unknown[]): Split {
  const keys = messages.map((message, i) =>
    Math.floor(i / SPLIT_BLOCK) % SPLIT_EVERY === SPLIT_EVERY - 1
      ? verifiedKey(messageId(message as Message), message as Message)
      : undefined,
  )
  return { keys, watch: new Stopwatch(), count: 0 }
}

/**
 * Admits every message once; every outcome must be `expected`. Returns the entries removed and
 * how many admissions `watch` timed (with a `split`, the pre-verified blocks are timed apart).
 */
function admitAll(
  pool: Mempool,
  messages: unknown[],
  expected: string,
  watch: Stopwatch,
  label: string,
  split?: Split,
): { removed: number; timed: number } {
  let removed = 0
  let timed = 0
  let wrong = 0
  let example: Admission | undefined
  let inWindow = 0
  let windowMs = 0
  for (let from = 0; from < messages.length; from += SPLIT_BLOCK) {
    const to = Math.min(messages.length, from + SPLIT_BLOCK)
    const verified = split?.keys[from] !== undefined
    if (verified) for (let i = from; i < to; i++) pool.verified.add(split!.keys[i]!)
    const blockWatch = verified ? split!.watch : watch
    blockWatch.start()
    const started = performance.now()
    for (let i = from; i < to; i++) {
      const { admission, changes } = admitValue(pool, messages[i])
      removed += changes.removed.length
      if (admission.status !== expected && outcomeOf(admission) !== expected) {
        wrong++
        example ??= admission
      }
    }
    blockWatch.stop()
    if (verified) {
      split!.count += to - from
      continue
    }
    timed += to - from
    windowMs += performance.now() - started
    inWindow += to - from
    if (inWindow >= WINDOW) {
      watch.windows.push((inWindow * 1000) / windowMs)
      inWindow = 0
      windowMs = 0
    }
  }
  if (wrong > 0) {
    throw new Error(
      `${label}: ${wrong} of ${messages.length} admissions were not "${expected}", e.g. ${JSON.stringify(example)}`,
    )
  }
  return { removed, timed }
}

/** Best rate of repeated passes over messages that leave the pool as it is (rejections). */
function rejectRate(pool: Mempool, messages: unknown[], expected: string, label: string) {
  admitAll(pool, messages, expected, new Stopwatch(), label) // warm-up, and check the outcome
  let best = { count: 0, watch: new Stopwatch(), perSecond: 0 }
  for (let round = 0; round < ROUNDS; round++) {
    const watch = new Stopwatch()
    let count = 0
    while (watch.seconds * 1000 < ROUND_MS) {
      admitAll(pool, messages, expected, watch, label)
      count += messages.length
    }
    const perSecond = count / watch.seconds
    if (perSecond > best.perSecond) best = { count, watch, perSecond }
  }
  return best
}

/** Best of rounds of `op` over `items`, in operations per second. */
function rateOf<T>(items: T[], op: (item: T) => void): number {
  const round = (ms: number) => {
    let count = 0
    const start = performance.now()
    let now = start
    while (now - start < ms) {
      for (const item of items) op(item)
      count += items.length
      now = performance.now()
    }
    return count / ((now - start) / 1000)
  }
  round(ROUND_MS / 3)
  let best = 0
  for (let r = 0; r < ROUNDS; r++) best = Math.max(best, round(ROUND_MS))
  return best
}

/** The strings an entry of `message`'s kind keeps that its packed form refers to (entries.ts). */
function refsOf(message: Message): string[] {
  switch (message.kind) {
    case 'oracle':
      return [message.pubkey]
    case 'capability':
      return [message.capabilityKey, message.oracle]
    case 'report':
      return [message.oracle]
    case 'offer':
      return [message.terms.question.capability]
    default:
      return []
  }
}

/**
 * Main-thread CPU µs per call of `op` over `items`: the best of three passes after a warm-up
 * pass. CPU time, like the scenarios' `cpuMicroseconds`, so that both sides of the comparison
 * stand whatever other processes take of the core. The kernel counts a thread's CPU time in
 * scheduler ticks (4 ms here), so each pass goes over the items as many times as it takes to
 * last {@link STEP_PASS_MS}: a pass of a few ms would read 0 or a tick, and the best of three
 * would be the 0.
 */
function microsecondsOf<T>(items: T[], op: (item: T) => unknown): number {
  const started = performance.now()
  for (const item of items) op(item)
  const rounds = Math.max(1, Math.ceil(STEP_PASS_MS / Math.max(performance.now() - started, 0.01)))
  let best = Number.POSITIVE_INFINITY
  for (let pass = 0; pass < 3; pass++) {
    const start = process.threadCpuUsage()
    for (let round = 0; round < rounds; round++) for (const item of items) op(item)
    const cpu = process.threadCpuUsage(start)
    best = Math.min(best, (cpu.user + cpu.system) / (items.length * rounds))
  }
  return best
}

/** Wall time of each measured pass of a pipeline step: 25 ticks of the kernel's CPU clock. */
const STEP_PASS_MS = 100

function log(line: string): void {
  process.stderr.write(`${line}\n`)
}

/** What each size admits: K = min(20k, N/2) of every kind beside the N ads, R weak ads. */
function plan(size: number) {
  const k = Math.max(1, Math.min(20_000, Math.floor(size / 2)))
  const r = Math.min(5_000, k)
  const specs = {
    base: { kind: 'oracle', keys: 'base', bits: 8, count: size },
    strong: { kind: 'oracle', keys: 'strong', bits: 9, count: k },
    weak: { kind: 'oracle', keys: 'weak', bits: 7, count: r },
    capabilities: { kind: 'capability', oracles: 'base', bits: 8, count: k },
    reports: { kind: 'report', oracles: 'base', bits: 8, count: k },
    offers: { kind: 'offer', bits: 8, count: k },
  } satisfies Record<string, SetSpec>
  return { k, r, specs, names: Object.keys(specs) as (keyof typeof specs)[] }
}

/** Runs one size on messages the driver generated into `dir`. */
async function runSize(size: number, dir: string): Promise<Omit<SizeResult, 'generation'>> {
  const loadAtStart = loadavg()
  gcObserver.observe({ entryTypes: ['gc'] })
  const { k, r, specs, names } = plan(size)
  const loaded = await generate(
    names.map((name) => specs[name]),
    { cacheDir: dir },
  )
  if (!loaded.every((l) => l.cached)) throw new Error(`messages missing from ${dir}`)
  const set = Object.fromEntries(names.map((name, i) => [name, loaded[i]!])) as Record<
    keyof typeof specs,
    MessageSet
  >

  // Baseline: the signature module's ed25519 verify, on the strong ads' signed bytes.
  const strongAds = parse(set.strong.bytes) as OracleId[]
  const signed = strongAds.map((ad) => ({ bytes: signingBytes(ad), signature: ad.signature, key: ad.pubkey }))
  const verify = (s: (typeof signed)[number]) => {
    if (!verifyMessage('ed25519', s.bytes, s.signature, s.key).ok) throw new Error('baseline: bad signature')
  }
  // OpenSSL (node:crypto) for comparison: a key object built for each check, as a new signer needs.
  const openssl = opensslEd25519({ cacheKeys: false })
  const opensslSigned = signed.map((s) => ({
    bytes: s.bytes,
    signature: fromHex(s.signature),
    key: fromHex(s.key),
  }))
  const verifyOpenssl = (s: (typeof opensslSigned)[number]) => {
    if (!openssl.verify(s.signature, s.bytes, s.key)) throw new Error('baseline: bad signature')
  }
  // Measured before and after the scenarios; the better of the two counts (load from other
  // processes only ever slows a measurement down).
  const measureBaseline = () => {
    const figures = {
      ed25519NewSigner: rateOf(signed, verify),
      ed25519Cached: rateOf(signed.slice(0, 16), verify),
      opensslNewSigner: rateOf(opensslSigned, verifyOpenssl),
    }
    log(
      `  ed25519 verify: ${Math.round(figures.ed25519NewSigner)}/s (${Math.round(figures.ed25519Cached)}/s same 16 signers); OpenSSL with a new key object each: ${Math.round(figures.opensslNewSigner)}/s`,
    )
    return figures
  }
  const baselineBefore = measureBaseline()

  const pool = new Mempool(
    {
      maxOracles: size,
      maxOffers: Math.max(10_000, k),
      maxBytes: Number.MAX_SAFE_INTEGER,
      minBits: MIN_BITS,
    },
    { now: () => NOW },
  )
  const scenarios: Scenario[] = []
  const pending: { scenario: Scenario; watch: Stopwatch }[] = []
  const record = (
    name: string,
    kind: ScenarioKind,
    message: string,
    outcome: string,
    count: number,
    watch: Stopwatch,
    evicted = 0,
    split?: Split,
  ) => {
    const perSecond = count / watch.seconds
    const scenario: Scenario = {
      name,
      kind,
      message,
      outcome,
      count,
      seconds: Math.round(watch.seconds * 1000) / 1000,
      perSecond: Math.round(perSecond),
      medianPerSecond: Math.round(watch.medianPerSecond()),
      microseconds: Math.round((1e6 / perSecond) * 10) / 10,
      cpuMicroseconds: Math.round((watch.cpuMicroseconds / count) * 10) / 10,
      ...(split && {
        preverified: split.count,
        preverifiedCpuMicroseconds: Math.round((split.watch.cpuMicroseconds / split.count) * 10) / 10,
      }),
      vsEd25519: 0, // once the baseline is final
      gcShare: 0,
      cpuShare: Math.round(watch.cpuShare() * 100) / 100,
      evicted,
    }
    scenarios.push(scenario)
    pending.push({ scenario, watch })
    log(`  ${name}: ${scenario.perSecond.toLocaleString('en-US')}/s`)
  }

  // 0. Warm up the admission code of every kind (JIT) on a throwaway pool, with the first few
  // hundred messages of each set.
  {
    const warm = new Mempool({ maxBytes: Number.MAX_SAFE_INTEGER, minBits: MIN_BITS }, { now: () => NOW })
    const w = Math.min(500, r)
    for (const name of ['base', 'weak', 'capabilities', 'reports', 'offers'] as const) {
      admitAll(warm, parse(set[name].bytes, 0, w), 'added', new Stopwatch(), `warm-up ${name}`)
    }
  }

  // 1. Fill the empty pool, checkpoint by checkpoint.
  const beforeFill = memory()
  const fillWatch = new Stopwatch()
  const fill: SizeResult['fill'] = []
  let segment = new Stopwatch()
  let segmentStart = 0
  for (let from = 0; from < size; from += FILL_BATCH) {
    const to = Math.min(size, from + FILL_BATCH)
    const batch = parse(set.base.bytes, from, to)
    const watch = new Stopwatch()
    admitAll(pool, batch, 'added', watch, 'fill')
    fillWatch.add(watch)
    segment.add(watch)
    if (to % CHECKPOINT === 0 || to === size) {
      await new Promise((resolve) => setImmediate(resolve)) // let the GC observer deliver
      fill.push({
        entries: to,
        perSecond: Math.round((to - segmentStart) / segment.seconds),
        gcShare: Math.round(segment.gcShare() * 1000) / 1000,
        cpuShare: Math.round(segment.cpuShare() * 100) / 100,
        memory: memory(),
      })
      if (size > CHECKPOINT) log(`  filled ${to.toLocaleString('en-US')}: ${fill.at(-1)!.perSecond}/s`)
      segment = new Stopwatch()
      segmentStart = to
    }
  }
  const afterFill = memory()
  record('oracle ads into an empty pool (fill)', 'signed', 'oracle', 'added', size, fillWatch)

  // 2. Cheap rejections on the full pool, floor still at 0.
  const duplicates = parse(set.base.bytes, 0, r)
  const weak = parse(set.weak.bytes)
  const badPow = (parse(set.strong.bytes, 0, r) as OracleId[]).map((ad) => {
    const last = ad.pow.hash.at(-1) === '0' ? '1' : '0'
    return { ...ad, pow: { ...ad.pow, hash: ad.pow.hash.slice(0, -1) + last } }
  })
  for (const [name, messages, outcome] of [
    ['duplicates (oracle ads held)', duplicates, 'duplicate'],
    ['low rank: ads under the weakest entry', weak, 'low-pow LOW_POW'],
    ['bad PoW: hash mismatch', badPow, 'invalid POW_INVALID'],
  ] as const) {
    const best = rejectRate(pool, messages as unknown[], outcome, name)
    record(name, 'rejection', 'oracle', outcome, best.count, best.watch)
  }

  // 3. Capabilities, reports and offers on held oracles and capabilities, with the memory each
  // kind's entries take (the parsed messages the pool did not keep are garbage by then).
  const perEntry = (before: MemoryFigures, after: MemoryFigures, count: number) => ({
    heap: Math.round(((after.heapUsedMB - before.heapUsedMB) * MB) / count),
    rss: Math.round(((after.rssMB - before.rssMB) * MB) / count),
  })
  const bytesPerEntry: SizeResult['bytesPerEntry'] = { oracle: perEntry(beforeFill, afterFill, size) }
  for (const [name, kind] of [
    ['capabilities on held oracles', 'capabilities'],
    ['reports (free-form, signed) on held oracles', 'reports'],
    ['offers on held capabilities', 'offers'],
  ] as const) {
    const before = memory()
    let messages: unknown[] = parse(set[kind].bytes)
    const count = messages.length
    const watch = new Stopwatch()
    const split = splitFor(messages)
    const { timed } = admitAll(pool, messages, 'added', watch, name, split)
    messages = []
    record(name, 'signed', specs[kind].kind, 'added', timed, watch, 0, split)
    bytesPerEntry[specs[kind].kind] = perEntry(before, memory(), count)
  }

  // 4. Eviction-heavy: every stronger ad evicts the weakest oracle of the full pool.
  {
    const watch = new Stopwatch()
    const split = splitFor(strongAds)
    const { removed, timed } = admitAll(pool, strongAds, 'added', watch, 'eviction', split)
    if (pool.oracles.size !== size) throw new Error(`eviction: pool holds ${pool.oracles.size}, not ${size}`)
    record(
      'stronger ads into the full pool (each evicts)',
      'signed',
      'oracle',
      'added',
      timed,
      watch,
      removed,
      split,
    )
  }

  // 5. Under the rolling floor the evictions raised.
  {
    const best = rejectRate(pool, weak, 'low-pow LOW_POW', 'floor')
    record(
      'low rank: ads under the rolling floor',
      'rejection',
      'oracle',
      'low-pow LOW_POW',
      best.count,
      best.watch,
    )
  }
  const end = memory()
  const baselineAfter = measureBaseline()
  const baseline = {
    ed25519NewSigner: Math.max(baselineBefore.ed25519NewSigner, baselineAfter.ed25519NewSigner),
    ed25519Cached: Math.max(baselineBefore.ed25519Cached, baselineAfter.ed25519Cached),
    opensslNewSigner: Math.max(baselineBefore.opensslNewSigner, baselineAfter.opensslNewSigner),
  }

  // 6. Pipeline steps alone, on the same messages (up to 2,000 of each kind).
  const sample = <T>(messages: T[]) => messages.slice(0, 2_000)
  const phases: SizeResult['phases'] = {}
  const kinds: [string, Message[]][] = [
    ['oracle', sample(strongAds)],
    ['capability', sample(parse(set.capabilities.bytes, 0, 2_000) as Message[])],
    ['report', sample(parse(set.reports.bytes, 0, 2_000) as Message[])],
    ['offer', sample(parse(set.offers.bytes, 0, 2_000) as Message[])],
  ]
  for (const [kind, messages] of kinds) {
    const steps: Record<string, number> = {
      schema: microsecondsOf(messages, (m) => validateMessage(m)),
      'id (JCS + SHA-256)': microsecondsOf(messages, (m) => messageId(m)),
      rules: microsecondsOf(messages, (m) => checkMessageRules(m)),
      pow: microsecondsOf(messages, (m) => verifyMessagePow(m, 6)),
      signature: microsecondsOf(messages, (m) => verifySignatures(m)),
    }
    if (kind === 'report') {
      steps.evidence = microsecondsOf(messages as Report[], (m) => verifyReportEvidence(m, { now: NOW }))
    }
    if (kind === 'offer') steps['offer key'] = microsecondsOf(messages, (m) => offerKey(m as never))
    // The entry's packed form, from the canonical text the id hashed (serialized beforehand).
    const packable = messages.map((m) => ({ m, canonical: canonicalTexts(m).withoutProofs, refs: refsOf(m) }))
    steps.packing = microsecondsOf(packable, ({ m, canonical, refs }) =>
      packCanonical(canonical, m as never, refs),
    )
    phases[kind] = Object.fromEntries(
      Object.entries(steps).map(([step, us]) => [step, Math.round(us * 10) / 10]),
    )
  }

  // Per signed kind, against its signature check alone, in CPU time: the admissions of the
  // scenario, and those of its interleaved blocks whose signatures were checked beforehand.
  const overhead: SizeResult['overhead'] = {}
  for (const kind of Object.keys(phases)) {
    const scenario = scenarios.find((s) => s.message === kind && s.preverifiedCpuMicroseconds !== undefined)!
    const signature = phases[kind]!.signature!
    overhead[kind] = {
      scenario: scenario.name,
      admissionMicroseconds: scenario.cpuMicroseconds,
      signatureMicroseconds: signature,
      nonSignatureMicroseconds: scenario.preverifiedCpuMicroseconds!,
      vsBareVerification: Math.round((signature / scenario.cpuMicroseconds) * 100) / 100,
    }
  }

  await new Promise((resolve) => setImmediate(resolve))
  for (const { scenario, watch } of pending) {
    scenario.gcShare = Math.round(watch.gcShare() * 1000) / 1000
    scenario.vsEd25519 = Math.round((scenario.perSecond / baseline.ed25519NewSigner) * 1000) / 1000
  }
  gcObserver.disconnect()
  const per100k = (a: number, b: number) => Math.round(((b - a) / size) * CHECKPOINT * 10) / 10
  return {
    size,
    k,
    nodeFlags: process.execArgv,
    baseline: {
      ed25519NewSigner: Math.round(baseline.ed25519NewSigner),
      ed25519Cached: Math.round(baseline.ed25519Cached),
      opensslNewSigner: Math.round(baseline.opensslNewSigner),
      runs: [baselineBefore, baselineAfter].map((run) => ({
        ed25519NewSigner: Math.round(run.ed25519NewSigner),
        ed25519Cached: Math.round(run.ed25519Cached),
        opensslNewSigner: Math.round(run.opensslNewSigner),
      })),
    },
    scenarios,
    fill,
    memory: {
      beforeFill,
      afterFill,
      end,
      per100kOracles: {
        rssMB: per100k(beforeFill.rssMB, afterFill.rssMB),
        heapUsedMB: per100k(beforeFill.heapUsedMB, afterFill.heapUsedMB),
      },
    },
    phases,
    bytesPerEntry,
    overhead,
    load: { start: loadAtStart.map(round2), end: loadavg().map(round2) },
  }
}

const round2 = (x: number) => Math.round(x * 100) / 100

// ---- the driver: one process per size, then the report -----------------------------------

function sizesToRun(): number[] {
  if (quick) return [10_000]
  const listed = option('--sizes')
  if (!listed) return [10_000, 100_000, 1_000_000]
  const sizes = listed.split(',').map((s) => Number(s.replace(/_/g, '')))
  if (sizes.some((s) => !Number.isInteger(s) || s < 2)) throw new Error(`--sizes: bad list "${listed}"`)
  return sizes
}

/**
 * Generates a size's messages in this process (on worker threads), into the cache directory or
 * a temporary one, so the measuring process never ran the generators (a clean RSS).
 */
async function generateFor(size: number, dir: string): Promise<SizeResult['generation']> {
  const { specs, names } = plan(size)
  const total = names.reduce((sum, name) => sum + specs[name].count, 0)
  log(`size ${n(size)}: ${n(total)} signed, mined messages`)
  const started = performance.now()
  const sets = await generate(
    names.map((name) => specs[name]),
    { threads: threads ? Number(threads) : undefined, cacheDir: dir, log },
  )
  const seconds = (performance.now() - started) / 1000
  const cached = sets.every((set) => set.cached)
  const generated = sets.filter((set) => !set.cached).reduce((sum, set) => sum + set.spec.count, 0)
  log(cached ? '  all read from the cache' : `  generated ${n(generated)} in ${seconds.toFixed(1)} s`)
  return {
    threads: threads ? Number(threads) : availableParallelism(),
    messages: total,
    generated,
    seconds: Math.round(seconds * 10) / 10,
    perSecond: generated > 0 ? Math.round(generated / seconds) : 0,
    cached,
    sets: sets.map((set, i) => ({
      set: names[i]!,
      count: set.spec.count,
      seconds: Math.round(set.seconds * 10) / 10,
      cached: set.cached,
    })),
  }
}

function runChild(size: number, dir: string): Promise<Omit<SizeResult, 'generation'>> {
  const args = [
    ...process.execArgv,
    '--max-old-space-size=16384',
    '--expose-gc',
    fileURLToPath(import.meta.url),
    '--size',
    String(size),
    '--messages',
    dir,
    ...(quick ? ['--quick'] : []),
  ]
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'] })
    let out = ''
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      out += chunk
    })
    child.on('error', reject)
    child.on('close', (code, signal) => {
      if (code !== 0) return reject(new Error(`size ${size}: exited with ${signal ?? code}`))
      try {
        resolve(JSON.parse(out.trim().split('\n').at(-1)!) as Omit<SizeResult, 'generation'>)
      } catch (error) {
        reject(error)
      }
    })
  })
}

const n = (x: number) => Math.round(x).toLocaleString('en-US')

function printSize(result: SizeResult): void {
  const { generation: g, baseline: b, memory: m } = result
  console.log(`\n== pool of ${n(result.size)} oracles (K = ${n(result.k)}) ==`)
  console.log(
    `load average (1, 5, 15 min; ${cpus().length} cores): ${result.load.start.join(', ')} at the start, ${result.load.end.join(', ')} at the end`,
  )
  console.log(
    g.cached
      ? `messages: ${n(g.messages)} read from the cache (generation not measured in this run)`
      : `messages: ${n(g.generated)} of ${n(g.messages)} generated (derived keys, signed, mined) on ${g.threads} threads in ${g.seconds} s (${n(g.perSecond)}/s), before and outside all timing`,
  )
  console.log(
    `baseline, ed25519 verifyMessage (libsodium) on one core: ${n(b.ed25519NewSigner)}/s with a new signer each time, ${n(b.ed25519Cached)}/s with 16 signers` +
      ` (best of before/after: ${b.runs.map((r) => n(r.ed25519NewSigner)).join(' / ')}); OpenSSL (node:crypto) with a new key object each time: ${n(b.opensslNewSigner)}/s`,
  )
  console.log(
    `${'scenario'.padEnd(46)}${'count'.padStart(10)}${'per s'.padStart(9)}${'median'.padStart(9)}${'×ed25519'.padStart(9)}${'µs'.padStart(7)}${'GC'.padStart(5)}${'CPU'.padStart(6)}  outcome`,
  )
  const pct = (x: number) => `${Math.round(x * 100)}%`
  for (const s of result.scenarios) {
    console.log(
      `${s.name.padEnd(46)}${n(s.count).padStart(10)}${n(s.perSecond).padStart(9)}${n(s.medianPerSecond).padStart(9)}${s.vsEd25519.toFixed(2).padStart(9)}${s.microseconds.toFixed(1).padStart(7)}${pct(s.gcShare).padStart(5)}${pct(s.cpuShare).padStart(6)}  ${s.outcome}${s.evicted ? `, ${n(s.evicted)} evicted` : ''}`,
    )
  }
  console.log(
    'per s: all admissions ÷ all time; median: of 500-admission windows; ×ed25519: per s ÷ new-signer verifies/s;\n' +
      'GC: share of the time in GC pauses; CPU: main-thread CPU time ÷ wall time (below ~95%: other processes took the core)',
  )
  if (result.fill.length > 1) {
    console.log(
      'fill by segment (entries: admissions/s in the segment, GC, CPU; then RSS and heap after a full GC):',
    )
    for (const f of result.fill) {
      console.log(
        `  ${n(f.entries).padStart(9)}: ${n(f.perSecond).padStart(6)}/s  GC ${pct(f.gcShare)}  CPU ${pct(f.cpuShare)}  RSS ${n(f.memory.rssMB)} MB  heap ${n(f.memory.heapUsedMB)} MB`,
      )
    }
  }
  console.log(
    `memory: before fill RSS ${n(m.beforeFill.rssMB)} MB / heap ${n(m.beforeFill.heapUsedMB)} MB; full pool RSS ${n(m.afterFill.rssMB)} MB / heap ${n(m.afterFill.heapUsedMB)} MB` +
      `; per 100k oracles: heap ${m.per100kOracles.heapUsedMB} MB, RSS ${m.per100kOracles.rssMB} MB` +
      (result.size < CHECKPOINT
        ? ' (scaled up from a small pool: the RSS figure is mostly heap reservation, not entries)'
        : ''),
  )
  console.log(
    'memory per entry held, by kind (growth after a full GC ÷ entries; a capability or report includes its oracle pool built on first use):',
  )
  for (const [kind, b] of Object.entries(result.bytesPerEntry)) {
    console.log(`  ${kind.padEnd(11)} heap ${n(b.heap).padStart(6)} B   RSS ${n(b.rss).padStart(6)} B`)
  }
  console.log(
    'pipeline steps alone, CPU µs per message (admission: CPU µs per admission in its scenario; signature: every signature the message carries, a capability’s key proof too):',
  )
  for (const [kind, steps] of Object.entries(result.phases)) {
    const o = result.overhead[kind]!
    const sum = Object.values(steps).reduce((a, b) => a + b, 0)
    const parts = Object.entries(steps).map(([step, us]) => `${step} ${us.toFixed(1)}`)
    console.log(
      `  ${kind.padEnd(11)} ${parts.join(', ')}; sum ${sum.toFixed(1)} of ${o.admissionMicroseconds.toFixed(1)} → pool and the rest ${(o.admissionMicroseconds - sum).toFixed(1)}`,
    )
  }
  console.log(
    `admission against its signature check alone, CPU µs (goals: ≤ ${GOALS.nonSignatureMicroseconds} µs besides the signature; admissions/s ≥ ${GOALS.vsBareVerification}× the bare verification rate):`,
  )
  console.log(
    `  besides: admissions of the scenario whose signatures were checked beforehand (every ${SPLIT_EVERY}th block of ${SPLIT_BLOCK}, interleaved)`,
  )
  for (const [kind, o] of Object.entries(result.overhead)) {
    console.log(
      `  ${kind.padEnd(11)} signature alone ${o.signatureMicroseconds.toFixed(1).padStart(6)}, admission ${o.admissionMicroseconds.toFixed(1).padStart(6)}, besides the signature ${o.nonSignatureMicroseconds.toFixed(1).padStart(5)} → ${o.vsBareVerification.toFixed(2)}× bare (${o.scenario})`,
    )
  }
}

interface Comparison {
  scenario: string
  small: number
  large: number
  /** small ÷ large throughput: 2 means the large pool admits half as fast. */
  slowdown: number
}

function compare(results: SizeResult[]): Comparison[] {
  if (results.length < 2) return []
  const small = results[0]!
  const large = results.at(-1)!
  return small.scenarios.map((s, i) => {
    const l = large.scenarios[i]!
    return {
      scenario: s.name,
      small: s.perSecond,
      large: l.perSecond,
      slowdown: Math.round((s.perSecond / l.perSecond) * 100) / 100,
    }
  })
}

function goals(results: SizeResult[], comparisons: Comparison[]) {
  const signed = results.flatMap((r) => r.scenarios.filter((s) => s.kind === 'signed').map((s) => ({ r, s })))
  const rejections = results.flatMap((r) =>
    r.scenarios.filter((s) => s.kind === 'rejection').map((s) => ({ r, s })),
  )
  const worst = <T extends { s: Scenario }>(list: T[]) =>
    list.reduce((a, b) => (b.s.perSecond < a.s.perSecond ? b : a))
  const ws = worst(signed)
  const wr = worst(rejections)
  const slowest = comparisons.reduce<Comparison | undefined>(
    (a, b) => (a && a.slowdown >= b.slowdown ? a : b),
    undefined,
  )
  const overheads = results.flatMap((r) => Object.entries(r.overhead).map(([kind, o]) => ({ r, kind, o })))
  const worstOverhead = overheads.reduce((a, b) =>
    b.o.nonSignatureMicroseconds > a.o.nonSignatureMicroseconds ? b : a,
  )
  const worstRatio = overheads.reduce((a, b) => (b.o.vsBareVerification < a.o.vsBareVerification ? b : a))
  const largest = results.reduce((a, b) => (b.size > a.size ? b : a))
  const perOracle = largest.bytesPerEntry.oracle!.rss
  return {
    nonSignatureMicroseconds: {
      goal: GOALS.nonSignatureMicroseconds,
      worst: worstOverhead.o.nonSignatureMicroseconds,
      where: `${worstOverhead.kind} @ ${worstOverhead.r.size}`,
      met: worstOverhead.o.nonSignatureMicroseconds <= GOALS.nonSignatureMicroseconds,
    },
    vsBareVerification: {
      goal: GOALS.vsBareVerification,
      worst: worstRatio.o.vsBareVerification,
      where: `${worstRatio.kind} @ ${worstRatio.r.size}`,
      met: worstRatio.o.vsBareVerification >= GOALS.vsBareVerification,
    },
    bytesPerOracle: {
      goal: GOALS.bytesPerOracle,
      worst: perOracle,
      where: `RSS per oracle @ ${largest.size}`,
      met: perOracle <= GOALS.bytesPerOracle,
      measuredAtGoalSize: largest.size >= 1_000_000,
    },
    signedPerSecond: {
      goal: GOALS.signedPerSecond,
      worst: ws.s.perSecond,
      where: `${ws.s.name} @ ${ws.r.size}`,
      met: ws.s.perSecond >= GOALS.signedPerSecond,
    },
    rejectionsPerSecond: {
      goal: GOALS.rejectionsPerSecond,
      worst: wr.s.perSecond,
      where: `${wr.s.name} @ ${wr.r.size}`,
      met: wr.s.perSecond >= GOALS.rejectionsPerSecond,
    },
    largeToSmallSlowdown: slowest
      ? {
          goal: GOALS.largeToSmallSlowdown,
          worst: slowest.slowdown,
          where: slowest.scenario,
          met: slowest.slowdown <= GOALS.largeToSmallSlowdown,
        }
      : undefined,
  }
}

if (option('--size')) {
  const result = await runSize(Number(option('--size')), option('--messages')!)
  process.stdout.write(`${JSON.stringify(result)}\n`)
} else {
  const sizes = sizesToRun()
  const machine = { node: process.version, cpu: cpus()[0]?.model ?? 'unknown', cores: cpus().length }
  if (!json) {
    console.log(
      `Mempool admission benchmark (${machine.node}, ${machine.cpu}, ${machine.cores} cores); sizes ${sizes.map(n).join(', ')}`,
    )
    for (const note of NOTES) console.log(`- ${note}`)
  }
  const results: SizeResult[] = []
  const dir = cacheDir ?? mkdtempSync(join(tmpdir(), 'mega-admission-'))
  try {
    for (const size of sizes) {
      const generation = await generateFor(size, dir)
      const result = { ...(await runChild(size, dir)), generation }
      results.push(result)
      if (!json) printSize(result)
    }
  } finally {
    if (!cacheDir) rmSync(dir, { recursive: true, force: true })
  }
  const comparisons = compare(results)
  const verdict = goals(results, comparisons)
  if (json) {
    console.log(
      JSON.stringify({ machine, quick, notes: NOTES, goals: verdict, comparisons, results }, null, 2),
    )
  } else {
    if (comparisons.length > 0) {
      const [small, large] = [results[0]!.size, results.at(-1)!.size]
      console.log(`\nthroughput at ${n(small)} ÷ at ${n(large)} (goal ≤ ${GOALS.largeToSmallSlowdown}):`)
      for (const c of comparisons) {
        console.log(
          `  ${c.scenario.padEnd(46)}${n(c.small).padStart(10)}${n(c.large).padStart(10)}${`${c.slowdown.toFixed(2)}×`.padStart(8)}`,
        )
      }
    }
    const line = (
      label: string,
      g: { goal: number; worst: number; where: string; met: boolean } | undefined,
    ) =>
      g &&
      console.log(
        `  ${g.met ? 'met ' : 'MISS'} ${label}: goal ${n(g.goal)}, worst ${n(g.worst)} (${g.where})`,
      )
    console.log('\ngoals:')
    line('signed admissions/s', verdict.signedPerSecond)
    line('cheap rejections/s', verdict.rejectionsPerSecond)
    const at = (g: { goal: number; worst: number; where: string; met: boolean }, text: string) =>
      console.log(`  ${g.met ? 'met ' : 'MISS'} ${text} (${g.where})`)
    const o = verdict.nonSignatureMicroseconds
    at(o, `CPU µs besides the signature: goal ≤ ${o.goal}, worst ${o.worst}`)
    const v = verdict.vsBareVerification
    at(v, `admissions/s ÷ bare verification rate: goal ≥ ${v.goal}×, worst ${v.worst}×`)
    const b = verdict.bytesPerOracle
    at(
      b,
      `bytes per oracle: goal ≤ ${n(b.goal)} B, measured ${n(b.worst)} B${b.measuredAtGoalSize ? '' : ' (not at 1M: the goal’s size)'}`,
    )
    if (verdict.largeToSmallSlowdown) {
      const g = verdict.largeToSmallSlowdown
      console.log(
        `  ${g.met ? 'met ' : 'MISS'} slowdown largest vs smallest pool: goal ≤ ${g.goal}×, worst ${g.worst}× (${g.where})`,
      )
    }
  }
}
