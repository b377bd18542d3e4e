/**
 * The performance report: runs every benchmark as its own process (each prints one JSON object
 * with `--json`), then writes docs/performance.md with the machine's facts, each figure next
 * to its goal from the issues, and the baselines measured in the same run.
 *
 *   npm run bench                          every benchmark at full size (long: ~30 min or more)
 *   npm run bench -- --quick               every benchmark in its quick mode (a few minutes)
 *   node bench/report.ts --only pow,verify the listed benchmarks only
 *   node bench/report.ts --out FILE        write FILE instead of docs/performance.md
 *   node bench/report.ts --admission-sizes 10000,100000   pool sizes of the admission benchmark
 *                                          (its default includes 1M: ~15 min of generation alone)
 *   node bench/report.ts --admission-cache /tmp/mega-bench   reuse the admission benchmark's
 *                                          generated messages (its --cache)
 *
 * Benchmarks run one after another, never in parallel: each wants the whole machine. A failed
 * benchmark is reported as failed in the document; the others still run.
 */
import { spawn } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import { availableParallelism, cpus, loadavg, release, totalmem } from 'node:os'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { BENCHES, type BenchName, goalRows, type Outcome, sections } from './report-sections.ts'

const { values } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    only: { type: 'string' },
    out: { type: 'string', default: 'docs/performance.md' },
    'admission-sizes': { type: 'string' },
    'admission-cache': { type: 'string' },
  },
})
const quick = values.quick
const selected = (values.only?.split(',') ?? Object.keys(BENCHES)) as BenchName[]
for (const name of selected) if (!(name in BENCHES)) throw new Error(`--only: no benchmark "${name}"`)

/**
 * Runs one benchmark; its stderr (progress) passes through, and its last line is kept to say
 * why it failed; its stdout's JSON value is the result.
 */
function runBench(name: BenchName): Promise<Outcome> {
  const { script, args: argsOf } = BENCHES[name]
  const sizes = values['admission-sizes']
  const cache = values['admission-cache']
  const args = [
    ...argsOf(quick),
    ...(name === 'admission' && sizes ? ['--sizes', sizes] : []),
    ...(name === 'admission' && cache ? ['--cache', cache] : []),
  ]
  const argv = [fileURLToPath(new URL(script, import.meta.url)), ...args]
  const started = performance.now()
  console.error(`\n[bench] ${name}: node ${script} ${args.join(' ')}`)
  return new Promise((resolve) => {
    const child = spawn(process.execPath, argv, { stdio: ['ignore', 'pipe', 'pipe'] })
    let out = ''
    let lastError = ''
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      process.stderr.write(chunk)
      // The thrown error's own line ("NodeUnreachableError: …"), not its stack.
      const line = chunk.split('\n').findLast((l) => /^\w*Error\b/.test(l))
      if (line) lastError = line.trim()
    })
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      out += chunk
    })
    child.on('close', (code, signal) => {
      const seconds = (performance.now() - started) / 1000
      const command = `node bench/${script.replace('./', '')} ${args.join(' ')}`.trim()
      if (code !== 0) {
        const error = `exited with ${signal ?? code}${lastError ? ` (${lastError})` : ''}`
        return resolve({ name, command, seconds, error })
      }
      try {
        // Some benchmarks print a line of text before their JSON: take from the first brace.
        resolve({ name, command, seconds, result: JSON.parse(out.slice(out.indexOf('{'))) })
      } catch (error) {
        resolve({ name, command, seconds, error: `unreadable output: ${(error as Error).message}` })
      }
    })
  })
}

const load = loadavg()
const started = new Date()
const outcomes: Outcome[] = []
for (const name of selected) outcomes.push(await runBench(name))

const machine = [
  `- CPU: ${cpus()[0]?.model.trim() ?? 'unknown'}, ${availableParallelism()} cores`,
  `- Memory: ${(totalmem() / 2 ** 30).toFixed(1)} GiB; OS: Linux ${release()}`,
  `- Node ${process.version} (the project's pinned Node, run through npm scripts)`,
  `- Load average before the run: ${load.map((l) => l.toFixed(2)).join(', ')} (1, 5, 15 min). The machine is shared with other engineers' tests and builds: figures vary between runs, ratios measured in the same run (against OpenSSL, against native ed25519) are steadier.`,
  // Above one runnable process per core, every benchmark shares its core: say so next to the verdicts.
  ...(load[0]! > availableParallelism()
    ? [
        `- **Contended run:** the load was ${(load[0]! / availableParallelism()).toFixed(1)}× the core count, so the benchmarks shared their cores with other work and a "missed" below may say more about the machine than about the code. Rerun on an idle machine to judge a goal.`,
      ]
    : []),
]
const document = [
  '# Performance',
  '',
  `> Generated by \`npm run bench${quick ? ' -- --quick' : ''}\` (\`node bench/report.ts${quick ? ' --quick' : ''}\`) on ${started.toISOString().slice(0, 16).replace('T', ' ')} UTC in ${((Date.now() - started.getTime()) / 60_000).toFixed(1)} min. Do not edit by hand: rerun the command.${quick ? ' **Quick mode:** smaller sizes and shorter rounds; a goal stated at a size not measured here reads "not measured at the goal\'s size".' : ''}`,
  '',
  'Measurements taken since this run, between full runs, and what changed and why: [performance-notes.md](performance-notes.md).',
  '',
  '## Machine',
  '',
  ...machine,
  '',
  '## Goals',
  '',
  'Each goal as the issues state it, the figure this run measured, and the verdict.',
  '',
  goalRows(outcomes),
  '',
  ...sections(outcomes),
  '## Commands',
  '',
  'Each benchmark runs alone as below (add `--json` for machine-readable output):',
  '',
  ...outcomes.map((o) => `- ${o.name}: \`${o.command}\` (${o.seconds.toFixed(0)} s in this run)`),
  '',
].join('\n')
writeFileSync(values.out, document)
console.error(`\n[bench] wrote ${values.out}`)
