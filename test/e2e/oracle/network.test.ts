/**
 * The oracle toolkit against a real node on loopback: advertising and ranking, capability
 * off/on, eviction and the bits needed to return, and disputes that cancel fact-missing reports
 * (through the library and through `mega oracle serve --auto-dispute` as a separate process).
 */
import assert from 'node:assert/strict'
import { type ChildProcess, spawn } from 'node:child_process'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, describe, it } from 'node:test'
import pino from 'pino'
import { OracleEndpointClient } from '../../../src/client/endpoint-client.ts'
import { EXAMPLE_QUESTION } from '../../../src/client/examples.ts'
import { NodeClient } from '../../../src/client/node-client.ts'
import type { RootKey } from '../../../src/keys/keystore.ts'
import { resolveConfig } from '../../../src/node/config.ts'
import { MegaNode } from '../../../src/node/node.ts'
import { advertiseLoop, advertiseRound, type NodeAnnouncement } from '../../../src/oracle/advertise.ts'
import { addCapability, servedCapabilities } from '../../../src/oracle/capabilities.ts'
import { disputeAll } from '../../../src/oracle/disputes.ts'
import { initOracle, mineIdentity } from '../../../src/oracle/identity.ts'
import { loadState } from '../../../src/oracle/state.ts'
import { fromHex } from '../../../src/protocol/hex.ts'
import { messageId } from '../../../src/protocol/message.ts'
import { mineMessageSync } from '../../../src/protocol/message-pow.ts'
import type { OracleCapability, Report } from '../../../src/protocol/messages/index.ts'
import {
  createCommitment,
  createFact,
  deriveCapabilitySecret,
  outcomePoint,
} from '../../../src/protocol/oracle-attestation.ts'
import { recoverSecretFromNonceReuse, signatureScalarPoint } from '../../../src/protocol/schnorr-nonce.ts'
import { type Draft, sign } from '../../../src/protocol/sign.ts'
import { publicKeyOf } from '../../../src/protocol/signature.ts'
import * as fx from '../../support/messages.ts'
import { runCli as mega } from '../../support/run-cli.ts'

const PASSPHRASE = 'test passphrase'
const cleanups: (() => Promise<unknown>)[] = []
after(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup()
})

async function tempDir() {
  const dir = await mkdtemp(join(tmpdir(), 'mega-oracle-net-'))
  cleanups.push(() => rm(dir, { recursive: true, force: true }))
  return dir
}

async function startNode(mempool: Record<string, unknown> = {}) {
  const config = resolveConfig({
    dataDir: await tempDir(),
    http: { host: '127.0.0.1', port: 0 },
    mempool: { minBits: { oracle: 8, capability: 8, report: 8, offer: 8 }, ...mempool },
    network: { enabled: false },
  })
  const node = new MegaNode(config, { logger: pino({ level: 'silent' }) })
  await node.start()
  cleanups.push(() => node.stop())
  return { url: node.url!, client: new NodeClient({ url: node.url! }) }
}

const SPEC = { label: 'winner', ...EXAMPLE_QUESTION, tags: ['sports'] }

/** A fast oracle (cheap keystore) with one capability whose facts come from a file. */
async function libraryOracle(oracleBits: number, endpoint = 'http://127.0.0.1:9/') {
  const dir = await tempDir()
  const facts = join(dir, 'facts.json')
  await writeFile(
    facts,
    JSON.stringify({ facts: [{ args: { home: 'ARS', away: 'CHE', date: '2026-11-21' }, answer: 'home' }] }),
  )
  const root = await initOracle({ dir, passphrase: PASSPHRASE, logN: 10 })
  await mineIdentity({ dir, root, bits: oracleBits, threads: 1 })
  await addCapability({
    dir,
    root,
    bits: 8,
    threads: 1,
    spec: { ...SPEC, endpoint, source: { type: 'file', path: facts } },
  })
  return { dir, root, facts }
}

/** A signed, mined fact-missing report against `root`'s oracle, its commitment past the deadline. */
function factMissingReport(root: RootKey, ad: OracleCapability, label = 'winner'): Report {
  const secretKey = deriveCapabilitySecret(root.secretKey, label, 'bip340')
  const commitment = createCommitment({
    capability: ad,
    secretKey,
    request: { capability: ad.capabilityKey, args: { home: 'ARS', away: 'CHE', date: '2026-11-21' } },
    deadline: Math.floor(Date.now() / 1000) - 3600,
  })
  const draft: Draft<Report> = {
    kind: 'report',
    oracle: root.publicKey,
    content: { type: 'fact-missing', capability: ad, commitment },
    reporter: { scheme: fx.REPORTER.scheme, pubkey: fx.REPORTER.publicKey },
  }
  return mineMessageSync<Report>(sign<Report>(draft, fx.REPORTER.secretKey), 10)
}

