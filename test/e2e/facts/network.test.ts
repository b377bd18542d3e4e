/**
 * Relay, fact pool and fact sync across real processes on loopback: two `mega node`
 * processes relaying for `mega trader` processes to a `mega oracle serve` process whose access
 * log is read. The oracle cheats (no answer journal, a fact source that changes its answer):
 * each node sees one answer; once the nodes sync, both show the conflict, and a report filed
 * from it is admitted as verified.
 */
import assert from 'node:assert/strict'
import { type ChildProcess, spawn } from 'node:child_process'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import {
  bootstrapAddress,
  type NodeProcess,
  startNodeProcess,
  stopNodeProcess,
} from '../../../src/cli/devnet-nodes.ts'
import { EXAMPLE_QUESTION } from '../../../src/client/examples.ts'
import { NodeClient } from '../../../src/client/node-client.ts'
import type { RootKey } from '../../../src/keys/keystore.ts'
import { advertiseRound } from '../../../src/oracle/advertise.ts'
import { addCapability } from '../../../src/oracle/capabilities.ts'
import { initOracle, mineIdentity } from '../../../src/oracle/identity.ts'
import * as fx from '../../support/messages.ts'
import { freePortRanges } from '../../support/ports.ts'
import { traderCli, until } from '../trader/helpers.ts'

const PASSPHRASE = 'relay passphrase'
const MEGA = new URL('../../../bin/mega.ts', import.meta.url).pathname
const ARGS = ['--arg', 'home=ARS', '--arg', 'away=CHE', '--arg', 'date=2026-11-21']
/** The nodes call oracles from an address of their own; traders connect from 127.0.0.1. */
const EGRESS = '127.0.0.2'

