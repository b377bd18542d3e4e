/**
 * A numeric contract end to end, as docs/contracts.md's CFD tutorial runs it: a numeric
 * capability added with `mega oracle capability add --attestation schnorr-digits` and advertised
 * to a node process, a real `mega oracle serve` on loopback answering a price from its fact
 * source, `mega trader ask` finding it through the node and verifying the per-digit commitment
 * and fact, then two traders as `mega trader` processes with their own data directories: a CFD
 * offer (`--cfd`), accepted and finalized through the node, turned into a contract (each side
 * planning the CETs from the offer's curve on its own), funded from test wallets, and settled on
 * the attested price, the settling CET checked by an independent library.
 */
import assert from 'node:assert/strict'
import { type ChildProcess, spawn } from 'node:child_process'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { type NodeProcess, startNodeProcess, stopNodeProcess } from '../../../src/cli/devnet-nodes.ts'
import { cetsOf, cfdCurve, payoutAt } from '../../../src/contracts/index.ts'
import { advertiseRound } from '../../../src/oracle/advertise.ts'
import { initOracle, mineIdentity } from '../../../src/oracle/identity.ts'
import type { Offer, OracleCapability } from '../../../src/protocol/messages/index.ts'
import { freePortRanges } from '../../support/ports.ts'
import { checkFundingSpend } from '../../support/wallet.ts'
import { ok, serveOracle, stopOracle, traderCli } from '../trader/helpers.ts'
import * as steps from './steps.ts'

const PASSPHRASE = 'numeric e2e passphrase'
const MEGA = new URL('../../../bin/mega.ts', import.meta.url).pathname
const PRICE = 41_250

function run(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((done) => {
    const child = spawn(process.execPath, [MEGA, ...args], {
      env: { ...process.env, MEGA_ORACLE_PASSPHRASE: PASSPHRASE },
    })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (chunk) => (stdout += chunk))
    child.stderr.on('data', (chunk) => (stderr += chunk))
    child.on('exit', (code) => done({ code: code ?? 1, stdout, stderr }))
  })
}

