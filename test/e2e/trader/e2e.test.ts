/**
 * The trader toolkit end to end: real node processes on loopback, the `mega trader` CLI as real
 * processes, gossip between the nodes.
 */
import assert from 'node:assert/strict'
import type { ChildProcess } from 'node:child_process'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { EXAMPLE_QUESTION } from '../../../src/client/examples.ts'
import { NodeClient } from '../../../src/client/node-client.ts'
import type { RootKey } from '../../../src/keys/keystore.ts'
import { advertiseRound } from '../../../src/oracle/advertise.ts'
import { addCapability } from '../../../src/oracle/capabilities.ts'
import { initOracle, mineIdentity } from '../../../src/oracle/identity.ts'
import { messageId } from '../../../src/protocol/message.ts'
import type {
  Commitment,
  Fact,
  Offer,
  OracleCapability,
  OracleId,
} from '../../../src/protocol/messages/index.ts'
import { sign, signAcceptance } from '../../../src/protocol/sign.ts'
import * as fx from '../../support/messages.ts'
import { offerFlags, oracleOn, serveOracle, startTwoNodes, stopOracle, traderCli, until } from './helpers.ts'

const PASSPHRASE = 'e2e passphrase'
const ARGS = ['--arg', 'home=ARS', '--arg', 'away=CHE', '--arg', 'date=2026-11-21']
const HONEST = fx.OTHER_ORACLE
const HONEST_CAPABILITY = fx.OTHER_CAPABILITY

function ad(key: fx.TestKey): OracleId {
  return fx.oracleAd({ tags: ['sports'] }, key, 16)
}
function capability(oracle: fx.TestKey, key: fx.TestKey): OracleCapability {
  return fx.capabilityAd({ attestation: 'signature' }, oracle, key, 12)
}
function signedFact(key: fx.TestKey, answer: string): Fact {
  return sign<Fact>({ kind: 'fact', scheme: key.scheme, request: fx.factRequest(key), answer }, key.secretKey)
}
/** The trader's own verdict on each report nodes hold against `oracle`. */
async function reportVerdicts(trader: ReturnType<typeof traderCli>, oracle: string): Promise<string[]> {
  const run = await trader('verify-reports', '--oracle', oracle, '--json')
  return run.json<{ reports: { verdict: string }[] }>().reports.map((r) => r.verdict)
}
function exportOf(messages: { own: boolean; message: unknown }[]) {
  return JSON.stringify({
    format: 'mega-trader-export',
    version: 1,
    exportedAt: 0,
    messages: messages.map((m) => ({ origin: 'test', ...m })),
  })
}

