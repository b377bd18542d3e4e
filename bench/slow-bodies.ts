/**
 * Slow bodies against a real node: starts `mega node` in a child process (loopback, network
 * off, a fresh data directory), opens N connections that each send a POST's headers with
 * `Content-Length: 100` and only 10 bytes of body, then prints the node's RSS and open file
 * descriptors (from /proc), how many connections the node answered or closed, and how long the
 * node takes to exit on SIGTERM while they are held. Linux only (reads /proc); bounded: the
 * node is killed after `--kill-after` seconds. The POST rate limit is raised so that every body
 * reaches the parser (the worst case: a 429 answered early holds its connection the same way).
 *
 *   node bench/slow-bodies.ts [--connections 1000] [--hold 0] [--kill-after 60] [--env K=V …] [--json]
 *
 * `--hold S` waits S seconds before the SIGTERM, sampling how many connections stay open (to
 * see a body deadline cut them); `--env` adds environment variables to the node's (its
 * configuration, e.g. MEGA_API__MAX_CONNECTIONS_PER_ADDRESS=2000).
 */
import { type ChildProcess, spawn } from 'node:child_process'
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { createServer, type Socket, connect as tcpConnect } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { parseArgs } from 'node:util'

const { values } = parseArgs({
  options: {
    connections: { type: 'string', default: '1000' },
    hold: { type: 'string', default: '0' },
    'kill-after': { type: 'string', default: '60' },
    env: { type: 'string', multiple: true, default: [] },
    json: { type: 'boolean', default: false },
  },
})
const count = Math.min(Number(values.connections), 5_000)
const holdSeconds = Math.min(Number(values.hold), 120)
const killAfterSeconds = Math.min(Number(values['kill-after']), 300)
const log = (line: string) => !values.json && console.log(line)

const HEAD =
  'POST /oracle HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n'
const PARTIAL = '{"kind":"o'

/** What happened to one slow connection, as the client saw it. */
interface Slow {
  socket: Socket
  /** First line of what the node sent back, if anything. */
  status?: string
  closedAt?: number
}

const port = await freePort()
const dataDir = mkdtempSync(join(tmpdir(), 'mega-slow-bodies-'))
const node = spawn(process.execPath, [new URL('../bin/mega.ts', import.meta.url).pathname, 'node'], {
  env: {
    ...process.env,
    MEGA_DATA_DIR: dataDir,
    MEGA_HTTP: `127.0.0.1:${port}`,
    MEGA_LOG_LEVEL: 'warn',
    MEGA_NETWORK__ENABLED: 'false',
    MEGA_API__DASHBOARD: 'false',
    // Every body reaches the parser: the rate limit would answer most with 429 before it.
    MEGA_API__RATE_LIMIT_MAX: '1000000',
    ...Object.fromEntries(values.env.map((pair) => pair.split(/=(.*)/s).slice(0, 2))),
  },
  stdio: ['ignore', 'ignore', 'inherit'],
})
const exited = new Promise<number | null>((resolve) => node.once('exit', (code) => resolve(code)))
try {
  await healthy(port)
  const before = usage(node)
  const started = performance.now()
  const slow: Slow[] = []
  for (let i = 0; i < count; i += 50)
    slow.push(...(await Promise.all(Array.from({ length: Math.min(50, count - i) }, () => open(port)))))
  await sleep(1000)
  const loaded = usage(node)
  const openNow = () => slow.filter((s) => s.closedAt === undefined).length
  const samples: { second: number; open: number }[] = [{ second: 0, open: openNow() }]
  for (let second = 1; second <= holdSeconds; second++) {
    await sleep(1000)
    samples.push({ second, open: openNow() })
  }
  const held = usage(node)
  const statuses: Record<string, number> = {}
  for (const s of slow) if (s.status) statuses[s.status] = (statuses[s.status] ?? 0) + 1
  const heldCount = openNow()
  const term = performance.now()
  node.kill('SIGTERM')
  const code = await Promise.race([exited, sleep(killAfterSeconds * 1000, 'timeout' as const)])
  const stopSeconds = (performance.now() - term) / 1000
  if (code === 'timeout') node.kill('SIGKILL')
  for (const s of slow) s.socket.destroy()
  const result = {
    connections: count,
    openSeconds: (performance.now() - started) / 1000 - stopSeconds,
    rssMiB: { before: before.rssMiB, after: loaded.rssMiB, growth: loaded.rssMiB - before.rssMiB },
    fds: { before: before.fds, after: loaded.fds, growth: loaded.fds - before.fds },
    answered: statuses,
    openAfterSeconds: samples,
    atSigterm: { open: heldCount, rssMiB: held.rssMiB, fds: held.fds },
    shutdown: code === 'timeout' ? { killedAfterSeconds: killAfterSeconds } : { seconds: stopSeconds, code },
  }
  if (values.json) console.log(JSON.stringify(result))
  else {
    log(`${count} slow bodies (10 of 100 bytes) against mega node on 127.0.0.1:${port}`)
    log(
      `RSS  ${before.rssMiB.toFixed(1)} → ${loaded.rssMiB.toFixed(1)} MiB (+${result.rssMiB.growth.toFixed(1)})`,
    )
    log(`fds  ${before.fds} → ${loaded.fds} (+${result.fds.growth})`)
    log(`answered: ${JSON.stringify(statuses)}`)
    log(`open: ${samples.map((s) => `${s.second}s=${s.open}`).join(' ')}`)
    if (holdSeconds > 0) log(`after ${holdSeconds} s: RSS ${held.rssMiB.toFixed(1)} MiB, fds ${held.fds}`)
    log(
      code === 'timeout'
        ? `SIGTERM with ${heldCount} held: still running after ${killAfterSeconds} s, killed`
        : `SIGTERM with ${heldCount} held: exited ${code} in ${stopSeconds.toFixed(2)} s`,
    )
  }
} finally {
  if (node.exitCode === null && node.signalCode === null) node.kill('SIGKILL')
  rmSync(dataDir, { recursive: true, force: true })
}

/** Opens one connection and sends the headers and 10 of the 100 body bytes announced. */
function open(port: number): Promise<Slow> {
  return new Promise((resolve) => {
    const slow: Slow = { socket: tcpConnect(port, '127.0.0.1') }
    const { socket } = slow
    socket.setEncoding('latin1')
    socket.on('error', () => {})
    socket.once('data', (text: string) => {
      slow.status = text.split('\r\n', 1)[0]
    })
    socket.once('close', () => {
      slow.closedAt = performance.now()
    })
    socket.once('connect', () => socket.write(HEAD + PARTIAL, () => resolve(slow)))
    socket.once('close', () => resolve(slow))
  })
}

/** RSS (from /proc/<pid>/status) and open file descriptors of the child. */
function usage(child: ChildProcess): { rssMiB: number; fds: number } {
  const status = readFileSync(`/proc/${child.pid}/status`, 'utf8')
  const kib = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1])
  return { rssMiB: kib / 1024, fds: readdirSync(`/proc/${child.pid}/fd`).length }
}

async function healthy(port: number): Promise<void> {
  const deadline = Date.now() + 60_000
  while (Date.now() < deadline) {
    try {
      if ((await fetch(`http://127.0.0.1:${port}/health`)).ok) return
    } catch {}
    await sleep(100)
  }
  throw new Error('the node did not answer /health within 60 s')
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number }
      server.close(() => resolve(port))
    })
  })
}