describe('numeric contracts end to end: a price oracle, a CFD, settlement', () => {
  let dir: string
  let node: NodeProcess
  let serve: ChildProcess | undefined
  let url: string
  let capabilityKey: string
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'mega-numeric-'))
    const [httpPort, tcpPort, port] = await freePortRanges(1, 2, 1)
    node = await startNodeProcess({
      index: 0,
      root: dir,
      httpPort: httpPort!,
      tcpPort: tcpPort!,
      env: { MEGA_LOG__LEVEL: 'warn' },
    })
    const oracleDir = join(dir, 'oracle')
    const prices = join(dir, 'prices.json')
    await writeFile(prices, JSON.stringify({ facts: [{ args: { date: '2026-12-31' }, answer: PRICE }] }))
    const root = await initOracle({ dir: oracleDir, passphrase: PASSPHRASE, logN: 10 })
    await mineIdentity({ dir: oracleDir, root, bits: 16, threads: 1, tags: ['prices'] })
    url = `http://127.0.0.1:${port}`
    const added = await run([
      'oracle',
      'capability',
      'add',
      '--dir',
      oracleDir,
      '--label',
      'btcusd',
      '--question',
      'BTC/USD at noon UTC on $date, whole dollars',
      '--param',
      'date=2026-12-31',
      '--attestation',
      'schnorr-digits',
      '--digits',
      '20',
      '--unit',
      'USD',
      '--endpoint',
      url,
      '--source-file',
      prices,
      '--bits',
      '12',
      '--threads',
      '1',
      '--json',
    ])
    assert.equal(added.code, 0, added.stderr)
    capabilityKey = (JSON.parse(added.stdout) as { ad: OracleCapability }).ad.capabilityKey
    await advertiseRound({ dir: oracleDir, root, nodes: [node.url] })
    serve = await serveOracle(oracleDir, ['--port', String(port)], PASSPHRASE)
  })
  after(async () => {
    await stopOracle(serve)
    if (node) await stopNodeProcess(node.child)
    await rm(dir, { recursive: true, force: true })
  })

  it('a trader finds the numeric capability through a node and gets the price verified digit by digit', async () => {
    const trader = traderCli(join(dir, 'trader'), [node.url])
    const init = await trader('init')
    assert.equal(init.code, 0, init.stderr)
    const asked = await trader('ask', capabilityKey, '--arg', 'date=2026-12-31', '--json')
    assert.equal(asked.code, 0, `${asked.stderr}\n${asked.stdout}`)
    const { commitment, fact } = JSON.parse(asked.stdout) as {
      commitment: { attestation: { type: string; nonces: string[] } }
      fact: { answer: string; digitSignatures: string[] }
    }
    assert.equal(commitment.attestation.type, 'schnorr-digits')
    assert.equal(commitment.attestation.nonces.length, 20)
    assert.equal(fact.answer, String(PRICE))
    assert.equal(fact.digitSignatures.length, 20)
    const human = await trader('ask', capabilityKey, '--arg', 'date=2026-12-31')
    assert.match(human.stdout, /schnorr-digits attestation/)
    assert.match(human.stdout, /fact verified: "41250"/)
  })

  it('two traders offer, fund and settle a CFD through the CLI; the settling CET pays the price’s share', async () => {
    const parties = steps.contractParties(dir, node.url, [31, 32])
    const { alice, bob, aliceWallet, bobWallet } = parties
    ok(await alice('init', '--scheme', 'bip340'))
    ok(await bob('init'))

    // Long BTC from 40 000 to 45 000 USD: Alice stakes 100 000 sat, Bob 150 000, 2 500 sat steps.
    const offered = ok(
      await alice(
        'offer',
        capabilityKey,
        '--arg',
        'date=2026-12-31',
        '--cfd',
        '40000:45000',
        '--rounding',
        '2500',
        ...steps.aliceStakes('12'),
      ),
    )
    const { key: offerKey, offer } = offered.json<{ key: string; offer: Offer }>()
    assert.deepEqual(offer.terms.curve, {
      digits: 20,
      rounding: 2_500,
      points: [
        { value: 0, originator: 0 },
        { value: 40_000, originator: 0 },
        { value: 45_000, originator: 250_000 },
        { value: 2 ** 20 - 1, originator: 250_000 },
      ],
    })
    await steps.acceptAndFinalize(parties, offerKey)

    await steps.walletCoins(parties, { alice: [120_000], bob: [90_000, 80_000] })
    const proposal = await steps.propose(parties, offerKey, '2')
    assert.equal(proposal.curve?.total, 250_000)
    assert.equal((proposal.oracle as { nonces: string[] }).nonces.length, 20)
    const accepted = await steps.accept(parties)
    // Each side plans the CETs from the offer's curve on its own: one per digit prefix.
    assert.equal(accepted.cetSignatures.length, cetsOf(proposal).length)
    assert.ok(accepted.cetSignatures.length > 600 && accepted.cetSignatures.length < 700)

    await steps.aliceSigns(parties)
    const { funding, pubkeys } = await steps.bobFunds(parties, proposal, accepted)
    const shown = ok(await bob('contract', 'show'))
    assert.match(
      shown.stdout,
      /acceptor {2}funded {2}regtest .* curve 0:0,40000:0,45000:250000,1048575:250000 \(rounding 2500, \d+ CETs\)/,
    )

    const early = await bob('contract', 'refund', accepted.contractId)
    assert.match(early.stderr, /CONTRACT_REFUND_TOO_EARLY/)

    // The oracle attests 41 250 USD: (41 250 − 40 000) / 5 000 of the pot to Alice, either side settles.
    for (const trader of [alice, bob]) {
      const settled = ok(await trader('contract', 'settle', accepted.contractId.slice(0, 12), '--wait', '30'))
      assert.match(settled.stderr, /CET for "41250" [0-9a-f]{64}: originator 62500, acceptor 187500 sat/)
      const cet = checkFundingSpend(settled.stdout.trim(), funding, pubkeys)
      const paid = new Map(
        cet.outputs.map((output) => [Buffer.from(output.script).toString('hex'), output.value]),
      )
      assert.equal(paid.get(Buffer.from(aliceWallet.script).toString('hex')), 62_500)
      assert.equal(paid.get(Buffer.from(bobWallet.script).toString('hex')), 187_500)
      assert.equal(cet.fee + 250_000, funding.fundValue, 'payouts + fee = funding output')
    }
    assert.equal(
      payoutAt(cfdCurve({ digits: 20, total: 250_000, floor: 40_000, cap: 45_000, rounding: 2_500 }), PRICE),
      62_500,
    )
  })
})
