/**
 * What bench/report.ts runs and how it reads each benchmark's JSON: the command per benchmark,
 * the goals of issues 2, 3 and 4 with their verdicts, and one section of tables per benchmark.
 * Field names follow each benchmark's `--json` output; a benchmark that failed or was not run
 * shows as such, never as a number.
 */

/** A benchmark's arguments: `--json`, then `always`, then `whenQuick` in quick mode. */
const argsOf =
  (whenQuick: string[] = ['--quick'], always: string[] = []) =>
  (quick: boolean) => ['--json', ...always, ...(quick ? whenQuick : [])]

export const BENCHES = {
  pow: { script: './pow.ts', args: argsOf() },
  verify: { script: './verify.ts', args: argsOf() },
  admission: { script: './admission.ts', args: argsOf() },
  // Quick: 10k oracles, 3 s per endpoint (the goal is stated at 100k).
  rest: { script: './rest.ts', args: argsOf(['--oracles', '10000', '--seconds', '3']) },
  store: { script: './store.ts', args: argsOf(['--n', '1000']) },
  sync: { script: './sync.ts', args: argsOf() },
  propagation: {
    script: './propagation.ts',
    // Ports off the script's defaults (28000/29000), which other runs on a shared machine use.
    args: argsOf(['--quick'], ['--http-port', '26000', '--p2p-port', '27000']),
  },
  // Quick: 10 nodes, a shorter settle and measure.
  idle: {
    script: './idle.ts',
    args: argsOf(
      ['--nodes', '10', '--settle', '60', '--seconds', '30'],
      ['--http-port', '26500', '--p2p-port', '27500'],
    ),
  },
} as const
export type BenchName = keyof typeof BENCHES

export interface Outcome {
  name: BenchName
  command: string
  seconds: number
  // biome-ignore lint/suspicious/noExplicitAny: each benchmark's own JSON, read field by field below
  result?: any
  error?: string
}

const n = (x: number) => Math.round(x).toLocaleString('en-US')
const m = (x: number) => `${(x / 1e6).toFixed(2)} M/s`
const x2 = (x: number) => `${x.toFixed(2)}×`

function table(header: string[], rows: (string | number)[][]): string {
  const line = (cells: (string | number)[]) => `| ${cells.join(' | ')} |`
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n')
}

type Verdict = 'met' | 'missed' | 'not measured at the goal’s size' | 'benchmark failed' | 'not run'

interface GoalRow {
  area: string
  goal: string
  measured: string
  verdict: Verdict
}

function verdictOf(met: boolean): Verdict {
  return met ? 'met' : 'missed'
}

/** The goals row by row; `read` turns a benchmark's JSON into a figure and a verdict. */
function goal(
  outcomes: Outcome[],
  bench: BenchName,
  area: string,
  text: string,
  // biome-ignore lint/suspicious/noExplicitAny: a benchmark's JSON
  read: (result: any) => { measured: string; verdict: Verdict },
): GoalRow {
  const outcome = outcomes.find((o) => o.name === bench)
  if (!outcome) return { area, goal: text, measured: '—', verdict: 'not run' }
  if (outcome.error) return { area, goal: text, measured: outcome.error, verdict: 'benchmark failed' }
  return { area, goal: text, ...read(outcome.result) }
}

