/**
 * The steps every contract end-to-end test takes with two traders, Alice (the originator) and
 * Bob, as `mega trader` processes with their own data directories and test wallets: her offer
 * accepted and finalized through the node, the contract proposed, accepted, signed and funded.
 */
import { readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { ContractAccept, ContractOffer } from '../../../src/contracts/index.ts'
import { checkContractFunding, TestWallet } from '../../support/wallet.ts'
import { offerFlags, ok, traderCli, until } from '../trader/helpers.ts'

export type Parties = ReturnType<typeof contractParties>

/** Alice and Bob on `nodeUrl`, their data and files under `dir`, regtest wallets of `seeds`. */
export function contractParties(dir: string, nodeUrl: string, seeds: [number, number]) {
  return {
    alice: traderCli(join(dir, 'alice'), [nodeUrl]),
    bob: traderCli(join(dir, 'bob'), [nodeUrl]),
    aliceWallet: new TestWallet(seeds[0], 'regtest'),
    bobWallet: new TestWallet(seeds[1], 'regtest'),
    file: (name: string) => join(dir, name),
  }
}

/** Alice's stakes of every contract test (100 000 sat against Bob's 150 000 on regtest), mined at `bits`. */
export function aliceStakes(bits: string): string[] {
  return offerFlags({
    amount: '100000',
    acceptorAmount: '150000',
    chain: 'bitcoin-regtest',
    contact: 'nostr:alice',
    bits,
  })
}

/** Bob accepts Alice's offer through the node; she finalizes it once she sees the acceptance. */
export async function acceptAndFinalize({ alice, bob }: Parties, offerKey: string): Promise<void> {
  ok(await bob('accept', offerKey, '--contact', 'mailto:bob@example.org', '--json'))
  await until(
    'Alice sees the acceptance',
    async () => (await alice('finalize', offerKey, '--json')).code === 0,
  )
}

/** The wallets' coins of `amounts` satoshis as funding PSBTs: alice-coins.psbt, bob-coins.psbt. */
export async function walletCoins(
  { aliceWallet, bobWallet, file }: Parties,
  amounts: { alice: number[]; bob: number[] },
  options: { previous?: boolean } = {},
): Promise<void> {
  await writeFile(file('alice-coins.psbt'), aliceWallet.fundingPsbt(amounts.alice, options))
  await writeFile(file('bob-coins.psbt'), bobWallet.fundingPsbt(amounts.bob, options))
}

/** A side of `contract propose|accept`: the wallet's coins, payout and change address. */
function side(wallet: TestWallet, coins: string) {
  return ['--psbt', coins, '--payout-address', wallet.address, '--change-address', wallet.address]
}

/** Alice proposes the contract of the finalized offer, funded from her coins: proposal.json. */
export async function propose(parties: Parties, offerKey: string, feeRate: string): Promise<ContractOffer> {
  const { alice, aliceWallet, file } = parties
  const out = file('proposal.json')
  ok(
    await alice(
      'contract',
      'propose',
      offerKey,
      ...side(aliceWallet, file('alice-coins.psbt')),
      '--fee-rate',
      feeRate,
      '--out',
      out,
    ),
  )
  return JSON.parse(await readFile(out, 'utf8')) as ContractOffer
}

/** Bob checks the proposal and accepts it with his coins: accept.json. */
export async function accept({ bob, bobWallet, file }: Parties): Promise<ContractAccept> {
  const out = file('accept.json')
  ok(
    await bob(
      'contract',
      'accept',
      file('proposal.json'),
      ...side(bobWallet, file('bob-coins.psbt')),
      '--out',
      out,
    ),
  )
  return JSON.parse(await readFile(out, 'utf8')) as ContractAccept
}

/**
 * `trader contract <step> <message>` writes the funding PSBT its wallet signs (`<who>-funding.psbt`);
 * the wallet's signed one is `<who>-signed.psbt`, whose path is returned.
 */
async function walletSigned(
  trader: Parties['alice'],
  wallet: TestWallet,
  step: 'sign' | 'finalize',
  message: string,
  who: string,
  file: Parties['file'],
): Promise<string> {
  ok(await trader('contract', step, message, '--out', file(`${who}-funding.psbt`)))
  const signed = file(`${who}-signed.psbt`)
  await writeFile(signed, wallet.sign((await readFile(file(`${who}-funding.psbt`), 'utf8')).trim()))
  return signed
}

/**
 * Alice verifies the accept (`verified`), has her wallet sign the funding PSBT and signs the
 * contract from `accept` with it: sign.json.
 */
export async function aliceSigns(
  { alice, aliceWallet, file }: Parties,
  verified = 'accept.json',
  accept = 'accept.json',
): Promise<void> {
  const signed = await walletSigned(alice, aliceWallet, 'sign', file(verified), 'alice', file)
  ok(await alice('contract', 'sign', file(accept), '--psbt', signed, '--out', file('sign.json')))
}

/**
 * Bob verifies the sign message in `sign`, has his wallet sign and completes the funding
 * transaction, which the independent checker checks against both sides' messages.
 */
export async function bobFunds(
  { bob, bobWallet, file }: Parties,
  proposal: ContractOffer,
  accepted: ContractAccept,
  sign = 'sign.json',
) {
  const signed = await walletSigned(bob, bobWallet, 'finalize', file(sign), 'bob', file)
  const funded = ok(await bob('contract', 'finalize', file(sign), '--psbt', signed))
  return checkContractFunding(funded.stdout.trim(), proposal.originator, accepted.acceptor)
}