describe('trader toolkit end to end', { timeout: 240_000 }, () => {
  let network: Awaited<ReturnType<typeof startTwoNodes>>
  let urls: string[]
  let dir: string
  let cheat: RootKey
  let cheatCapability: string
  let factsFile: string
  let serve: ChildProcess | undefined
  before(async () => {
    network = await startTwoNodes()
    urls = network.nodes.map((node) => node.url)
    dir = await mkdtemp(join(tmpdir(), 'mega-traders-'))
    // The oracle that will cheat: a real oracle directory, advertised and served by `mega oracle
    // serve` without its answer journal (--stateless), so a changed fact source equivocates.
    const oracleDir = join(dir, 'oracle')
    factsFile = join(dir, 'oracle-facts.json')
    await writeFile(factsFile, JSON.stringify({ facts: [{ args: fx.factRequest().args, answer: 'home' }] }))
    const servePort = Number(new URL(urls[0]!).port) + 2
    cheat = await initOracle({ dir: oracleDir, passphrase: PASSPHRASE, logN: 10 })
    await mineIdentity({ dir: oracleDir, root: cheat, bits: 16, threads: 1, tags: ['sports'] })
    const record = await addCapability({
      dir: oracleDir,
      root: cheat,
      bits: 12,
      threads: 1,
      spec: {
        label: 'winner',
        ...EXAMPLE_QUESTION,
        tags: ['sports'],
        endpoint: `http://127.0.0.1:${servePort}`,
        source: { type: 'file', path: factsFile },
      },
    })
    cheatCapability = record.ad.capabilityKey
    await advertiseRound({ dir: oracleDir, root: cheat, nodes: [urls[0]!] })
    serve = await serveOracle(oracleDir, ['--port', String(servePort), '--stateless'], PASSPHRASE)
    // The honest oracle, same strength.
    const first = new NodeClient({ url: urls[0]! })
    for (const message of [ad(HONEST), capability(HONEST, HONEST_CAPABILITY)]) {
      const { status } = await first.post(message.kind as 'oracle', message)
      assert.ok(status < 300, `${message.kind} posted`)
    }
    await until('both nodes hold both oracles', async () => {
      const views = await Promise.all(
        urls.flatMap((url) => [oracleOn(url, cheat.publicKey), oracleOn(url, HONEST.publicKey)]),
      )
      return views.every((view) => view !== undefined && view.strength.work === String(2 ** 16 + 2 ** 12))
    })
  })
  after(async () => {
    await stopOracle(serve)
    await network?.stop()
    if (dir) await rm(dir, { recursive: true, force: true })
  })

  it('a fact-conflict filed through one node lowers the cheat on both; another trader ranks it below the honest oracle', async () => {
    const alice = traderCli(join(dir, 'alice'), [urls[0]!])
    assert.equal((await alice('init')).code, 0)
    const listed = await alice('oracles', '--tag', 'sports', '--json')
    assert.equal(listed.code, 0, listed.stderr)
    assert.equal(listed.json<{ oracles: unknown[] }>().oracles.length, 2)

    // Alice asks the oracle's endpoint: a Schnorr commitment, then the fact, both verified.
    const asked = await alice('ask', cheatCapability, ...ARGS, '--json')
    assert.equal(asked.code, 0, asked.stderr)
    const { commitmentId, commitment, fact } = asked.json<{
      commitmentId: string
      commitment: Commitment
      fact: Fact
    }>()
    assert.equal(commitment.attestation.type, 'schnorr')
    assert.equal(fact.answer, 'home')
    assert.equal(
      fact.signature.slice(0, 64),
      (commitment.attestation as { nonce: string }).nonce,
      'signed with the committed R',
    )
    assert.deepEqual((await alice('detect', '--json')).json<{ proposals: unknown[] }>().proposals, [])

    // The oracle changes its answer; asked again for the same commitment it signs the other one.
    await writeFile(factsFile, JSON.stringify({ facts: [{ args: fx.factRequest().args, answer: 'away' }] }))
    const again = await alice('fact', commitmentId, '--json')
    assert.equal(again.code, 0, again.stderr)
    assert.equal(again.json<{ fact: Fact }>().fact.answer, 'away')

    const detected = await alice('detect', '--json')
    const proposals = detected.json<{
      proposals: { verdict: string; content: { type: string }; oracle: string }[]
    }>().proposals
    assert.deepEqual(
      proposals.map((p) => [p.content.type, p.verdict, p.oracle]),
      [['fact-conflict', 'verified', cheat.publicKey]],
    )
    const filed = await alice('detect', '--auto', '--bits', '14')
    assert.equal(filed.code, 0, filed.stderr)
    // Each node's answer under the report it filed, as docs/traders.md shows.
    assert.match(filed.stdout, /^filed [0-9a-f]{64}\n {2}http:\/\/127\.0\.0\.1:\d+: 20[01] \w+$/m)
    assert.deepEqual(
      (await alice('detect', '--json')).json<{ proposals: unknown[] }>().proposals,
      [],
      'filed once',
    )

    const lowered = String(2 ** 16 + 2 ** 12 - 2 ** 14)
    await until('the score dropped on both nodes', async () => {
      const views = await Promise.all(urls.map((url) => oracleOn(url, cheat.publicKey)))
      return views.every((view) => view?.score.work === lowered)
    })

    const bob = traderCli(join(dir, 'bob'), [urls[1]!])
    assert.equal((await bob('init', '--scheme', 'bip340')).code, 0)
    const ranking = (await bob('oracles', '--json')).json<{
      oracles: {
        key: string
        score: string
        reports: { type: string; counts: boolean; verdict: string; bits: number }[]
      }[]
    }>().oracles
    assert.deepEqual(
      ranking.map((oracle) => oracle.key),
      [HONEST.publicKey, cheat.publicKey],
    )
    assert.equal(ranking[1]!.score, lowered)
    assert.deepEqual(
      ranking[1]!.reports.map((r) => [r.type, r.verdict, r.counts, r.bits]),
      [['fact-conflict', 'verified', true, 14]],
    )
    const human = await bob('oracles', '--offline')
    assert.match(human.stdout, new RegExp(`1\\. ${HONEST.publicKey}`))
    assert.match(human.stdout, /counts\s+−14 bits\s+fact-conflict/)

    assert.deepEqual(await reportVerdicts(bob, cheat.publicKey), ['verified'])
  })

  it('a fact-missing report is filed after the deadline, the oracle disputes it, and the policy stops counting it', async () => {
    const carol = traderCli(join(dir, 'carol'), urls)
    assert.equal((await carol('init')).code, 0)
    const deadline = Math.floor(Date.now() / 1000) + 10
    const commitment = sign<Commitment>(
      {
        kind: 'commitment',
        scheme: HONEST_CAPABILITY.scheme,
        request: fx.factRequest(HONEST_CAPABILITY),
        attestation: { type: 'signature' },
        deadline,
      },
      HONEST_CAPABILITY.secretKey,
    )
    const file = join(dir, 'commitment.json')
    await writeFile(file, exportOf([{ own: true, message: commitment }]))
    assert.equal((await carol('import', file)).code, 0)
    const early = await carol(
      'report',
      'fact-missing',
      '--commitment',
      messageId(commitment),
      '--clock-skew',
      '1',
    )
    assert.equal(early.code, 1)
    assert.match(early.stderr, /deadline .* has not passed by more than 1 s yet.*REPORT_REFUSED/)
    // Past the deadline by more than the nodes' clock skew (1 s, startTwoNodes).
    await new Promise((done) => setTimeout(done, Math.max(0, (deadline + 2) * 1000 - Date.now())))
    const filed = await carol(
      'report',
      'fact-missing',
      '--commitment',
      messageId(commitment),
      '--clock-skew',
      '1',
      '--bits',
      '13',
      '--json',
    )
    assert.equal(filed.code, 0, filed.stderr)
    const reportId = filed.json<{ id: string }>().id
    await until('both nodes count the report', async () => {
      const views = await Promise.all(urls.map((url) => oracleOn(url, HONEST.publicKey)))
      return views.every((view) => view?.reports.some((r) => r.type === 'fact-missing' && r.counts))
    })
    const counted = (await carol('oracles', '--json')).json<{
      oracles: { key: string; reports: { counts: boolean; verdict: string }[] }[]
    }>()
    assert.deepEqual(
      counted.oracles.find((o) => o.key === HONEST.publicKey)!.reports.map((r) => [r.verdict, r.counts]),
      [['verified', true]],
    )

    // The oracle answers with the fact it owed.
    const dispute = { kind: 'dispute', report: reportId, fact: signedFact(HONEST_CAPABILITY, 'draw') }
    const disputed = await new NodeClient({ url: urls[1]! }).post('dispute', dispute)
    assert.equal(disputed.status, 200, JSON.stringify(disputed.body))
    await until('both nodes stop counting it', async () => {
      const views = await Promise.all(urls.map((url) => oracleOn(url, HONEST.publicKey)))
      return views.every((view) => view?.reports.every((r) => !r.counts))
    })
    const after = (await carol('oracles', '--json')).json<{
      oracles: { key: string; reports: { counts: boolean; verdict: string }[] }[]
    }>()
    assert.deepEqual(
      after.oracles.find((o) => o.key === HONEST.publicKey)!.reports.map((r) => [r.verdict, r.counts]),
      [['disputed', false]],
    )
    const policy = join(dir, 'policy.json')
    await writeFile(policy, JSON.stringify({ disputed: true }))
    const strict = (await carol('oracles', '--policy', policy, '--offline', '--json')).json<{
      oracles: { key: string; reports: { counts: boolean }[] }[]
    }>()
    assert.equal(
      strict.oracles.find((o) => o.key === HONEST.publicKey)!.reports[0]!.counts,
      true,
      'a policy may still count disputed reports',
    )
    assert.deepEqual(await reportVerdicts(carol, HONEST.publicKey), ['disputed'])
  })

  it("trader A's offer is matched and accepted by trader B through the network; a forged acceptance is rejected", async () => {
    const a = traderCli(join(dir, 'offer-a'), [urls[0]!])
    const b = traderCli(join(dir, 'offer-b'), [urls[1]!])
    assert.equal((await a('init', '--scheme', 'bip340')).code, 0)
    assert.equal((await b('init')).code, 0)
    const offered = await a(
      'offer',
      HONEST_CAPABILITY.publicKey,
      ...ARGS,
      '--bet',
      'home',
      ...offerFlags({
        amount: '100000',
        acceptorAmount: '150000',
        chain: 'bitcoin',
        contact: 'nostr:alice',
        bits: '13',
      }),
    )
    assert.equal(offered.code, 0, offered.stderr)
    const key = offered.json<{ key: string }>().key
    const mirror = await b(
      'offer',
      HONEST_CAPABILITY.publicKey,
      ...ARGS,
      '--bet',
      'away,draw',
      ...offerFlags({
        amount: '150000',
        acceptorAmount: '100000',
        chain: 'bitcoin',
        contact: 'mailto:bob@example.org',
        bits: '13',
      }),
    )
    assert.equal(mirror.code, 0, mirror.stderr)
    await until('node 1 holds A’s offer', async () => {
      const { body } = await new NodeClient({ url: urls[1]! }).get('offers', {
        capability: HONEST_CAPABILITY.publicKey,
      })
      return (body as { items: { key: string }[] }).items.some((item) => item.key === key)
    })
    // A forged acceptance, signed by another key than the acceptor it names, is rejected by nodes.
    const open = offered.json<{ offer: Offer }>().offer
    const bobKey = JSON.parse(await readFile(join(dir, 'offer-b', 'trader-key.json'), 'utf8')) as fx.TestKey
    const forged = signAcceptance(
      {
        ...open,
        seqNo: 1,
        acceptance: {
          acceptor: bobKey.publicKey,
          scheme: bobKey.scheme,
          contact: 'mailto:mallory@example.org',
        },
      },
      fx.REPORTER.secretKey,
    )
    const refused = await new NodeClient({ url: urls[1]! }).post('offer', forged)
    assert.equal(refused.status, 422)
    assert.equal((refused.body as { code: string }).code, 'SIGNATURE_INVALID')
    assert.match((refused.body as { detail: string }).detail, /acceptance\/signature/)

    const matches = (await b('match', '--json')).json<{ matches: { key: string; oddsRatio: number }[] }>()
      .matches
    assert.deepEqual(
      matches.map((m) => [m.key, m.oddsRatio]),
      [[key, 1]],
    )
    const accepted = await b(
      'match',
      '--accept',
      key,
      '--contact',
      'mailto:bob@example.org',
      '--details',
      'bob xpub tpubD6…',
      '--json',
    )
    assert.equal(accepted.code, 0, accepted.stderr)

    const stageOn = async (url: string) => {
      const { body } = await new NodeClient({ url }).get('offers', {
        capability: HONEST_CAPABILITY.publicKey,
      })
      return (body as { items: { key: string; stage: string }[] }).items.find((item) => item.key === key)
        ?.stage
    }
    await until('node 0 holds the acceptance', async () => (await stageOn(urls[0]!)) === 'accepted')
    const seen = (await a('offers', '--json')).json<{
      offers: { key: string; details?: string; offer: Offer }[]
    }>()
    const mine = seen.offers.find((o) => o.key === key)!
    assert.equal(mine.offer.seqNo, 1)
    assert.equal(mine.details, 'bob xpub tpubD6…', 'details sealed for A open with A’s key')
    const finalized = await a('finalize', key, '--details', 'funding: tb1q…', '--json')
    assert.equal(finalized.code, 0, finalized.stderr)
    await until('both nodes hold the finalized offer', async () =>
      (await Promise.all(urls.map(stageOn))).every((stage) => stage === 'finalized'),
    )
    const bobSees = (await b('offers', '--json')).json<{ offers: { key: string; details?: string }[] }>()
    assert.equal(bobSees.offers.find((o) => o.key === key)!.details, 'funding: tb1q…')
  })
})