export function goalRows(outcomes: Outcome[]): string {
  const rows: GoalRow[] = [
    goal(outcomes, 'pow', 'PoW (issue 2)', '≥ 1.0× OpenSSL’s 1-core SHA-256 rate, per core', (r) => ({
      measured: `${x2(r.ratios.minerPerCoreVsOpenssl)} (miner ${m(r.rates.minerAll)} on ${r.cores} cores; OpenSSL ${m(r.rates.openssl)})`,
      verdict: verdictOf(r.ratios.minerPerCoreVsOpenssl >= 1),
    })),
    goal(outcomes, 'pow', 'PoW (issue 2)', '≥ 1.9× speed-up on 2 cores', (r) => ({
      measured: `${x2(r.ratios.multiCoreSpeedup)} (${m(r.rates.miner1)} → ${m(r.rates.minerAll)})`,
      verdict: verdictOf(r.ratios.multiCoreSpeedup >= 1.9),
    })),
    goal(outcomes, 'admission', 'Admission (issue 3)', '≥ 4,000 signed admissions/s on one core', (r) => ({
      measured: `worst ${n(r.goals.signedPerSecond.worst)}/s (${r.goals.signedPerSecond.where})`,
      verdict: verdictOf(r.goals.signedPerSecond.met),
    })),
    goal(outcomes, 'admission', 'Admission (issue 3)', '≥ 100,000 cheap rejections/s', (r) => ({
      measured: `worst ${n(r.goals.rejectionsPerSecond.worst)}/s (${r.goals.rejectionsPerSecond.where})`,
      verdict: verdictOf(r.goals.rejectionsPerSecond.met),
    })),
    goal(
      outcomes,
      'admission',
      'Admission',
      '≤ 10 CPU µs per admission besides the signature, every signed kind, at 100k',
      (r) => {
        const g = r.goals.nonSignatureMicroseconds
        return g
          ? { measured: `worst ${g.worst} µs (${g.where})`, verdict: verdictOf(g.met) }
          : { measured: 'not measured', verdict: 'not run' as const }
      },
    ),
    goal(
      outcomes,
      'admission',
      'Admission',
      'each signed kind ≥ 0.8× the bare verification rate of its signatures',
      (r) => {
        const g = r.goals.vsBareVerification
        return g
          ? { measured: `worst ${x2(g.worst)} (${g.where})`, verdict: verdictOf(g.met) }
          : { measured: 'not measured', verdict: 'not run' as const }
      },
    ),
    goal(outcomes, 'admission', 'Memory', '≤ 1 KB RSS per oracle at 1M', (r) => {
      const g = r.goals.bytesPerOracle
      if (!g) return { measured: 'not measured', verdict: 'not run' as const }
      return {
        measured: `${n(g.worst)} B (${g.where})`,
        verdict: g.measuredAtGoalSize ? verdictOf(g.met) : 'not measured at the goal’s size',
      }
    }),
    goal(outcomes, 'admission', 'Admission (issue 3)', 'throughput at 1M oracles within 2× of 10k', (r) => {
      const g = r.goals.largeToSmallSlowdown
      const largest = Math.max(...r.results.map((s: { size: number }) => s.size))
      if (!g) return { measured: `only ${n(largest)} measured`, verdict: 'not measured at the goal’s size' }
      return {
        measured: `worst ${x2(g.worst)} (${g.where}) at ${n(largest)}`,
        verdict: largest >= 1_000_000 ? verdictOf(g.met) : 'not measured at the goal’s size',
      }
    }),
    goal(
      outcomes,
      'rest',
      'REST (issue 3)',
      '`GET /oracles?limit=20` at 100k oracles: ≥ 10,000 req/s, p99 ≤ 5 ms',
      (r) => {
        const e = r.results['GET /oracles?limit=20']
        const met = e.requestsPerSecond >= 10_000 && e.p99 <= 5
        return {
          measured: `${n(e.requestsPerSecond)} req/s, p99 ${e.p99} ms at ${n(r.oracles)} oracles`,
          verdict: r.oracles >= 100_000 ? verdictOf(met) : 'not measured at the goal’s size',
        }
      },
    ),
    goal(outcomes, 'propagation', 'Propagation (issue 4)', '100% delivery', (r) => {
      const worst = Math.min(...r.results.map((p: { delivery: number }) => p.delivery))
      return {
        measured: `worst ${(100 * worst).toFixed(2)}% over ${r.results.length} runs`,
        verdict: verdictOf(worst >= 1),
      }
    }),
    goal(outcomes, 'propagation', 'Propagation (issue 4)', 'p99 full coverage ≤ 500 ms at 50 nodes', (r) => {
      const at50 = r.results.filter((p: { nodes: number }) => p.nodes >= 50)
      const runs = at50.length > 0 ? at50 : r.results
      const text = runs
        .map((p: PropagationRun) => `${p.config} ${p.fullCoverageMs.p99.toFixed(0)} ms at ${p.nodes} nodes`)
        .join('; ')
      if (at50.length === 0) return { measured: text, verdict: 'not measured at the goal’s size' }
      return {
        measured: text,
        verdict: verdictOf(
          at50.some((p: PropagationRun) => p.config === 'mega' && p.fullCoverageMs.p99 <= 500),
        ),
      }
    }),
    goal(
      outcomes,
      'propagation',
      'Propagation (issue 4)',
      '≤ 2 copies per node per message (project settings, `mega`)',
      (r) => {
        const mega = r.results.filter((p: PropagationRun) => p.config === 'mega')
        const text = r.results
          .map(
            (p: PropagationRun) => `${p.config} ${p.copiesPerNodePerMessage.toFixed(2)} at ${p.nodes} nodes`,
          )
          .join('; ')
        return {
          measured: text,
          verdict: verdictOf(
            mega.length > 0 && mega.every((p: PropagationRun) => p.copiesPerNodePerMessage <= 2),
          ),
        }
      },
    ),
    goal(outcomes, 'idle', 'Idle cost', '≤ 0.5% of one core per idle node with 8 peers', (r) => {
      const text = r.results
        .map(
          (i: IdleRun) =>
            `${pct(i.cpuShareOfCore.median)} (max ${pct(i.cpuShareOfCore.max)}) at ${i.nodes} nodes`,
        )
        .join('; ')
      return {
        measured: text,
        verdict: verdictOf(r.results.every((i: IdleRun) => i.cpuShareOfCore.median <= 0.005)),
      }
    }),
    goal(outcomes, 'idle', 'Idle cost', '≤ 100 MB RSS per idle node', (r) => {
      const worst = Math.max(...r.results.map((i: IdleRun) => i.rssMiB.median))
      return {
        measured: `median ${worst.toFixed(0)} MiB at worst, ${Math.max(...r.results.map((i: IdleRun) => i.privateMiB.median)).toFixed(0)} MiB of it private (bare Node ${r.bareNodeRssMiB.toFixed(0)} MiB)`,
        verdict: verdictOf(worst * 1.048576 <= 100),
      }
    }),
    goal(
      outcomes,
      'sync',
      'Sync (issue 4)',
      'a fresh node syncs 100k entries, persisting them, in ≤ 5 s',
      (r) => {
        const sizes = Object.keys(r.results).map(Number)
        const largest = Math.max(...sizes)
        // The node's own way: range-based, with its signature threads when the run has them.
        const runs: SyncRun[] = r.results[largest].runs
        const rangeBased = runs.filter(
          (run) => run.what.startsWith('fresh node, range-based') && !run.what.endsWith('parse only'),
        )
        const fresh = rangeBased.find((run) => run.what.includes('signature threads')) ?? rangeBased[0]
        const measured = fresh
          ? `${fresh.seconds.toFixed(1)} s for ${n(largest)} (${fresh.what.replace('fresh node, ', '')}; ${fresh.cpuSeconds.toFixed(1)} s CPU; admission ${fresh.admitSeconds.toFixed(1)} s, persistence ${fresh.persistSeconds.toFixed(1)} s)`
          : `no fresh-node run at ${n(largest)}`
        if (largest < 100_000 || !fresh) return { measured, verdict: 'not measured at the goal’s size' }
        return { measured, verdict: verdictOf(fresh.seconds <= r.goalSeconds) }
      },
    ),
  ]
  return table(
    ['area', 'goal', 'measured in this run', 'verdict'],
    rows.map((row) => [
      row.area,
      row.goal,
      row.measured,
      row.verdict === 'met' || row.verdict === 'missed' ? `**${row.verdict}**` : row.verdict,
    ]),
  )
}

