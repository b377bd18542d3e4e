/**
 * Contract creation with many enumerated outcomes (src/contracts): a finalized offer on a
 * capability of N answers, then each step both traders run: propose, accept (N adaptor
 * signatures), sign (verify N, make N), finalize (verify N, funding), settle. Test wallets sign
 * the funding PSBTs as a user's wallet would.
 *
 * Each step also writes and reads the acceptor's message in dlcspecs' form (accept_dlc).
 *
 * Then a numeric contract on a `schnorr-digits` answer of D digits (default 20): a CFD from
 * 40 000 to 60 000 over a 1 000 000 sat pot, payouts rounded to 10 000 sat (100 steps): the
 * CETs of its digit prefixes, their transactions, adaptor signatures, verification, settlement.
 *
 * Then the CFD of docs/contracts.md's tutorial (20 digits, 2 500 sat steps) as a finalized
 * curve offer through the same five steps: what `mega trader contract` does for it.
 *
 * Last, quorum contracts: 2 of 3 and 3 of 5 oracles answering home/away/draw, one adaptor
 * signature per way k requests agree (9 and 30): the signatures made and verified alone, then
 * both traders' steps.
 *
 *   node bench/contracts.ts              256 answers, 20 digits, best of 3
 *   node bench/contracts.ts --answers 16 --digits 12 --json
 */

import { adaptorSign, firstBadQuorumSignature } from '../src/contracts/dlc.ts'
import * as contracts from '../src/contracts/index.ts'
import { fundingKey } from '../src/contracts/index.ts'
import { mineMessageSync } from '../src/protocol/message-pow.ts'
import type { Fact, Offer, OracleCapability } from '../src/protocol/messages/index.ts'
import { capabilitySigner } from '../src/protocol/oracle-attestation.ts'
import { sign } from '../src/protocol/sign.ts'
import { offerDraft } from '../src/trader/offers.ts'
import {
  acceptedOffer,
  CAPABILITY,
  capabilityAd,
  factRequest,
  finalizedOffer,
  REPORTER,
  TRADER,
  testKey,
} from '../test/support/messages.ts'
import { offer as quorumOffer } from '../test/support/quorum.ts'
import { dlcParty, TestWallet, walletSide } from '../test/support/wallet.ts'

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

/** The five steps of both traders on a finalized offer, best of 3 into `times`; `n` names the CET count. */
function contractSteps(
  times: Record<string, number>,
  input: {
    offer: Offer
    capability: typeof capability
    commitment: typeof commitment
    fact: () => Fact
    n: number | string
  },
): void {
  const { offer, commitment, n } = input
  const ad = input.capability
  for (let round = 0; round < 3; round++) {
    const proposed = timed(times, 'propose', () =>
      contracts.propose({
        trader: TRADER,
        offer,
        capability: ad,
        commitment,
        feeRate: 2,
        ...walletSide(alice, [200_000], { previous: true }),
      }),
    )
    const accepted = timed(times, `accept (${n} adaptor signatures)`, () =>
      contracts.accept({
        proposal: proposed.proposal,
        capability: ad,
        trader: REPORTER,
        ...walletSide(bob, [200_000], { previous: true }),
      }),
    )
    const acceptHex = timed(times, 'export accept_dlc (dlcspecs)', () =>
      contracts.exportAcceptDlc(accepted.record),
    )
    timed(times, 'import accept_dlc (dlcspecs)', () => contracts.importDlcspecs(acceptHex, proposed))
    const unsigned = contracts.sign({
      record: proposed,
      accept: accepted.accept,
      capability: ad,
      trader: TRADER,
    })
    if (!('fundingPsbt' in unsigned)) throw new Error('expected a funding PSBT')
    const signed = timed(times, `sign (verify ${n}, make ${n})`, () =>
      contracts.sign({
        record: proposed,
        accept: accepted.accept,
        capability: ad,
        trader: TRADER,
        walletSignedPsbt: alice.sign(unsigned.fundingPsbt),
      }),
    )
    if (!('sign' in signed)) throw new Error('expected a sign message')
    const toSign = contracts.finalize({ record: accepted.record, sign: signed.sign, capability: ad })
    if (!('fundingPsbt' in toSign)) throw new Error('expected a funding PSBT')
    const finalized = timed(times, `finalize (verify ${n}, funding)`, () =>
      contracts.finalize({
        record: accepted.record,
        sign: signed.sign,
        capability: ad,
        walletSignedPsbt: bob.sign(toSign.fundingPsbt),
      }),
    )
    if (!('record' in finalized)) throw new Error('expected the funding transaction')
    const fact = input.fact()
    timed(times, 'settle', () => contracts.settle({ record: finalized.record, fact, trader: REPORTER }))
  }
}

const best: Record<string, number> = {}
contractSteps(best, {
  offer,
  capability,
  commitment,
  fact: () => oracle.attest(factRequest(), answers[N - 1]!),
  n: N,
})

