/**
 * A 2-of-3 contract end to end: a node process, three real `mega oracle serve` processes (each
 * wording the match its own way, the offer's synonyms mapping them), two traders as `mega
 * trader` processes with their own data directories, test wallets standing in for the users'.
 * Two oracles agree, the third dissents: the agreeing pair's CET settles, checked by an
 * independent library, and no CET of another outcome can be completed with the facts.
 */
import assert from 'node:assert/strict'
import type { ChildProcess } from 'node:child_process'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { type NodeProcess, startNodeProcess, stopNodeProcess } from '../../../src/cli/devnet-nodes.ts'
import { EXAMPLE_QUESTION } from '../../../src/client/examples.ts'
import {
  decryptAdaptorSignature,
  fundingSpendSighash,
  quorumPlan,
  transactionsOf,
  verifyDer,
} from '../../../src/contracts/index.ts'
import { advertiseRound } from '../../../src/oracle/advertise.ts'
import { addCapability } from '../../../src/oracle/capabilities.ts'
import { initOracle, mineIdentity } from '../../../src/oracle/identity.ts'
import type { Fact } from '../../../src/protocol/messages/index.ts'
import * as fx from '../../support/messages.ts'
import { checkFundingSpend } from '../../support/wallet.ts'
import { ok, oracleOn, serveOracle, stopOracle, until } from '../trader/helpers.ts'
import * as steps from './steps.ts'

const PASSPHRASE = 'quorum contract e2e passphrase'
const ARGS = fx.factRequest().args
const ORACLES = [
  { answers: ['home', 'away', 'draw'], attests: 'away' },
  { answers: ['hosts', 'visitors', 'tie'], attests: 'hosts' },
  { answers: ['1', '2', 'X'], attests: '1' },
]

