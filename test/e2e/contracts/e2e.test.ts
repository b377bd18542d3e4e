/**
 * A contract end to end: a node process, a real `mega oracle serve` on loopback, two traders as
 * `mega trader` processes with their own data directories, test wallets standing in for the
 * users' (signing the funding PSBTs), and every transaction checked by an independent library.
 */
import assert from 'node:assert/strict'
import type { ChildProcess } from 'node:child_process'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { type NodeProcess, startNodeProcess, stopNodeProcess } from '../../../src/cli/devnet-nodes.ts'
import { EXAMPLE_QUESTION } from '../../../src/client/examples.ts'
import { advertiseRound } from '../../../src/oracle/advertise.ts'
import { addCapability } from '../../../src/oracle/capabilities.ts'
import { initOracle, mineIdentity } from '../../../src/oracle/identity.ts'
import * as fx from '../../support/messages.ts'
import { freePortRanges } from '../../support/ports.ts'
import { checkFundingSpend } from '../../support/wallet.ts'
import { ok, oracleOn, serveOracle, stopOracle, until } from '../trader/helpers.ts'
import * as steps from './steps.ts'

const PASSPHRASE = 'contract e2e passphrase'
const ARGS = ['--arg', 'home=ARS', '--arg', 'away=CHE', '--arg', 'date=2026-11-21']