async function oracleView(client: NodeClient, key: string) {
  const response = await client.get(`oracles/${key}`)
  return response.body as {
    strength: { work: string }
    score: { work: string }
    capabilities: { message: OracleCapability }[]
    reports: { id: string; counts: boolean; disputed: boolean }[]
  }
}

describe('oracle toolkit against a node', () => {
  it('CLI: init → mine → capability add → advertise; the node ranks it with the expected strength; off/on is seen', async () => {
    const { url, client } = await startNode()
    const dir = join(await tempDir(), 'oracle')
    process.env.MEGA_ORACLE_PASSPHRASE = PASSPHRASE
    cleanups.push(async () => delete process.env.MEGA_ORACLE_PASSPHRASE)
    const init = await mega(['oracle', 'init', '--dir', dir, '--json'])
    assert.equal(init.code, 0, init.err)
    const { publicKey } = JSON.parse(init.out)
    assert.equal(
      (await mega(['oracle', 'mine', '--dir', dir, '--bits', '12', '--threads', '1', '--tags', 'sports']))
        .code,
      0,
    )
    const add = await mega([
      'oracle',
      'capability',
      'add',
      '--dir',
      dir,
      '--label',
      'winner',
      '--question',
      SPEC.question,
      '--param',
      'home=ARS,CHE',
      '--param',
      'away=ARS,CHE',
      '--param',
      'date=2026-11-21',
      '--answers',
      'home,away,draw',
      '--endpoint',
      'https://oracle.example/mega',
      '--tags',
      'sports',
      '--bits',
      '10',
      '--threads',
      '1',
    ])
    assert.equal(add.code, 0, add.err)
    const advertised = await mega(['oracle', 'advertise', '--dir', dir, '--node', url, '--once'])
    assert.equal(advertised.code, 0, advertised.out + advertised.err)
    assert.match(advertised.out, /oracle added/)
    let view = await oracleView(client, publicKey)
    assert.equal(view.strength.work, String(2 ** 12 + 2 ** 10), 'identity 12 bits + capability 10 bits')
    assert.equal(view.capabilities[0]?.message.off, false)

    assert.equal((await mega(['oracle', 'capability', 'off', 'winner', '--dir', dir])).code, 0)
    assert.equal((await mega(['oracle', 'advertise', '--dir', dir, '--node', url, '--once'])).code, 0)
    view = await oracleView(client, publicKey)
    assert.equal(view.capabilities[0]?.message.off, true, 'the node sees the capability off')
    assert.equal((await mega(['oracle', 'capability', 'on', 'winner', '--dir', dir])).code, 0)
    assert.equal((await mega(['oracle', 'advertise', '--dir', dir, '--node', url, '--once'])).code, 0)
    view = await oracleView(client, publicKey)
    assert.equal(view.capabilities[0]?.message.off, false, 'and on again')

    const wrong = await mega([
      'oracle',
      'capability',
      'off',
      'winner',
      '--dir',
      dir,
      '--passphrase-file',
      '/dev/null',
    ])
    assert.equal(wrong.code, 1)
    assert.match(wrong.err, /PASSPHRASE_MISSING/)
  })

  it('the advertise loop re-announces on its interval with a higher seqNo each round, until aborted', async () => {
    const { url, client } = await startNode()
    const oracle = await libraryOracle(10)
    const controller = new AbortController()
    const rounds: NodeAnnouncement[][] = []
    await advertiseLoop({
      dir: oracle.dir,
      root: oracle.root,
      nodes: [url],
      intervalMs: 50,
      signal: controller.signal,
      onRound: (round) => {
        rounds.push(round)
        if (rounds.length === 3) controller.abort()
      },
    })
    assert.deepEqual(
      rounds.map((round) => round[0]?.oracle.result),
      ['added', 'updated', 'updated'],
    )
    assert.deepEqual(
      rounds.map((round) => round[0]?.heldBefore),
      [false, true, true],
    )
    const seqNo = ((await client.get(`oracles/${oracle.root.publicKey}`)).body as { seqNo: number }).seqNo
    assert.equal(seqNo, (await loadState(oracle.dir)).ad?.seqNo, 'the node holds the latest ad')
  })

  it('advertise notices eviction, reports the bits needed, and mines them when allowed', async () => {
    const { url, client } = await startNode({ maxOracles: 1 })
    const oracle = await libraryOracle(10)
    let round = await advertiseRound({ dir: oracle.dir, root: oracle.root, nodes: [url] })
    assert.equal(round[0]?.oracle.result, 'added')
    // A stronger oracle takes the only place.
    assert.equal((await client.post('oracle', fx.oracleAd({}, fx.OTHER_ORACLE, 14))).status, 201)
    round = await advertiseRound({ dir: oracle.dir, root: oracle.root, nodes: [url] }, new Set([url]))
    assert.equal(round[0]?.evicted, true)
    assert.equal(round[0]?.oracle.result, 'low-pow')
    const needed = round[0]?.oracle.requiredBits
    assert.ok(needed !== undefined && needed > 14, `requiredBits ${needed}`)

    const mining: number[] = []
    round = await advertiseRound(
      {
        dir: oracle.dir,
        root: oracle.root,
        nodes: [url],
        mineUpToBits: needed,
        threads: 1,
        onMining: (_what, bits) => mining.push(bits),
      },
      new Set(),
    )
    assert.deepEqual(mining, [needed])
    assert.equal(round.at(-1)?.oracle.result, 'added', 'back in after mining')
    // It evicted the other oracle, which raised the pool's floor right under it.
    const pool = round.at(-1)?.pool
    assert.ok(pool && pool.count === 1 && pool.capacity === 1 && pool.floorBits > 14, JSON.stringify(pool))
    assert.equal(round.at(-1)?.atRisk, true)
    assert.equal((await loadState(oracle.dir)).ad?.pow.bits, needed)
    assert.equal((await client.get(`oracles/${oracle.root.publicKey}`)).status, 200)
  })

  it('a fact-missing report is disputed with the signed fact and stops counting', async () => {
    const { url, client } = await startNode()
    const oracle = await libraryOracle(10)
    await advertiseRound({ dir: oracle.dir, root: oracle.root, nodes: [url] })
    const state = await loadState(oracle.dir)
    const report = factMissingReport(oracle.root, state.capabilities[0]!.ad)
    assert.equal((await client.post('report', report)).status, 201)
    let view = await oracleView(client, oracle.root.publicKey)
    assert.equal(view.reports[0]?.counts, true)
    assert.notEqual(view.score.work, view.strength.work)
    const status = await mega([
      'oracle',
      'status',
      '--dir',
      oracle.dir,
      '--node',
      url,
      '--node',
      'http://127.0.0.1:1',
      '--json',
    ])
    assert.equal(status.code, 0, status.err)
    const nodes = JSON.parse(status.out).nodes
    assert.deepEqual(nodes[0].reports, { counting: 1, openFactMissing: 1, total: 1 })
    assert.equal(nodes[1].status, 'unreachable')

    process.env.MEGA_ORACLE_PASSPHRASE = PASSPHRASE
    const wrongId = await mega(['oracle', 'dispute', 'ab'.repeat(32), '--node', url, '--dir', oracle.dir])
    assert.equal(wrongId.code, 1)
    assert.match(wrongId.out, /no such fact-missing report/)
    const cli = await mega([
      'oracle',
      'dispute',
      messageId(report),
      '--node',
      url,
      '--dir',
      oracle.dir,
      '--json',
    ])
    assert.equal(cli.code, 0, cli.err)
    assert.deepEqual(
      JSON.parse(cli.out).map((o: { result: string; answer: string }) => [o.result, o.answer]),
      [['disputed', 'home']],
    )
    view = await oracleView(client, oracle.root.publicKey)
    assert.deepEqual([view.reports[0]?.disputed, view.reports[0]?.counts], [true, false])
    assert.equal(view.score.work, view.strength.work, 'the report no longer counts')
    const after = JSON.parse(
      (await mega(['oracle', 'status', '--dir', oracle.dir, '--node', url, '--json'])).out,
    )
    assert.deepEqual(after.nodes[0].reports, { counting: 0, openFactMissing: 0, total: 1 })
    assert.match(
      (await mega(['oracle', 'status', '--dir', oracle.dir, '--node', url])).out,
      /held \(seqNo \d+\), identity 10\.00 bits/,
    )
    assert.deepEqual(
      await disputeAll([url], oracle.root.publicKey, servedCapabilities(state, oracle.root)),
      [],
      'nothing left',
    )
  })

  it('two answers under one nonce reveal the capability key; the fact-conflict report counts on the node', async () => {
    const { url, client } = await startNode()
    const oracle = await libraryOracle(10)
    await advertiseRound({ dir: oracle.dir, root: oracle.root, nodes: [url] })
    const ad = (await loadState(oracle.dir)).capabilities[0]!.ad
    const secretKey = deriveCapabilitySecret(oracle.root.secretKey, 'winner', 'bip340')
    const request = { capability: ad.capabilityKey, args: { home: 'ARS', away: 'CHE', date: '2026-11-21' } }
    const home = createFact({ capability: ad, secretKey, request, answer: 'home' })
    const away = createFact({ capability: ad, secretKey, request, answer: 'away' })
    const recovered = recoverSecretFromNonceReuse(
      ad.capabilityKey,
      { message: fromHex(messageId(home)), signature: home.signature },
      { message: fromHex(messageId(away)), signature: away.signature },
    )
    assert.equal(publicKeyOf('bip340', recovered), ad.capabilityKey, 'the key is out')
    const draft: Draft<Report> = {
      kind: 'report',
      oracle: oracle.root.publicKey,
      content: { type: 'fact-conflict', capability: ad, facts: [home, away] },
      reporter: { scheme: fx.REPORTER.scheme, pubkey: fx.REPORTER.publicKey },
    }
    const report = mineMessageSync<Report>(sign<Report>(draft, fx.REPORTER.secretKey), 10)
    assert.equal((await client.post('report', report)).status, 201)
    const view = (await client.get(`oracles/${oracle.root.publicKey}`)).body as {
      reports: { verdict: string; counts: boolean }[]
    }
    assert.deepEqual([view.reports[0]?.verdict, view.reports[0]?.counts], ['verified', true])
  })

  it('`mega oracle serve --auto-dispute` as a process: a trader verifies its facts, and it disputes a new report', async () => {
    const { url, client } = await startNode()
    const dir = await tempDir()
    const facts = join(dir, 'facts.yaml')
    await writeFile(
      facts,
      'facts:\n  - args: { home: ARS, away: CHE, date: "2026-11-21" }\n    answer: home\n',
    )
    const root = await initOracle({ dir, passphrase: PASSPHRASE, logN: 10 })
    await mineIdentity({ dir, root, bits: 10, threads: 1 })
    await addCapability({
      dir,
      root,
      bits: 8,
      threads: 1,
      spec: { ...SPEC, endpoint: 'http://127.0.0.1:9/', source: { type: 'file', path: facts } },
    })
    await advertiseRound({ dir, root, nodes: [url] })

    const serve: ChildProcess = spawn(
      process.execPath,
      [
        'bin/mega.ts',
        'oracle',
        'serve',
        '--dir',
        dir,
        '--port',
        '0',
        '--auto-dispute',
        '--node',
        url,
        '--dispute-interval',
        '1',
        '--json',
      ],
      { env: { ...process.env, MEGA_ORACLE_PASSPHRASE: PASSPHRASE }, stdio: ['ignore', 'pipe', 'pipe'] },
    )
    cleanups.push(async () => {
      if (serve.exitCode === null) {
        serve.kill('SIGTERM')
        await new Promise((resolve) => serve.once('exit', resolve))
      }
    })
    const lines: string[] = []
    let buffered = ''
    serve.stdout!.on('data', (chunk) => {
      buffered += chunk
      const parts = buffered.split('\n')
      buffered = parts.pop()!
      lines.push(...parts)
    })
    const waitFor = async (test: (line: string) => boolean, what: string) => {
      const until = Date.now() + 20_000
      while (Date.now() < until) {
        const line = lines.find(test)
        if (line) return JSON.parse(line)
        await new Promise((resolve) => setTimeout(resolve, 50))
      }
      throw new Error(`serve never printed ${what}`)
    }
    const started = await waitFor((line) => line.includes('"url"'), 'its URL')

    const trader = new OracleEndpointClient({ url: started.url })
    const { items } = await trader.capabilities()
    const capability = items[0]!
    const request = {
      capability: capability.capabilityKey,
      args: { home: 'ARS', away: 'CHE', date: '2026-11-21' },
    }
    const commitment = await trader.commitment(request, capability)
    const fact = await trader.fact(commitment, capability)
    assert.equal(signatureScalarPoint(fact.signature), outcomePoint(commitment, 'home'), 's·G = R + e·P')

    // A capability added while serving is served after SIGHUP, without a restart.
    await addCapability({
      dir,
      root,
      bits: 8,
      threads: 1,
      spec: {
        ...SPEC,
        label: 'winner-2',
        endpoint: 'http://127.0.0.1:9/',
        source: { type: 'file', path: facts },
      },
    })
    serve.kill('SIGHUP')
    assert.equal((await waitFor((line) => line.includes('"reloaded"'), 'a reload')).reloaded, 2)
    assert.equal((await trader.capabilities()).items.length, 2)

    const report = factMissingReport(root, capability)
    assert.equal((await client.post('report', report)).status, 201)
    const disputed = await waitFor((line) => line.includes('"dispute"'), 'a dispute')
    assert.equal(disputed.dispute.result, 'disputed')
    const view = await oracleView(client, root.publicKey)
    assert.deepEqual([view.reports[0]?.disputed, view.reports[0]?.counts], [true, false])

    serve.kill('SIGTERM')
    const code = await new Promise<number | null>((resolve) =>
      serve.once('exit', (exitCode) => resolve(exitCode)),
    )
    assert.equal(code, 0, 'stops cleanly on SIGTERM')
  })
})