describe('quorum contracts end to end: 2 of 3 oracles settle a contract', () => {
  let dir: string
  let node: NodeProcess
  const serves: ChildProcess[] = []
  const keys: string[] = []
  const endpoints: string[] = []
  const oracleKeys: string[] = []
  before(
    async () => {
      dir = await mkdtemp(join(tmpdir(), 'mega-quorum-contracts-'))
      const base = 24_000 + Math.floor(Math.random() * 6_000)
      node = await startNodeProcess({
        index: 0,
        root: dir,
        httpPort: base,
        tcpPort: base + 3_000,
        // Low work minimums: three oracles are mined here, the work is not under test.
        env: {
          MEGA_LOG__LEVEL: 'warn',
          MEGA_MEMPOOL__MIN_BITS: '{"oracle":8,"capability":8,"report":8,"offer":8}',
        },
      })
      for (const [j, oracle] of ORACLES.entries()) {
        const oracleDir = join(dir, `oracle-${j}`)
        const factsFile = join(dir, `oracle-${j}-facts.json`)
        await writeFile(factsFile, JSON.stringify({ facts: [{ args: ARGS, answer: oracle.attests }] }))
        const root = await initOracle({ dir: oracleDir, passphrase: PASSPHRASE, logN: 10 })
        await mineIdentity({ dir: oracleDir, root, bits: 8, threads: 1, tags: ['sports'] })
        const port = base + 10 + j
        const record = await addCapability({
          dir: oracleDir,
          root,
          bits: 8,
          threads: 1,
          spec: {
            label: 'winner',
            ...EXAMPLE_QUESTION,
            answers: oracle.answers,
            tags: ['sports'],
            endpoint: `http://127.0.0.1:${port}`,
            source: { type: 'file', path: factsFile },
          },
        })
        keys.push(record.ad.capabilityKey)
        oracleKeys.push(record.ad.oracle)
        endpoints.push(`http://127.0.0.1:${port}`)
        await advertiseRound({ dir: oracleDir, root, nodes: [node.url] })
        // The second oracle is stateless: a changed fact source makes it equivocate (below).
        const stateless = j === 1 ? ['--stateless'] : []
        serves.push(await serveOracle(oracleDir, ['--port', String(port), ...stateless], PASSPHRASE))
      }
    },
    { timeout: 240_000 },
  )
  after(async () => {
    for (const serve of serves) await stopOracle(serve)
    if (node) await stopNodeProcess(node.child)
    await rm(dir, { recursive: true, force: true })
  })

  // A dozen trader processes in a row: more than the default timeout on a loaded machine.
  it('offer → finalize → propose → accept → sign → two oracles agree → settle; the dissent does not stop it', {
    timeout: 400_000,
  }, async () => {
    const parties = steps.contractParties(dir, node.url, [51, 52])
    const { alice, bob, aliceWallet, file } = parties
    ok(await alice('init', '--scheme', 'bip340'))
    ok(await bob('init'))

    const args = Object.entries(ARGS).flatMap(([name, value]) => ['--arg', `${name}=${value}`])
    const request = (key: string) =>
      `${key}:${Object.entries(ARGS)
        .map(([name, value]) => `${name}=${value}`)
        .join(',')}`
    const words = (j: number) =>
      ['home', 'away', 'draw'].flatMap((ours, i) => [
        '--synonym',
        `${keys[j]}:${ours}=${ORACLES[j]!.answers[i]}`,
      ])
    const offered = ok(
      await alice(
        'offer',
        keys[0]!,
        ...args,
        '--quorum',
        request(keys[1]!),
        '--quorum',
        request(keys[2]!),
        '--threshold',
        '2',
        ...words(1),
        ...words(2),
        '--bet',
        'home',
        ...steps.aliceStakes('8'),
      ),
    )
    const offerKey = offered.json<{ key: string }>().key
    await steps.acceptAndFinalize(parties, offerKey)

    await steps.walletCoins(parties, { alice: [130_000], bob: [300_000] })
    const proposal = await steps.propose(parties, offerKey, '2')
    assert.deepEqual(
      proposal.commitments?.map((commitment) => commitment.request.capability),
      keys,
    )
    assert.deepEqual(
      proposal.payouts?.map((payout) => payout.answer),
      ['home', 'away', 'draw'],
    )

    const accepted = await steps.accept(parties)
    assert.equal(accepted.cetSignatures.length, 9, '3 outcomes × 3 pairs of oracles')
    const id = accepted.contractId

    await steps.aliceSigns(parties)
    const { funding, pubkeys } = await steps.bobFunds(parties, proposal, accepted)

    // The question's oracle says "away", the other two "hosts" and "1": home, 2 of 3.
    const settled = ok(await alice('contract', 'settle', id.slice(0, 12)))
    assert.match(settled.stderr, /CET for "home"/)
    const cet = checkFundingSpend(settled.stdout.trim(), funding, pubkeys)
    assert.deepEqual(cet.outputs, [{ script: Buffer.from(aliceWallet.script), value: 250_000 }])
    assert.equal(cet.fee + 250_000, funding.fundValue)
    const bobSide = checkFundingSpend(ok(await bob('contract', 'settle', id)).stdout.trim(), funding, pubkeys)
    assert.deepEqual(bobSide.outputs, cet.outputs)

    // The same facts from the endpoints: no combination of another outcome is completed.
    const facts: Fact[] = []
    for (const [j, commitment] of proposal.commitments!.entries()) {
      const response = await fetch(`${endpoints[j]}/fact`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(commitment),
      })
      assert.equal(response.status, 200)
      facts.push((await response.json()) as Fact)
    }
    const txs = transactionsOf(proposal, accepted.acceptor)
    const plan = quorumPlan(
      proposal.offer.terms,
      ORACLES.map((oracle) => oracle.answers),
    )
    let completed = 0
    for (const [index, combination] of plan.combinations.entries()) {
      let valid = false
      try {
        const der = decryptAdaptorSignature(
          accepted.cetSignatures[index]!,
          combination.requests.map((j) => facts[j]!.signature),
        )
        valid = verifyDer(der, fundingSpendSighash(txs.cets[combination.cet]!, txs), pubkeys[1])
      } catch {
        valid = false
      }
      if (valid) completed++
      assert.equal(valid, plan.outcomes[combination.cet] === 'home' && combination.requests.join() === '1,2')
    }
    assert.equal(completed, 1)

    // Two facts that do not agree cannot settle.
    await writeFile(file('fact-0.json'), JSON.stringify(facts[0]))
    await writeFile(file('fact-1.json'), JSON.stringify(facts[1]))
    const split = await bob(
      'contract',
      'settle',
      id,
      '--fact',
      file('fact-0.json'),
      '--fact',
      file('fact-1.json'),
    )
    assert.equal(split.code, 1)
    assert.match(split.stderr, /CONTRACT_NO_QUORUM/)
    assert.match(ok(await alice('contract', 'show')).stdout, /2 of 3 oracles/)

    // The second oracle then signs "visitors" too: its key is public. With it and the first
    // oracle's real "away", Bob could complete the "away" CET: Alice's toolkit says so and files
    // the fact-conflict report, which the node holds against that oracle.
    await writeFile(
      join(dir, 'oracle-1-facts.json'),
      JSON.stringify({ facts: [{ args: ARGS, answer: 'visitors' }] }),
    )
    const fetched = await fetch(`${endpoints[1]}/fact`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(proposal.commitments![1]),
    })
    assert.equal(((await fetched.json()) as Fact).answer, 'visitors')
    // Its request now counts for no outcome: "away" and "home" have one oracle each, so nothing
    // settles any more (the refund will), but the warning and the report come all the same.
    const cheated = await alice('contract', 'settle', id, '--bits', '8')
    assert.equal(cheated.code, 1)
    assert.match(cheated.stderr, /CONTRACT_NO_QUORUM/)
    assert.match(
      cheated.stderr,
      new RegExp(
        `oracle of capability ${keys[1]} attested both "hosts" and "visitors".*"away" \\(250000 sat to them\\)\\. Publish`,
        's',
      ),
    )
    assert.match(cheated.stderr, /filed the fact-conflict report [0-9a-f]{64}/)
    await until('the node holds the fact-conflict report against the second oracle', async () => {
      const view = await oracleOn(node.url, oracleKeys[1]!)
      return view?.reports.some((report) => report.type === 'fact-conflict') ?? false
    })
  })
})