interface PropagationRun {
  nodes: number
  config: string
  delivery: number
  fullCoverageMs: { p50: number; p99: number }
  copiesPerNodePerMessage: number
  bytesPerMessagePerNode: number
  cpuUtilization: number
}

interface SyncRun {
  what: string
  seconds: number
  cpuSeconds: number
  mainCpuSeconds: number
  transferSeconds: number
  verifyCpuSeconds: number
  verifyWaitSeconds: number
  parseSeconds: number
  admitSeconds: number
  persistSeconds: number
  loadAverage: number
  roundTrips: number
  bytesSent: number
  bytesReceived: number
}

interface SyncBaseline {
  threads: number
  messages: number
  seconds: number
  cpuSeconds: number
}

const secs = (value: number) => (value < 1 ? `${(value * 1000).toFixed(0)} ms` : `${value.toFixed(2)} s`)

const kib = (bytes: number) =>
  bytes >= 2 ** 20 ? `${(bytes / 2 ** 20).toFixed(1)} MiB` : `${(bytes / 1024).toFixed(1)} KiB`

/** One section per benchmark that ran. */
// biome-ignore lint/suspicious/noExplicitAny: each benchmark's own JSON
const SECTIONS: Record<BenchName, (r: any) => string[]> = {
  pow: (r) => [
    `Kernel \`${r.kernel}\`, ${r.seconds} s per line. Baseline: \`openssl speed -evp sha256 -bytes 64\`, one core, in the same run.`,
    '',
    table(
      ['measurement', 'rate', '÷ OpenSSL 1 core'],
      [
        ['OpenSSL SHA-256, 64-byte inputs, 1 core (baseline)', r.rates.openssl, 1],
        [
          'Node `crypto.hash` per call, 1 core',
          r.rates.nodeCryptoHash,
          r.rates.nodeCryptoHash / r.rates.openssl,
        ],
        ['kernel, JS fallback, 1 core', r.rates.jsFallback, r.rates.jsFallback / r.rates.openssl],
        [`kernel, ${r.kernel}, 1 core`, r.rates.kernel, r.rates.kernel / r.rates.openssl],
        ['miner, 1 thread', r.rates.miner1, r.rates.miner1 / r.rates.openssl],
        [`miner, ${r.cores} threads`, r.rates.minerAll, r.rates.minerAll / r.rates.openssl],
      ].map(([name, rate, ratio]) => [name as string, m(rate as number), x2(ratio as number)]),
    ),
  ],
  verify: (r) => [
    `One core, best of ${r.rounds} × ${r.roundMs} ms, ${r.signers} signers, ${r.messageBytes}-byte messages. Baseline: OpenSSL ed25519 (\`node:crypto\`, one key object per signer).`,
    '',
    table(
      ['scheme', 'library', 'verify/s', 'sign/s', 'verify ÷ native'],
      r.rows.map(
        (row: {
          scheme: string
          library: string
          verifyPerSecond: number
          signPerSecond: number
          verifyRatio: number
        }) => [row.scheme, row.library, n(row.verifyPerSecond), n(row.signPerSecond), x2(row.verifyRatio)],
      ),
    ),
  ],
  admission: (r) =>
    r.results.flatMap((size: AdmissionSize) => [
      `Pool of ${n(size.size)} oracles. Baselines in the same process: the node's ed25519 \`verifyMessage\` (libsodium) ${n(size.baseline.ed25519NewSigner)}/s with a new signer each time, ${n(size.baseline.ed25519Cached)}/s with 16 signers; OpenSSL (node:crypto) ${n(size.baseline.opensslNewSigner ?? 0)}/s with a new key object each time.`,
      '',
      table(
        ['scenario', 'count', 'per s', 'median per s', '÷ ed25519', 'CPU share'],
        size.scenarios.map((s) => [
          s.name,
          n(s.count),
          n(s.perSecond),
          n(s.medianPerSecond),
          s.vsEd25519.toFixed(2),
          `${Math.round(s.cpuShare * 100)}%`,
        ]),
      ),
      '',
      ...(size.load
        ? [
            `Load average (1, 5, 15 min) ${size.load.start.join(', ')} at the start, ${size.load.end.join(', ')} at the end.`,
            '',
          ]
        : []),
      ...(size.bytesPerEntry
        ? [
            'Memory per entry held, by kind: growth after a full GC ÷ entries (a capability or report includes the pool its oracle builds for its first one).',
            '',
            table(
              ['kind', 'heap per entry', 'RSS per entry'],
              Object.entries(size.bytesPerEntry).map(([kind, b]) => [
                kind,
                `${n(b.heap)} B`,
                `${n(b.rss)} B`,
              ]),
            ),
            '',
          ]
        : []),
      ...(size.overhead && size.phases
        ? [
            'CPU µs per message: each step alone, the admission in its scenario, and the admissions of that scenario whose signatures were checked beforehand (interleaved blocks): the cost besides the signature.',
            '',
            table(
              [
                'kind',
                'steps alone',
                'admission',
                'besides the signature',
                'admissions/s ÷ bare verification',
              ],
              Object.entries(size.overhead).map(([kind, o]) => [
                kind,
                Object.entries(size.phases![kind] ?? {})
                  .map(([step, us]) => `${step} ${us.toFixed(1)}`)
                  .join(', '),
                o.admissionMicroseconds.toFixed(1),
                o.nonSignatureMicroseconds.toFixed(1),
                x2(o.vsBareVerification),
              ]),
            ),
            '',
          ]
        : []),
    ]),
  rest: (r) => [
    `${n(r.oracles)} oracles, autocannon in its own process, ${r.seconds} s per endpoint.`,
    '',
    table(
      ['endpoint', 'req/s', 'p50', 'p99', 'errors'],
      Object.entries(r.results).map(([name, e]) => {
        const v = e as { requestsPerSecond: number; p50: number; p99: number; errors: number }
        return [`\`${name}\``, n(v.requestsPerSecond), `${v.p50} ms`, `${v.p99} ms`, v.errors]
      }),
    ),
  ],
  store: (r) => [
    `${n(r.entries)} entries (oracles and capabilities), SQLite under the OS temp directory.`,
    '',
    table(
      ['measurement', 'figure'],
      [
        [
          'one transaction per admission, `synchronous=NORMAL` (WAL)',
          `${r.normal.applyMicroseconds.toFixed(0)} µs`,
        ],
        ['one transaction per admission, with fsync', `${r.fsync.applyMicroseconds.toFixed(0)} µs`],
        ['load, PoW re-checked', `${r.loadWithPowMs.toFixed(0)} ms`],
        ['load, no PoW check', `${r.loadMs.toFixed(0)} ms`],
        [
          `restore (load, rebuild, tidy) of ${n(r.restore.entries)} entries`,
          `${r.restore.milliseconds.toFixed(0)} ms`,
        ],
      ],
    ),
  ],
  sync: (r) =>
    Object.entries(r.results).flatMap(([size, value]) => {
      const { runs, baseline } = value as { runs: SyncRun[]; baseline?: SyncBaseline }
      const fresh = runs.filter((run) => run.what.startsWith('fresh node'))
      return [
        `N = ${n(Number(size))}:`,
        '',
        table(
          ['run', 'time', 'CPU (all threads / main)', 'round trips', 'bytes sent / received'],
          runs.map((run) => [
            run.what,
            secs(run.seconds),
            run.cpuSeconds > 0 ? `${secs(run.cpuSeconds)} / ${secs(run.mainCpuSeconds)}` : '—',
            run.roundTrips,
            `${kib(run.bytesSent)} / ${kib(run.bytesReceived)}`,
          ]),
        ),
        '',
        ...(fresh.length === 0
          ? []
          : [
              'Phases of the fresh runs, each summed over the session (they overlap):',
              '',
              table(
                [
                  'run',
                  'transfer (waited / received)',
                  'verification (threads CPU / admission waited)',
                  'parsing',
                  'admission',
                  'persistence',
                  'total',
                  'load',
                ],
                fresh.map((run) => [
                  run.what,
                  `${secs(run.transferSeconds)} / ${kib(run.bytesReceived)}`,
                  `${secs(run.verifyCpuSeconds)} / ${secs(run.verifyWaitSeconds)}`,
                  secs(run.parseSeconds),
                  secs(run.admitSeconds),
                  secs(run.persistSeconds),
                  secs(run.seconds),
                  run.loadAverage.toFixed(1),
                ]),
              ),
              '',
            ]),
        ...(baseline
          ? [
              `Baseline, same run: ${baseline.threads} signature threads alone check the ${n(baseline.messages)} messages (canonical form, signatures) in ${secs(baseline.seconds)} (${secs(baseline.cpuSeconds)} CPU).`,
              '',
            ]
          : []),
      ]
    }),
  propagation: (r) => [
    'Nodes as separate processes on loopback; `gossipsub` is the library defaults, `mega` the project settings.',
    '',
    table(
      [
        'nodes',
        'settings',
        'delivery',
        'full coverage p50 / p99',
        'copies per node per message',
        'bytes sent per message per node',
        'node CPU',
      ],
      r.results.map((p: PropagationRun) => [
        p.nodes,
        p.config,
        `${(100 * p.delivery).toFixed(1)}%`,
        `${p.fullCoverageMs.p50.toFixed(0)} / ${p.fullCoverageMs.p99.toFixed(0)} ms`,
        p.copiesPerNodePerMessage.toFixed(2),
        n(p.bytesPerMessagePerNode),
        `${(100 * p.cpuUtilization).toFixed(0)}%`,
      ]),
    ),
  ],
  idle: (r) => [
    `Node processes on loopback, each with its peers and no messages, measured per process (and its children) from /proc: CPU time, RSS and its private part (what one more node costs: the rest is chiefly the Node executable's code, shared by every node), gossip bytes; median (min–max) over the nodes. A bare Node process measured ${r.bareNodeRssMiB.toFixed(0)} MiB (${r.bareNodePrivateMiB.toFixed(0)} MiB private) in the same run.`,
    '',
    table(
      [
        'nodes',
        'peers each',
        'CPU, share of one core',
        'RSS',
        'private',
        'gossip sent / received per node',
        'load (1 min) before → after',
      ],
      r.results.map((i: IdleRun) => {
        const range = (x: Range, f: (v: number) => string) => `${f(x.median)} (${f(x.min)}–${f(x.max)})`
        return [
          i.nodes,
          `${i.peers.min}–${i.peers.max}`,
          range(i.cpuShareOfCore, pct),
          range(i.rssMiB, (v) => `${v.toFixed(0)} MiB`),
          range(i.privateMiB, (v) => `${v.toFixed(0)} MiB`),
          `${n(i.bytesSentPerSecond.median)} / ${n(i.bytesReceivedPerSecond.median)} B/s`,
          `${i.loadBefore.split(' ')[0]} → ${i.loadAfter.split(' ')[0]}`,
        ]
      }),
    ),
  ],
}