const digitsFlag = process.argv.indexOf('--digits')
const D = digitsFlag > 0 ? Number(process.argv[digitsFlag + 1]) : 20
const numericCapability = capabilityAd({ attestation: 'schnorr-digits', digits: D, answers: [] })
const numericOracle = capabilitySigner(numericCapability, CAPABILITY.secretKey)
const numericCommitment = numericOracle.commit(factRequest(), 1_800_000_000)
const scale = 2 ** D / 2 ** 20
const curve = contracts.cfdCurve({
  digits: D,
  total: 1_000_000,
  floor: Math.floor(40_000 * scale),
  cap: Math.floor(60_000 * scale),
  rounding: 10_000,
})
const originatorKey = fundingKey(TRADER.secretKey, '01'.repeat(32), '02'.repeat(32), 'originator')
const acceptorKey = fundingKey(REPORTER.secretKey, '01'.repeat(32), '02'.repeat(32), 'acceptor')
const stake = { collateral: 500_000n, amount: 2_000_000n }
const numeric: Record<string, number> = {}
let cetCount = 0
for (let round = 0; round < 3; round++) {
  const plan = timed(numeric, 'plan (CETs, digit messages, adaptor points)', () =>
    contracts.planNumericContract(numericCapability, numericCommitment, curve),
  )
  cetCount = plan.cets.length
  const txs = timed(numeric, 'transactions (funding, CETs, refund)', () =>
    contracts.numericTransactions(plan, {
      originator: dlcParty(originatorKey.pubkey, alice, { serial: 10n, txidByte: 'aa', ...stake }),
      acceptor: dlcParty(acceptorKey.pubkey, bob, { serial: 20n, txidByte: 'bb', ...stake }),
      refundLocktime: 1_800_604_800,
      feeRate: 2n,
      fundOutputSerialId: 5n,
    }),
  )
  const signatures = timed(numeric, `adaptor signatures (${cetCount})`, () =>
    contracts.signNumericCets(plan, txs, acceptorKey.secret),
  )
  timed(numeric, `verify adaptor signatures (${cetCount})`, () =>
    contracts.checkNumericSignatures(plan, txs, signatures, acceptorKey.pubkey),
  )
  const fact = numericOracle.attest(factRequest(), String(Math.floor(50_000 * scale)))
  timed(numeric, 'settle (verify fact, decrypt, sign)', () =>
    contracts.settleNumeric({
      plan,
      txs,
      fact,
      counterparty: { pubkey: acceptorKey.pubkey, cetSignatures: signatures },
      own: { pubkey: originatorKey.pubkey, secret: originatorKey.secret },
    }),
  )
}

