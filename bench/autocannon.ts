/**
 * Runs autocannon in its own process (so the load generator does not share the server's core)
 * and sums up its JSON report.
 */
import { spawn } from 'node:child_process'

interface AutocannonReport {
  requests: { average: number }
  latency: { p50: number; p99: number }
  errors: number
  non2xx: number
}

/** What the benchmarks print: mean requests per second, latency percentiles (ms), failures. */
export interface LoadResult {
  requestsPerSecond: number
  p50: number
  p99: number
  /** Connection errors and non-2xx answers. */
  errors: number
}

export interface AutocannonRun {
  url: string
  connections: number
  seconds: number
  /** @default 'GET' */
  method?: string
  /** A JSON body, sent with `content-type: application/json`. */
  body?: string
}

export async function autocannon(run: AutocannonRun): Promise<LoadResult> {
  const report = await runAutocannon(run)
  return {
    requestsPerSecond: report.requests.average,
    p50: report.latency.p50,
    p99: report.latency.p99,
    errors: report.errors + report.non2xx,
  }
}

function runAutocannon({
  url,
  connections,
  seconds,
  method = 'GET',
  body,
}: AutocannonRun): Promise<AutocannonReport> {
  const args = ['-c', String(connections), '-d', String(seconds), '-m', method, '-j']
  if (body !== undefined) args.push('-H', 'content-type=application/json', '-b', body)
  args.push(url)
  return new Promise((resolve, reject) => {
    const child = spawn(new URL('../node_modules/.bin/autocannon', import.meta.url).pathname, args, {
      stdio: ['ignore', 'pipe', 'ignore'],
    })
    let out = ''
    child.stdout.on('data', (chunk) => (out += chunk))
    child.on('error', reject)
    child.on('close', (code) =>
      code === 0 ? resolve(JSON.parse(out)) : reject(new Error(`autocannon exited ${code}`)),
    )
  })
}