interface Range {
  min: number
  median: number
  max: number
}

interface IdleRun {
  nodes: number
  peers: Range
  cpuShareOfCore: Range
  rssMiB: Range
  privateMiB: Range
  bytesSentPerSecond: Range
  bytesReceivedPerSecond: Range
  loadBefore: string
  loadAfter: string
}

const pct = (share: number) => `${(100 * share).toFixed(2)}%`

interface AdmissionSize {
  size: number
  load?: { start: number[]; end: number[] }
  bytesPerEntry?: Record<string, { heap: number; rss: number }>
  phases?: Record<string, Record<string, number>>
  overhead?: Record<
    string,
    {
      scenario: string
      admissionMicroseconds: number
      signatureMicroseconds: number
      nonSignatureMicroseconds: number
      vsBareVerification: number
    }
  >
  baseline: { ed25519NewSigner: number; ed25519Cached: number; opensslNewSigner?: number }
  scenarios: {
    name: string
    count: number
    perSecond: number
    medianPerSecond: number
    vsEd25519: number
    cpuShare: number
  }[]
}

const TITLES: Record<BenchName, string> = {
  pow: 'Proof of work',
  verify: 'Signatures',
  admission: 'Mempool admission',
  rest: 'REST API',
  store: 'Persistence',
  sync: 'Sync',
  propagation: 'Propagation',
  idle: 'Idle cost',
}

export function sections(outcomes: Outcome[]): string[] {
  return outcomes.flatMap((o) => {
    const body = o.error
      ? [`Failed: ${o.error}. Run \`${o.command}\` to see why.`]
      : SECTIONS[o.name](o.result)
    return [`## ${TITLES[o.name]}`, '', ...body, '']
  })
}
