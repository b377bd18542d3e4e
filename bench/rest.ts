/**
 * REST benchmark: `GET /oracles?limit=20` (and a few other reads) against a node holding N real
 * oracle ads, measured by autocannon in a separate process so client and server each have a
 * core. Prints requests/s and latency percentiles.
 *
 *   node bench/rest.ts [--oracles 100000] [--seconds 10] [--connections 10] [--cache DIR] [--json]
 */

import { parseArgs } from 'node:util'
import { buildApi } from '../src/api/app.ts'
import { Mempool } from '../src/mempool/mempool.ts'
import { admitValue } from '../src/mempool/pipeline.ts'
import { generate, lines, OFFER_EXPIRES } from './admission-messages.ts'
import { autocannon, type LoadResult } from './autocannon.ts'

const { values } = parseArgs({
  options: {
    oracles: { type: 'string', default: '100000' },
    seconds: { type: 'string', default: '10' },
    connections: { type: 'string', default: '10' },
    cache: { type: 'string' },
    json: { type: 'boolean', default: false },
  },
})
const count = Number(values.oracles)
const log = (line: string) => !values.json && console.log(line)

const [set] = await generate([{ kind: 'oracle', keys: 'base', bits: 8, count }], {
  cacheDir: values.cache,
  log: (line) => !values.json && console.error(line),
})
const pool = new Mempool(
  { maxOracles: count, maxBytes: 2 ** 40, minBits: { oracle: 8, capability: 8, report: 8, offer: 8 } },
  { now: () => OFFER_EXPIRES - 86_400 },
)
let started = performance.now()
for (const line of lines(set!.bytes)) admitValue(pool, JSON.parse(line))
log(
  `filled a pool with ${pool.oracles.size} oracles in ${((performance.now() - started) / 1000).toFixed(1)} s`,
)

const app = await buildApi({ mempool: pool }, { rateLimit: { max: 1e9 } })
await app.listen({ host: '127.0.0.1', port: 0 })
const address = app.server.address() as { port: number }
const base = `http://127.0.0.1:${address.port}`
const [second] = (await (await fetch(`${base}/oracles?limit=1`)).json()).items as { key: string }[]

const targets = [
  ['GET /oracles?limit=20', '/oracles?limit=20'],
  ['GET /oracles/:key', `/oracles/${second!.key}`],
  ['GET /stats', '/stats'],
  ['GET /health', '/health'],
] as const
const results: Record<string, LoadResult> = {}
for (const [name, path] of targets) {
  started = performance.now()
  results[name] = await autocannon({
    url: `${base}${path}`,
    connections: Number(values.connections),
    seconds: Number(values.seconds),
  })
}
await app.close()

if (values.json) {
  console.log(JSON.stringify({ oracles: pool.oracles.size, seconds: Number(values.seconds), results }))
} else {
  log(
    `\n${'endpoint'.padEnd(24)} ${'req/s'.padStart(9)} ${'p50 ms'.padStart(7)} ${'p99 ms'.padStart(7)} errors`,
  )
  for (const [name, r] of Object.entries(results)) {
    log(
      `${name.padEnd(24)} ${Math.round(r.requestsPerSecond).toLocaleString('en').padStart(9)} ${String(r.p50).padStart(7)} ${String(r.p99).padStart(7)} ${r.errors}`,
    )
  }
  const main = results['GET /oracles?limit=20']!
  log(
    `\ngoal GET /oracles?limit=20 at ${count.toLocaleString('en')} oracles: ≥ 10,000 req/s and p99 ≤ 5 ms → ${main.requestsPerSecond >= 10_000 && main.p99 <= 5 ? 'met' : 'MISSED'}`,
  )
}