describe('relay and fact sync between node processes', { timeout: 240_000 }, () => {
  let root: string
  let nodes: NodeProcess[] = []
  let ports: number[]
  let oracle: RootKey
  let capability: string
  let factsFile: string
  let serve: ChildProcess | undefined
  /** The oracle's access log: every request line it logged. */
  const accessLog: { url: string; remoteAddress: string }[] = []
  const env = {
    MEGA_LOG__LEVEL: 'warn',
    MEGA_RELAY__LOCAL_ADDRESS: EGRESS,
    MEGA_NETWORK__SYNC__INTERVAL_MS: '2000',
  }
  const urls = () => nodes.map((node) => node.url)

  before(async () => {
    root = await mkdtemp(join(tmpdir(), 'mega-relay-net-'))
    const [http0, http1, endpointPort, tcp0, tcp1] = await freePortRanges(1, 1, 1, 2, 2)
    ports = [http0!, http1!, endpointPort!]
    // Two nodes, not connected yet: each will see one answer of the oracle.
    nodes = [
      await startNodeProcess({ index: 0, root, httpPort: ports[0]!, tcpPort: tcp0!, env }),
      await startNodeProcess({ index: 1, root, httpPort: ports[1]!, tcpPort: tcp1!, env }),
    ]
    const oracleDir = join(root, 'oracle')
    factsFile = join(root, 'oracle-facts.json')
    await writeFile(factsFile, JSON.stringify({ facts: [{ args: fx.factRequest().args, answer: 'home' }] }))
    oracle = await initOracle({ dir: oracleDir, passphrase: PASSPHRASE, logN: 10 })
    await mineIdentity({ dir: oracleDir, root: oracle, bits: 16, threads: 1, tags: ['sports'] })
    const record = await addCapability({
      dir: oracleDir,
      root: oracle,
      bits: 12,
      threads: 1,
      spec: {
        label: 'winner',
        ...EXAMPLE_QUESTION,
        tags: ['sports'],
        endpoint: `http://127.0.0.1:${ports[2]}`,
        source: { type: 'file', path: factsFile },
      },
    })
    capability = record.ad.capabilityKey
    await advertiseRound({ dir: oracleDir, root: oracle, nodes: urls() })
    serve = spawn(
      process.execPath,
      [MEGA, 'oracle', 'serve', '--dir', oracleDir, '--port', String(ports[2]), '--stateless', '--json'],
      { env: { ...process.env, MEGA_ORACLE_PASSPHRASE: PASSPHRASE }, stdio: ['ignore', 'pipe', 'inherit'] },
    )
    let pending = ''
    let started = false
    serve.stdout!.on('data', (chunk) => {
      pending += chunk
      const lines = pending.split('\n')
      pending = lines.pop()!
      for (const line of lines) {
        const entry = JSON.parse(line) as { url?: string; req?: { url: string; remoteAddress: string } }
        if (entry.url) started = true
        if (entry.req) accessLog.push({ url: entry.req.url, remoteAddress: entry.req.remoteAddress })
      }
    })
    await until('the oracle endpoint is up', async () => started)
  })

  after(async () => {
    if (serve && serve.exitCode === null) {
      serve.kill('SIGTERM')
      await new Promise((done) => serve!.once('exit', done))
    }
    await Promise.all(nodes.map((node) => stopNodeProcess(node.child)))
    if (root) await rm(root, { recursive: true, force: true })
  })

  it('relays for traders: the oracle logs only the node’s address; a second trader is served from the pool', async () => {
    const alice = traderCli(join(root, 'alice'), [urls()[0]!])
    assert.equal((await alice('init')).code, 0)
    const asked = await alice('ask', capability, ...ARGS, '--via', urls()[0]!, '--json')
    assert.equal(asked.code, 0, asked.stderr)
    assert.equal(asked.json<{ fact: { answer: string } }>().fact.answer, 'home')
    const relayed = accessLog.filter((entry) => entry.url === '/commitment' || entry.url === '/fact')
    assert.deepEqual(
      relayed.map((entry) => entry.url),
      ['/commitment', '/fact'],
    )

    const bob = traderCli(join(root, 'bob'), [urls()[0]!])
    assert.equal((await bob('init')).code, 0)
    const again = await bob('ask', capability, ...ARGS, '--via', urls()[0]!, '--json')
    assert.equal(again.code, 0, again.stderr)
    assert.equal(again.json<{ fact: { answer: string } }>().fact.answer, 'home')
    assert.equal(
      accessLog.filter((entry) => entry.url !== '/capabilities').length,
      2,
      'the oracle was not asked again',
    )
    assert.ok(accessLog.length > 0)
    for (const entry of accessLog)
      assert.equal(entry.remoteAddress, EGRESS, `${entry.url} came from the node`)
  })

  it('an oracle that answers two traders differently through two nodes is caught by both after sync, and reported', async () => {
    // The oracle changes its answer; a third trader asks the other node.
    await writeFile(factsFile, JSON.stringify({ facts: [{ args: fx.factRequest().args, answer: 'away' }] }))
    const carol = traderCli(join(root, 'carol'), [urls()[1]!])
    assert.equal((await carol('init')).code, 0)
    const asked = await carol('ask', capability, ...ARGS, '--via', urls()[1]!, '--json')
    assert.equal(asked.code, 0, asked.stderr)
    assert.equal(asked.json<{ fact: { answer: string } }>().fact.answer, 'away')
    for (const entry of accessLog) assert.equal(entry.remoteAddress, EGRESS)
    const conflictsOn = async (url: string) =>
      ((await new NodeClient({ url }).get('facts/conflicts')).body as { items: { type: string }[] }).items
    for (const url of urls()) assert.deepEqual(await conflictsOn(url), [], 'each node holds one answer')

    // Node 1 restarts (its fact pool persisted) and joins node 0: the fact pools sync.
    await stopNodeProcess(nodes[1]!.child)
    const bootstrap = await bootstrapAddress(nodes[0]!)
    const base = ports[0]!
    nodes[1] = await startNodeProcess({
      index: 1,
      root,
      httpPort: ports[1]!,
      tcpPort: base + 9_002,
      bootstrap,
      env,
    })
    await until(
      'both nodes show the conflict',
      async () => {
        const held = await Promise.all(urls().map(conflictsOn))
        return held.every((items) => items.some((item) => item.type === 'equivocation'))
      },
      60_000,
    )

    const filed = await carol('conflicts', '--file', '--bits', '12', '--json')
    assert.equal(filed.code, 0, filed.stderr)
    assert.equal(filed.json<{ filed: { ok: boolean }[] }>().filed.length, 1)
    await until('both nodes hold the report as verified', async () => {
      const views = await Promise.all(
        urls().map(
          async (url) => (await new NodeClient({ url }).get('reports', { oracle: oracle.publicKey })).body,
        ),
      )
      return views.every((body) =>
        (body as { items: { type: string; verdict: string }[] }).items.some(
          (report) => report.type === 'fact-conflict' && report.verdict === 'verified',
        ),
      )
    })
  })
})
