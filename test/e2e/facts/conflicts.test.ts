/**
 * Conflicts a node catches in its fact pool, end to end in one process: given two facts of one
 * capability key with different answers, the node shows the conflict (`GET /facts/conflicts`,
 * an `event: fact-conflict` on `/events`), and `mega trader conflicts --file` files the report,
 * which the node admits as verified; then the evidence is no longer pinned.
 */
import assert from 'node:assert/strict'
import { mkdtemp, rm } from 'node:fs/promises'
import { createServer } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import pino from 'pino'
import { NodeClient } from '../../../src/client/node-client.ts'
import { resolveConfig } from '../../../src/node/config.ts'
import { MegaNode } from '../../../src/node/node.ts'
import { capabilitySigner } from '../../../src/protocol/oracle-attestation.ts'
import { collectConflicts } from '../../../src/trader/conflicts.ts'
import * as fx from '../../support/messages.ts'
import { runCli } from '../../support/run-cli.ts'

const ad = fx.capabilityAd({ attestation: 'schnorr' })
const signer = capabilitySigner(ad, fx.CAPABILITY.secretKey)
const home = signer.attest(fx.factRequest(), 'home')
const away = signer.attest({ ...fx.factRequest(), invoice: 'second trader' }, 'away')

let dir: string
let node: MegaNode
let client: NodeClient

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mega-conflicts-'))
  const config = resolveConfig({
    dataDir: join(dir, 'node'),
    http: { host: '127.0.0.1', port: 0 },
    mempool: { minBits: { oracle: 8, capability: 8, report: 8, offer: 8 } },
    network: { enabled: false },
    api: { dashboard: false, docs: false },
  })
  node = new MegaNode(config, { logger: pino({ level: 'silent' }) })
  await node.start()
  client = new NodeClient({ url: node.url! })
  assert.equal((await client.post('oracle', fx.oracleAd())).status, 201)
  assert.equal((await client.post('capability', ad)).status, 201)
})

after(async () => {
  await node?.stop()
  await rm(dir, { recursive: true, force: true })
})

async function postRecord(body: unknown) {
  const response = await fetch(`${node.url}/fact-record`, {
    method: 'POST',
    body: JSON.stringify(body),
    headers: { 'content-type': 'application/json' },
  })
  return { status: response.status, body: (await response.json()) as Record<string, unknown> }
}

/** Reads `/events` until an event named `name` arrives; resolves with its data. */
async function nextEvent(name: string, signal: AbortSignal): Promise<unknown> {
  const response = await fetch(`${node.url}/events`, { signal })
  let text = ''
  for await (const chunk of response.body!) {
    text += Buffer.from(chunk).toString('utf8')
    const match = new RegExp(`event: ${name}\\nid: \\d+\\ndata: (.*)\\n`).exec(text)
    if (match) return JSON.parse(match[1]!)
  }
  throw new Error('stream ended')
}

describe('conflicts caught by a node', () => {
  it('takes signed facts at POST /fact-record and refuses what it cannot check', async () => {
    const first = await postRecord(home)
    assert.equal(first.status, 201)
    assert.deepEqual(first.body.conflicts, [])
    assert.equal((await postRecord(home)).status, 200)
    const stranger = await postRecord(fx.fact('home', fx.REPORTER, fx.factRequest(fx.REPORTER)))
    assert.equal(stranger.status, 404)
    assert.equal(stranger.body.code, 'CAPABILITY_NOT_HELD')
    const forged = await postRecord({ ...home, answer: 'draw' })
    assert.equal(forged.status, 422)
    assert.equal(forged.body.code, 'SIGNATURE_INVALID')
  })

  it('shows the conflict at GET /facts/conflicts and as a server-sent event', async () => {
    const controller = new AbortController()
    const event = nextEvent('fact-conflict', controller.signal)
    await new Promise((done) => setTimeout(done, 100))
    const second = await postRecord(away)
    assert.equal(second.status, 201)
    assert.equal((second.body.conflicts as string[]).length, 1)
    const data = (await event) as { type: string; oracle: string; capability: string }
    controller.abort()
    assert.equal(data.type, 'equivocation')
    assert.equal(data.oracle, fx.ORACLE.publicKey)
    assert.equal(data.capability, ad.capabilityKey)
    const { body } = await client.get('facts/conflicts')
    const [conflict] = (
      body as { items: { type: string; pinned: boolean; report: { content: { type: string } } }[] }
    ).items
    assert.equal(conflict?.type, 'equivocation')
    assert.equal(conflict?.pinned, true)
    assert.equal(conflict?.report.content.type, 'fact-conflict')
  })

  it('files the report with one command; the node admits it as verified and unpins the evidence', async () => {
    const data = join(dir, 'trader')
    const env = ['--data', data, '--node', node.url!]
    assert.equal((await runCli(['trader', 'init', '--data', data])).code, 0)
    const listed = await runCli(['trader', 'conflicts', ...env, '--json'])
    assert.equal(listed.code, 0, listed.err)
    const { conflicts } = JSON.parse(listed.out) as { conflicts: { verdict: string; filed: boolean }[] }
    assert.deepEqual(
      conflicts.map((c) => [c.verdict, c.filed]),
      [['verified', false]],
    )
    const filed = await runCli(['trader', 'conflicts', '--file', '--bits', '8', ...env, '--json'])
    assert.equal(filed.code, 0, filed.err)
    const { body } = await client.get('reports', { oracle: fx.ORACLE.publicKey })
    const reports = (body as { items: { type: string; verdict: string }[] }).items
    assert.deepEqual(
      reports.map((r) => [r.type, r.verdict]),
      [['fact-conflict', 'verified']],
    )
    const after = (await client.get('facts/conflicts')).body as { items: { pinned: boolean }[] }
    assert.equal(after.items[0]?.pinned, false, 'a held report carries the evidence now')
    const again = await runCli(['trader', 'conflicts', ...env, '--json'])
    assert.equal((JSON.parse(again.out) as { conflicts: { filed: boolean }[] }).conflicts[0]?.filed, true)
  })
})

describe('conflicts from a hostile node', () => {
  it('are checked by the protocol verifier: what does not verify is set aside, naming the node', async () => {
    const fake = [
      // The same fact twice is no conflict.
      {
        type: 'equivocation',
        report: {
          oracle: fx.ORACLE.publicKey,
          content: { type: 'fact-conflict', capability: ad, facts: [home, home] },
        },
      },
      // Against another oracle than the capability's.
      {
        type: 'equivocation',
        report: {
          oracle: fx.OTHER_ORACLE.publicKey,
          content: { type: 'fact-conflict', capability: ad, facts: [home, away] },
        },
      },
      { type: 'equivocation', report: { oracle: 'zz', content: {} } },
    ]
    const server = createServer((_request, response) => {
      response.writeHead(200, { 'content-type': 'application/json' })
      response.end(JSON.stringify({ items: fake }))
    })
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done))
    const url = `http://127.0.0.1:${(server.address() as { port: number }).port}`
    try {
      const { conflicts, rejected } = await collectConflicts([new NodeClient({ url })], 2_000_000_000)
      assert.deepEqual(conflicts, [])
      assert.equal(rejected.length, 3)
      for (const entry of rejected) assert.equal(entry.node, url)
      assert.match(rejected[0]!.reason, /does not verify/)
      assert.match(rejected[2]!.reason, /malformed/)
    } finally {
      await new Promise((done) => server.close(done))
    }
  })
})
