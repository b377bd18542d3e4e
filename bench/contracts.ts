/**
 * Contract creation with many enumerated outcomes (src/contracts): a finalized offer on a
 * capability of N answers, then each step both traders run: propose, accept (N adaptor
 * signatures), sign (verify N, make N), finalize (verify N, funding), settle. Test wallets sign
 * the funding PSBTs as a user's wallet would.
 *
 *   node bench/contracts.ts              256 answers, best of 3
 *   node bench/contracts.ts --answers 16 --json
 */
import * as contracts from '../src/contracts/index.ts'
import { mineMessageSync } from '../src/protocol/message-pow.ts'
import type { Offer } from '../src/protocol/messages/index.ts'
import { capabilitySigner } from '../src/protocol/oracle-attestation.ts'
import { sign } from '../src/protocol/sign.ts'
import { offerDraft } from '../src/trader/offers.ts'
import { TestWallet } from '../test/contracts/wallet.ts'
import {
  acceptedOffer,
  CAPABILITY,
  capabilityAd,
  factRequest,
  finalizedOffer,
  REPORTER,
  TRADER,
} from '../test/fixtures/messages.ts'

const json = process.argv.includes('--json')
const flag = process.argv.indexOf('--answers')
const N = flag > 0 ? Number(process.argv[flag + 1]) : 256
const answers = Array.from({ length: N }, (_, i) => `a${i}`)
const capability = capabilityAd({ answers })
const oracle = capabilitySigner(capability, CAPABILITY.secretKey)
const commitment = oracle.commit(factRequest(), 1_800_000_000)
const open = mineMessageSync<Offer>(
  sign<Offer>(
    offerDraft(
      {
        capability,
        args: factRequest().args,
        bets: answers.slice(0, N / 2),
        amount: 100_000,
        acceptorAmount: 150_000,
        chain: 'bitcoin',
        contact: 'x',
        expires: 1_900_000_000,
      },
      TRADER,
    ),
    TRADER.secretKey,
  ),
  8,
)
const offer = finalizedOffer(acceptedOffer(open, REPORTER), TRADER)
const alice = new TestWallet(21)
const bob = new TestWallet(22)

function timed<T>(times: Record<string, number>, step: string, work: () => T): T {
  const start = performance.now()
  const result = work()
  times[step] = Math.min(times[step] ?? Number.POSITIVE_INFINITY, performance.now() - start)
  return result
}

const best: Record<string, number> = {}
for (let round = 0; round < 3; round++) {
  const proposed = timed(best, 'propose', () =>
    contracts.propose({
      trader: TRADER,
      offer,
      capability,
      commitment,
      feeRate: 2,
      walletPsbt: alice.fundingPsbt([200_000]),
      payoutAddress: alice.address,
      changeAddress: alice.address,
    }),
  )
  const accepted = timed(best, `accept (${N} adaptor signatures)`, () =>
    contracts.accept({
      proposal: proposed.proposal,
      capability,
      trader: REPORTER,
      walletPsbt: bob.fundingPsbt([200_000]),
      payoutAddress: bob.address,
      changeAddress: bob.address,
    }),
  )
  const unsigned = contracts.sign({ record: proposed, accept: accepted.accept, capability, trader: TRADER })
  if (!('fundingPsbt' in unsigned)) throw new Error('expected a funding PSBT')
  const signed = timed(best, `sign (verify ${N}, make ${N})`, () =>
    contracts.sign({
      record: proposed,
      accept: accepted.accept,
      capability,
      trader: TRADER,
      walletSignedPsbt: alice.sign(unsigned.fundingPsbt),
    }),
  )
  if (!('sign' in signed)) throw new Error('expected a sign message')
  const toSign = contracts.finalize({ record: accepted.record, sign: signed.sign, capability })
  if (!('fundingPsbt' in toSign)) throw new Error('expected a funding PSBT')
  const finalized = timed(best, `finalize (verify ${N}, funding)`, () =>
    contracts.finalize({
      record: accepted.record,
      sign: signed.sign,
      capability,
      walletSignedPsbt: bob.sign(toSign.fundingPsbt),
    }),
  )
  if (!('record' in finalized)) throw new Error('expected the funding transaction')
  const fact = oracle.attest(factRequest(), answers[N - 1]!)
  timed(best, 'settle', () => contracts.settle({ record: finalized.record, fact, trader: REPORTER }))
}

if (json) console.log(JSON.stringify({ answers: N, bestOf: 3, ms: best }))
else {
  console.log(`contract with ${N} enumerated outcomes, best of 3 (${contracts.dlcLibraryVersion()})`)
  for (const [step, ms] of Object.entries(best)) console.log(`  ${step.padEnd(36)} ${ms.toFixed(1)} ms`)
}
