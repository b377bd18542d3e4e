/**
 * Runs the three scenarios against the real Mempool and writes docs/sybil.md with its charts.
 *
 * Usage:
 *   npm run sim                          full run (about a few minutes on 2 shared cores), writes docs/
 *   node sim/run.ts --quick              small worlds (seconds): what the test suite runs
 *   node sim/run.ts --out DIR            write DIR/sybil.md and DIR/img/*.svg instead of docs/
 *   node sim/run.ts --json               also print every result as one JSON object on stdout
 *   node sim/run.ts --watts-per-core W   power assumed per busy core for energy figures (default 15)
 */
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { buildStream, FLOOR_MODES, runChurn } from './churn.ts'
import { FULL, QUICK } from './config.ts'
import { DEFAULT_WATTS_PER_CORE, measureMinerRate } from './cost.ts'
import { churnSection } from './doc-churn.ts'
import { introSection, summarySection } from './doc-intro.ts'
import { spamSection } from './doc-spam.ts'
import { sybilSection } from './doc-sybil.ts'
import { runReportSpam, runWashing } from './report-spam.ts'
import { runSybilSplit } from './sybil-split.ts'
import { minedWork } from './world.ts'

const { values } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    json: { type: 'boolean', default: false },
    out: { type: 'string', default: 'docs' },
    'watts-per-core': { type: 'string', default: String(DEFAULT_WATTS_PER_CORE) },
  },
})
const config = values.quick ? QUICK : FULL
// Progress goes to stderr so that --json keeps stdout clean.
const log = (line: string) => console.error(`[sim] ${line}`)
const started = performance.now()
const lap = (what: string) => log(`${what} (${((performance.now() - started) / 1000).toFixed(1)} s)`)

// Measured first, while nothing else of ours runs: the miner's rate on all cores.
const cost = await measureMinerRate(config.rateSeconds, Number(values['watts-per-core']))
lap(`miner: ${(cost.rate / 1e6).toFixed(1)} M trials/s on ${cost.threads} threads`)
const sybil = runSybilSplit(config.sybil)
lap(`scenario 1: ${sybil.length} pool runs`)
const spam = runReportSpam(config.spam)
const wash = runWashing(config.spam)
lap(`scenario 2: ${spam.length} pool runs, washing under ${wash.length} policies`)
const stream = buildStream(config.churn)
const churn = config.churn.intervalsSeconds.flatMap((interval) =>
  FLOOR_MODES.map((mode) => runChurn(config.churn, stream, mode, interval)),
)
lap(`scenario 3: ${churn.length} runs of ${stream.length} ads`)

const elapsedSeconds = (performance.now() - started) / 1000
const sections = [
  sybilSection(config.sybil, sybil, cost),
  spamSection(config.spam, spam, wash, cost),
  churnSection(config.churn, churn),
]
const intro = introSection(config, cost, elapsedSeconds, minedWork)
const summary = summarySection(config, sybil, spam, wash, churn)
mkdirSync(join(values.out, 'img'), { recursive: true })
for (const section of sections) {
  for (const [name, svg] of section.charts) writeFileSync(join(values.out, 'img', name), svg)
}
const markdown = [intro, summary, ...sections.map((s) => s.markdown)].join('\n')
writeFileSync(join(values.out, 'sybil.md'), markdown)
lap(`wrote ${join(values.out, 'sybil.md')}`)

if (values.json) {
  const work = Object.fromEntries([...minedWork].map(([label, w]) => [label, Number(w)]))
  console.log(
    JSON.stringify(
      { config: config.name, cost, elapsedSeconds, minedWork: work, sybil, spam, wash, churn },
      null,
      2,
    ),
  )
}