// The tutorial's CFD as a finalized curve offer through the same five steps.
const tutorialCapability = capabilityAd({ attestation: 'schnorr-digits', digits: 20, answers: [] })
const tutorialOracle = capabilitySigner(tutorialCapability, CAPABILITY.secretKey)
const cfd = contracts.cfdCurve({ digits: 20, total: 250_000, floor: 40_000, cap: 45_000, rounding: 2_500 })
const curveOffer = finalizedOffer(
  acceptedOffer(
    mineMessageSync<Offer>(
      sign<Offer>(
        offerDraft(
          {
            capability: tutorialCapability,
            args: factRequest().args,
            bets: [],
            curve: { digits: 20, rounding: cfd.rounding, points: cfd.points },
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
    ),
    REPORTER,
  ),
  TRADER,
)
const curveCets = contracts.numericCets(cfd).length
const fromOffer: Record<string, number> = {}
contractSteps(fromOffer, {
  offer: curveOffer,
  capability: tutorialCapability,
  commitment: tutorialOracle.commit(factRequest(), 1_800_000_000),
  fact: () => tutorialOracle.attest(factRequest(), '41250'),
  n: curveCets,
})

/** A k-of-n contract on n oracles answering home/away/draw: its signatures alone, then both sides' steps. */
function quorumBench(
  k: number,
  n: number,
  /** Further answers of each oracle merged into "home" by a synonym: the combinations multiply. */
  merged = 0,
): { combinations: number; ms: Record<string, number> } {
  const keys = [2, 6, 9, 12, 13].slice(0, n).map((seed) => testKey('bip340', seed))
  const extra = Array.from({ length: merged }, (_, i) => `home${i}`)
  const answers = ['home', 'away', 'draw', ...extra]
  const ads: OracleCapability[] = keys.map((key, j) =>
    capabilityAd({ answers }, testKey('ed25519', 30 + j), key),
  )
  const requests = keys.map((key) => factRequest(key))
  const signers = ads.map((ad, j) => capabilitySigner(ad, keys[j]!.secretKey))
  const commitments = signers.map((signer, j) => signer.commit(requests[j]!, 1_800_000_000))
  const open = quorumOffer(
    TRADER,
    {
      capability: ads[0]!,
      quorum: requests.slice(1),
      threshold: k,
      amount: 100_000,
      acceptorAmount: 150_000,
    },
    {
      chain: 'bitcoin',
      ...(merged > 0 && { synonyms: [{ answer: 'home', synonyms: extra }], acceptorBets: ['away', 'draw'] }),
    },
  )
  const finalized = finalizedOffer(acceptedOffer(open, REPORTER), TRADER)
  const times: Record<string, number> = {}
  let combinations = 0
  for (let round = 0; round < 3; round++) {
    const proposed = timed(times, 'propose', () =>
      contracts.propose({
        trader: TRADER,
        offer: finalized,
        capability: ads[0]!,
        capabilities: ads,
        commitments,
        feeRate: 2,
        ...walletSide(alice, [200_000]),
      }),
    )
    const accepted = timed(times, 'accept (points, adaptor signatures)', () =>
      contracts.accept({
        proposal: proposed.proposal,
        capability: ads[0]!,
        capabilities: ads,
        trader: REPORTER,
        ...walletSide(bob, [200_000]),
      }),
    )
    combinations = accepted.accept.cetSignatures.length
    const terms = contracts.checkTerms(proposed.proposal, ads[0]!, () => 'bitcoin', ads)
    const txs = contracts.transactionsOf(proposed.proposal, accepted.accept.acceptor)
    const points = terms.points
    const cetOf = terms.quorum!.checks.map((check) => check.cet)
    const secret = contracts.keyOf({ proposal: proposed.proposal, role: 'acceptor' }, REPORTER).secret
    timed(times, `adaptor signatures made (${combinations})`, () => adaptorSign(txs, points, secret, cetOf))
    const pubkey = Uint8Array.from(Buffer.from(accepted.accept.acceptor.fundPubkey, 'hex'))
    timed(times, `adaptor signatures verified (${combinations})`, () => {
      if (firstBadQuorumSignature(txs, accepted.accept.cetSignatures, terms.quorum!.checks, pubkey) !== -1)
        throw new Error('a signature does not verify')
    })
    const common = { record: proposed, accept: accepted.accept, capability: ads[0]!, capabilities: ads }
    const unsigned = contracts.sign({ ...common, trader: TRADER })
    if (!('fundingPsbt' in unsigned)) throw new Error('expected a funding PSBT')
    const signed = timed(times, 'sign (verify, make)', () =>
      contracts.sign({ ...common, trader: TRADER, walletSignedPsbt: alice.sign(unsigned.fundingPsbt) }),
    )
    if (!('sign' in signed)) throw new Error('expected a sign message')
    const base = { record: accepted.record, sign: signed.sign, capability: ads[0]!, capabilities: ads }
    const toSign = contracts.finalize(base)
    if (!('fundingPsbt' in toSign)) throw new Error('expected a funding PSBT')
    const finalizedRecord = timed(times, 'finalize (verify, funding)', () =>
      contracts.finalize({ ...base, walletSignedPsbt: bob.sign(toSign.fundingPsbt) }),
    )
    if (!('record' in finalizedRecord)) throw new Error('expected the funding transaction')
    const facts = signers.map((signer, j) => signer.attest(requests[j]!, j === 0 ? 'away' : 'home'))
    timed(times, 'settle (k agreeing of n facts)', () =>
      contracts.settle({ record: finalizedRecord.record, facts, capabilities: ads, trader: REPORTER }),
    )
  }
  return { combinations, ms: times }
}

const quorums = {
  '2 of 3': quorumBench(2, 3),
  '3 of 5': quorumBench(3, 5),
  // 36 answers for home per oracle: 3·36² + 6 = 3 894 signatures, near the cap (37 would be 4 113).
  '2 of 3, 36 answers meaning home': quorumBench(2, 3, 35),
}

if (json) {
  console.log(
    JSON.stringify({
      enumerated: { answers: N, bestOf: 3, ms: best },
      numeric: { digits: D, cets: cetCount, bestOf: 3, ms: numeric },
      curveOffer: { digits: 20, cets: curveCets, bestOf: 3, ms: fromOffer },
      quorum: quorums,
    }),
  )
} else {
  console.log(`contract with ${N} enumerated outcomes, best of 3 (${contracts.dlcLibraryVersion()})`)
  for (const [step, ms] of Object.entries(best)) console.log(`  ${step.padEnd(44)} ${ms.toFixed(1)} ms`)
  console.log(
    `numeric contract, ${D} digits (${2 ** D} values): ${cetCount} CETs, best of 3, one side's work`,
  )
  for (const [step, ms] of Object.entries(numeric)) console.log(`  ${step.padEnd(44)} ${ms.toFixed(1)} ms`)
  console.log(
    `the tutorial's CFD from a finalized curve offer, 20 digits: ${curveCets} CETs, best of 3, both sides`,
  )
  for (const [step, ms] of Object.entries(fromOffer)) console.log(`  ${step.padEnd(44)} ${ms.toFixed(1)} ms`)
  for (const [name, result] of Object.entries(quorums)) {
    console.log(
      `quorum contract, ${name}: ${result.combinations} adaptor signatures a side, best of 3, both sides`,
    )
    for (const [step, ms] of Object.entries(result.ms))
      console.log(`  ${step.padEnd(44)} ${ms.toFixed(1)} ms`)
  }
}
