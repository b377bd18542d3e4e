/**
 * End-to-end helpers: node processes on loopback, the `mega` CLI run as a real process, and
 * polling until the network has converged.
 */
import assert from 'node:assert/strict'
import { type ChildProcess, spawn } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import {
  bootstrapAddress,
  type NodeProcess,
  startNodeProcess,
  stopNodeProcess,
} from '../../../src/cli/devnet-nodes.ts'
import { NodeClient } from '../../../src/client/node-client.ts'
import { freePortRanges } from '../../support/ports.ts'

const MEGA = new URL('../../../bin/mega.ts', import.meta.url).pathname

/** Two connected node processes; `stop()` ends them and removes their data. */
export async function startTwoNodes(): Promise<{
  nodes: NodeProcess[]
  root: string
  stop(): Promise<void>
}> {
  const root = await mkdtemp(join(tmpdir(), 'mega-trader-e2e-'))
  const [http0, http1, tcp0, tcp1] = await freePortRanges(1, 1, 2, 2)
  const nodes: NodeProcess[] = []
  const stop = async () => {
    await Promise.all(nodes.map((node) => stopNodeProcess(node.child)))
    await rm(root, { recursive: true, force: true })
  }
  try {
    // A second of clock skew, not five minutes: nodes take a fact-missing report only once its
    // deadline passed on every clock within the skew, and the e2e test waits for that.
    const env = { MEGA_LOG__LEVEL: 'warn', MEGA_MEMPOOL__CLOCK_SKEW_SECONDS: '1' }
    nodes.push(await startNodeProcess({ index: 0, root, httpPort: http0!, tcpPort: tcp0!, env }))
    const bootstrap = await bootstrapAddress(nodes[0]!)
    nodes.push(await startNodeProcess({ index: 1, root, httpPort: http1!, tcpPort: tcp1!, bootstrap, env }))
    await until('the nodes are connected', async () => {
      const { body } = await new NodeClient({ url: nodes[1]!.url }).get('peers')
      return (body as { items: unknown[] }).items.length > 0
    })
  } catch (error) {
    await stop()
    throw error
  }
  return { nodes, root, stop }
}

/** Polls `check` every 200 ms until it returns true; throws after `ms`. */
export async function until(what: string, check: () => Promise<boolean>, ms = 20_000): Promise<void> {
  const deadline = Date.now() + ms
  while (Date.now() < deadline) {
    if (await check()) return
    await new Promise((done) => setTimeout(done, 200))
  }
  throw new Error(`timed out waiting until ${what}`)
}

/** Output of one CLI run. */
export interface Run {
  code: number | null
  stdout: string
  stderr: string
  /** stdout parsed as JSON (throws with the output when it is not). */
  json<T = Record<string, unknown>>(): T
}

/** A run that must succeed (its output in the failure); returned for its output. */
export function ok(run: Run): Run {
  assert.equal(run.code, 0, `${run.stderr}\n${run.stdout}`)
  return run
}

/** Runs `mega <args>` as a process with `env`; resolves when it exits (killed after 60 s). */
export function mega(args: string[], env: Record<string, string> = {}): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [MEGA, ...args], {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (chunk) => (stdout += chunk))
    child.stderr.on('data', (chunk) => (stderr += chunk))
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000)
    child.once('error', reject)
    child.once('exit', (code) => {
      clearTimeout(timer)
      resolve({
        code,
        stdout,
        stderr,
        json<T>() {
          try {
            return JSON.parse(stdout) as T
          } catch {
            throw new Error(`mega ${args.join(' ')} exited ${code} without JSON:\n${stdout}\n${stderr}`)
          }
        },
      })
    })
  })
}

/** A trader: `mega trader <args>` with its own data directory and nodes. */
export function traderCli(dataDir: string, nodes: readonly string[]) {
  const offline = new Set(['init', 'export', 'import'])
  return (...args: string[]) =>
    mega(['trader', ...args, ...(offline.has(args[0]!) ? [] : nodes.flatMap((url) => ['--node', url]))], {
      MEGA_TRADER_DATA: dataDir,
    })
}

/** `mega trader offer` flags after the question and bets: the stakes, chain, contact, work and JSON output. */
export function offerFlags(offer: {
  amount: string
  acceptorAmount: string
  chain?: string
  contact: string
  bits: string
}): string[] {
  return [
    '--amount',
    offer.amount,
    '--acceptor-amount',
    offer.acceptorAmount,
    ...(offer.chain ? ['--chain', offer.chain] : []),
    '--contact',
    offer.contact,
    '--bits',
    offer.bits,
    '--json',
  ]
}

/** A node's view of an oracle, or undefined when it does not hold it. */
export async function oracleOn(url: string, key: string) {
  const { status, body } = await new NodeClient({ url }).get(`oracles/${key}`)
  return status === 200
    ? (body as {
        score: { work: string }
        strength: { work: string }
        reports: { counts: boolean; type: string }[]
      })
    : undefined
}

/**
 * Runs `mega oracle serve --dir <dir> <args…> --json` as its own process, unlocked with
 * `passphrase`; resolves once it says where it listens.
 */
export async function serveOracle(dir: string, args: string[], passphrase: string): Promise<ChildProcess> {
  const serve = spawn(process.execPath, [MEGA, 'oracle', 'serve', '--dir', dir, ...args, '--json'], {
    env: { ...process.env, MEGA_ORACLE_PASSPHRASE: passphrase },
    stdio: ['ignore', 'pipe', 'inherit'],
  })
  let started = ''
  serve.stdout!.on('data', (chunk) => (started += chunk))
  await until('the oracle endpoint is up', async () => started.includes('"url"'))
  return serve
}

/** Stops an oracle started by {@link serveOracle} (SIGTERM) and waits for it to exit. */
export async function stopOracle(serve: ChildProcess | undefined): Promise<void> {
  if (serve && serve.exitCode === null) {
    serve.kill('SIGTERM')
    await new Promise((done) => serve.once('exit', done))
  }
}
