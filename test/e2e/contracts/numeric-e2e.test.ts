/**
 * A numeric contract end to end: a numeric capability added with `mega oracle capability add
 * --attestation schnorr-digits` and advertised to a node process, a real `mega oracle serve` on
 * loopback answering a price from its fact source, `mega trader ask` finding it through the node
 * and verifying the per-digit commitment and fact, the trader's endpoint client likewise,
 * both sides planning the CFD's CETs independently, and the settling CET checked by an
 * independent library.
 */
import assert from 'node:assert/strict'
import { type ChildProcess, spawn } from 'node:child_process'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { Transaction } from '@scure/btc-signer'
import { type NodeProcess, startNodeProcess, stopNodeProcess } from '../../../src/cli/devnet-nodes.ts'
import {
  cfdCurve,
  checkNumericSignatures,
  fundingKey,
  numericTransactions,
  payoutAt,
  planNumericContract,
  settleNumeric,
  signNumericCets,
} from '../../../src/contracts/index.ts'
import { advertiseRound } from '../../../src/oracle/advertise.ts'
import { OracleEndpointClient } from '../../../src/oracle/endpoint-client.ts'
import { initOracle, mineIdentity } from '../../../src/oracle/identity.ts'
import type { OracleCapability } from '../../../src/protocol/messages/index.ts'
import { REPORTER, TRADER } from '../../support/messages.ts'
import { checkFundingSpend, TestWallet } from '../../support/wallet.ts'
import { serveOracle, stopOracle, traderCli } from '../trader/helpers.ts'

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
    const base = 35_000 + Math.floor(Math.random() * 5_000)
    node = await startNodeProcess({
      index: 0,
      root: dir,
      httpPort: base,
      tcpPort: base + 3_000,
      env: { MEGA_LOG__LEVEL: 'warn' },
    })
    const oracleDir = join(dir, 'oracle')
    const prices = join(dir, 'prices.json')
    await writeFile(prices, JSON.stringify({ facts: [{ args: { date: '2026-12-31' }, answer: PRICE }] }))
    const root = await initOracle({ dir: oracleDir, passphrase: PASSPHRASE, logN: 10 })
    await mineIdentity({ dir: oracleDir, root, bits: 16, threads: 1, tags: ['prices'] })
    const port = base + 2
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

  it('the oracle commits one nonce per digit, attests the price digit by digit, and the CFD settles on it', async () => {
    const client = new OracleEndpointClient({ url })
    const { items } = await client.capabilities()
    const capability = items.find((ad) => ad.attestation === 'schnorr-digits') as OracleCapability
    assert.equal(capability.digits, 20)
    assert.equal(capability.unit, 'USD')
    const request = { capability: capability.capabilityKey, args: { date: '2026-12-31' } }
    const commitment = await client.commitment(request, capability)
    assert.equal((commitment.attestation as { nonces: string[] }).nonces.length, 20)

    // Long BTC from 40 000 to 45 000 USD: Alice (originator) stakes 100 000 sat, Bob 150 000.
    const curve = cfdCurve({ digits: 20, total: 250_000, floor: 40_000, cap: 45_000, rounding: 2_500 })
    const alicePlan = planNumericContract(capability, commitment, curve)
    const bobPlan = planNumericContract(capability, commitment, curve)
    assert.deepEqual(bobPlan.points, alicePlan.points)
    const alice = fundingKey(TRADER.secretKey, '03'.repeat(32), '04'.repeat(32), 'originator')
    const bob = fundingKey(REPORTER.secretKey, '03'.repeat(32), '04'.repeat(32), 'acceptor')
    const aliceWallet = new TestWallet(31, 'regtest')
    const bobWallet = new TestWallet(32, 'regtest')
    const party = (key: typeof alice, wallet: TestWallet, serial: bigint, collateral: bigint) => ({
      fundPubkey: key.pubkey,
      payoutScript: wallet.script,
      payoutSerialId: serial + 1n,
      changeScript: wallet.script,
      changeSerialId: serial + 2n,
      inputs: [
        {
          txid: (serial === 10n ? 'a1' : 'b2').repeat(32),
          vout: 1,
          amount: 400_000n,
          script: wallet.script,
          maxWitnessLength: 108,
          serialId: serial + 3n,
        },
      ],
      collateral,
    })
    const funding = {
      originator: party(alice, aliceWallet, 10n, 100_000n),
      acceptor: party(bob, bobWallet, 20n, 150_000n),
      refundLocktime: commitment.deadline + 7 * 86_400,
      feeRate: 2n,
      fundOutputSerialId: 7n,
    }
    const aliceTxs = numericTransactions(alicePlan, funding)
    const bobTxs = numericTransactions(bobPlan, funding)
    assert.deepEqual(bobTxs.cets, aliceTxs.cets)
    const bobSignatures = signNumericCets(bobPlan, bobTxs, bob.secret)
    checkNumericSignatures(alicePlan, aliceTxs, bobSignatures, bob.pubkey)
    const aliceSignatures = signNumericCets(alicePlan, aliceTxs, alice.secret)
    checkNumericSignatures(bobPlan, bobTxs, aliceSignatures, alice.pubkey)

    const fact = await client.fact(commitment, capability)
    assert.equal(fact.answer, String(PRICE))
    assert.equal(fact.digitSignatures?.length, 20)
    const settled = settleNumeric({
      plan: alicePlan,
      txs: aliceTxs,
      fact,
      counterparty: { pubkey: bob.pubkey, cetSignatures: bobSignatures },
      own: { pubkey: alice.pubkey, secret: alice.secret },
    })
    // (41 250 − 40 000) / 5 000 of the pot to the long side: 62 500 sat.
    assert.deepEqual(settled.payout, { originator: 62_500, acceptor: 187_500 })
    assert.equal(payoutAt(curve, PRICE), 62_500)
    const fund = Transaction.fromRaw(aliceTxs.fund, { allowUnknownOutputs: true })
    const cet = checkFundingSpend(
      settled.tx,
      { txid: fund.id, fundVout: aliceTxs.fundVout, fundValue: Number(aliceTxs.fundValue) },
      [alice.pubkey, bob.pubkey],
    )
    const values = cet.outputs.map((output) => output.value).sort((a, b) => a - b)
    assert.equal(values.length, 2)
    assert.equal(values[1]! + values[0]! + cet.fee, Number(aliceTxs.fundValue))
    assert.ok(Math.abs(values[0]! - 62_500) < 1_000 && Math.abs(values[1]! - 187_500) < 1_000, String(values))
  })
})