describe('contracts end to end: offer → contract → attestation → settlement', () => {
  let dir: string
  let node: NodeProcess
  let serve: ChildProcess | undefined
  let capabilityKey: string
  let oracleKey: string
  let factsFile: string
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'mega-contracts-'))
    const [httpPort, tcpPort, servePort] = await freePortRanges(1, 2, 1)
    node = await startNodeProcess({
      index: 0,
      root: dir,
      httpPort: httpPort!,
      tcpPort: tcpPort!,
      env: { MEGA_LOG__LEVEL: 'warn' },
    })
    const oracleDir = join(dir, 'oracle')
    factsFile = join(dir, 'oracle-facts.json')
    await writeFile(factsFile, JSON.stringify({ facts: [{ args: fx.factRequest().args, answer: 'home' }] }))
    const root = await initOracle({ dir: oracleDir, passphrase: PASSPHRASE, logN: 10 })
    await mineIdentity({ dir: oracleDir, root, bits: 16, threads: 1, tags: ['sports'] })
    const record = await addCapability({
      dir: oracleDir,
      root,
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
    capabilityKey = record.ad.capabilityKey
    oracleKey = record.ad.oracle
    await advertiseRound({ dir: oracleDir, root, nodes: [node.url] })
    // Stateless: a changed fact source makes the oracle equivocate (the cheating case below).
    serve = await serveOracle(oracleDir, ['--port', String(servePort), '--stateless'], PASSPHRASE)
  })
  after(async () => {
    await stopOracle(serve)
    if (node) await stopNodeProcess(node.child)
    await rm(dir, { recursive: true, force: true })
  })

  it('two traders fund, sign and settle a contract; a cheating oracle is caught', async () => {
    const parties = steps.contractParties(dir, node.url, [11, 12])
    const { alice, bob, aliceWallet, file } = parties
    ok(await alice('init', '--scheme', 'bip340'))
    ok(await bob('init'))

    // The offer: Alice bets on "home", Bob takes "away" and "draw"; accepted and finalized.
    const offered = ok(
      await alice('offer', capabilityKey, ...ARGS, '--bet', 'home', ...steps.aliceStakes('12')),
    )
    const offerKey = offered.json<{ key: string }>().key
    await steps.acceptAndFinalize(parties, offerKey)

    // Alice proposes, funded from her wallet's PSBT.
    // Coins with their previous transactions, as Bitcoin Core's PSBTs carry them: dlcspecs'
    // accept_dlc needs them.
    await steps.walletCoins(parties, { alice: [80_000, 40_000], bob: [300_000] }, { previous: true })
    const proposal = await steps.propose(parties, offerKey, '3')
    assert.equal(proposal.network, 'regtest')

    // Bob checks and accepts: his adaptor signatures for every CET and his refund signature.
    const accepted = await steps.accept(parties)
    assert.equal(accepted.cetSignatures.length, 3)

    // The accept travels in dlcspecs' form (accept_dlc): Bob exports it, Alice imports it back
    // into the very message Bob's toolkit wrote, and signs from the imported one.
    const id = accepted.contractId
    ok(await bob('contract', 'export', id, '--format', 'dlcspecs', '--out', file('accept.hex')))
    assert.match(await readFile(file('accept.hex'), 'utf8'), /^a71c00000001/)
    ok(
      await alice(
        'contract',
        'import',
        id,
        file('accept.hex'),
        '--format',
        'dlcspecs',
        '--out',
        file('accept-imported.json'),
      ),
    )
    assert.deepEqual(JSON.parse(await readFile(file('accept-imported.json'), 'utf8')), accepted)

    // Alice verifies, has her wallet sign the funding PSBT, and signs.
    await steps.aliceSigns(parties, 'accept-imported.json', 'accept.json')

    // The sign message as sign_dlc, imported by Bob; he finalizes from it.
    ok(await alice('contract', 'export', id, '--format', 'dlcspecs', '--out', file('sign.hex')))
    assert.match(await readFile(file('sign.hex'), 'utf8'), /^a71e00000001/)
    ok(
      await bob(
        'contract',
        'import',
        id,
        file('sign.hex'),
        '--format',
        'dlcspecs',
        '--out',
        file('sign-imported.json'),
      ),
    )

    // Bob verifies, has his wallet sign, and completes the funding transaction.
    const { funding, pubkeys } = await steps.bobFunds(parties, proposal, accepted, 'sign-imported.json')

    const shown = ok(await alice('contract', 'show', '--json')).json<{
      contracts: { state: string; role: string }[]
    }>()
    assert.deepEqual(
      shown.contracts.map((one) => [one.role, one.state]),
      [['originator', 'signed']],
    )

    // The refund is refused before its locktime.
    const early = await alice('contract', 'refund', accepted.contractId)
    assert.equal(early.code, 1)
    assert.match(early.stderr, /CONTRACT_REFUND_TOO_EARLY/)

    // The oracle attests "home": Alice settles with the CET paying her the pot.
    const settled = ok(await alice('contract', 'settle', accepted.contractId.slice(0, 12)))
    const cet = checkFundingSpend(settled.stdout.trim(), funding, pubkeys)
    assert.deepEqual(cet.outputs, [{ script: Buffer.from(aliceWallet.script), value: 250_000 }])
    assert.equal(cet.fee + 250_000, funding.fundValue)

    // The oracle then signs "away" for the same request: Bob's toolkit completes that CET too;
    // Alice's warns that the oracle's key is public, names the CETs Bob can now publish, and
    // files the fact-conflict report, which the node holds against the oracle.
    await writeFile(factsFile, JSON.stringify({ facts: [{ args: fx.factRequest().args, answer: 'away' }] }))
    ok(await bob('contract', 'settle', accepted.contractId))
    const cheated = ok(await alice('contract', 'settle', accepted.contractId, '--bits', '12'))
    assert.match(
      cheated.stderr,
      /attested both "home" and "away".*"away" \(250000 sat to them\), "draw" \(250000 sat to them\)/s,
    )
    // "filed" only with a node's 2xx answer, which is printed under it.
    assert.match(cheated.stderr, /filed the fact-conflict report [0-9a-f]{64}\n {2}http:\/\/\S+: 2\d\d /)
    await until('the node holds the fact-conflict report', async () => {
      const view = await oracleOn(node.url, oracleKey)
      return view?.reports.some((report) => report.type === 'fact-conflict') ?? false
    })
    assert.deepEqual(ok(await alice('detect', '--json')).json<{ proposals: unknown[] }>().proposals, [])
  })
})
