/**
 * A contract from a finalized offer to settlement in process: both sides' steps, every
 * transaction checked by an independent library, and each hostile input refused before anything
 * is signed.
 */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { secp256k1 } from '@noble/curves/secp256k1.js'
import { Transaction } from '@scure/btc-signer'
import * as contracts from '../../../src/contracts/index.ts'
import {
  ContractErrorCode,
  type ContractRecord,
  decryptAdaptorSignature,
  fundingSpendSighash,
  verifyDer,
} from '../../../src/contracts/index.ts'
import { fromHex } from '../../../src/protocol/hex.ts'
import { capabilitySigner } from '../../../src/protocol/oracle-attestation.ts'
import { signAndFund } from '../../support/contracts.ts'
import {
  acceptedOffer,
  CAPABILITY,
  capabilityAd,
  factRequest,
  finalizedOffer,
  offer,
  REPORTER,
  TRADER,
} from '../../support/messages.ts'
import { checkContractFunding, checkFundingSpend, TestWallet, walletSide } from '../../support/wallet.ts'

const DEADLINE = 1_800_000_000
const capability = capabilityAd()
const oracle = capabilitySigner(capability, CAPABILITY.secretKey)
const commitment = oracle.commit(factRequest(), DEADLINE)
const finalized = finalizedOffer(acceptedOffer(offer(TRADER), REPORTER), TRADER)
const originatorWallet = new TestWallet(1)
const acceptorWallet = new TestWallet(2)

function proposeNow(overrides: Partial<contracts.ProposeInput> = {}): ContractRecord {
  return contracts.propose({
    trader: TRADER,
    offer: finalized,
    capability,
    commitment,
    feeRate: 2,
    ...walletSide(originatorWallet, [60_000, 70_000]),
    ...overrides,
  })
}

function acceptNow(proposal: contracts.ContractOffer) {
  return contracts.accept({
    proposal,
    capability,
    trader: REPORTER,
    ...walletSide(acceptorWallet, [200_000]),
  })
}

/** Runs the four steps; returns both records and the funding transaction. */
function signedContract() {
  const proposed = proposeNow()
  const accepted = acceptNow(proposed.proposal)
  return signAndFund(proposed, accepted, { capability, originator: TRADER, originatorWallet, acceptorWallet })
}

describe('contracts: offer to settlement', () => {
  const run = signedContract()

  it('funds a 2-of-2 P2WSH of both funding keys with collateral, CET fee and the wallets’ signed coins', () => {
    assert.ok(run.funding.fundValue > 250_000, 'collateral plus the CET fee')
    assert.ok(run.funding.fundValue < 251_000)
    assert.equal(contracts.contractState(run.acceptor), 'funded')
  })

  it('settles on the attested answer: the winner’s CET, fully signed, paying the pot', () => {
    const fact = oracle.attest(factRequest(), 'home')
    for (const [side, trader] of [
      [run.originator, TRADER],
      [run.acceptor, REPORTER],
    ] as const) {
      const settlement = contracts.settle({ record: side, fact, trader })
      const checked = checkFundingSpend(settlement.tx, run.funding, run.pubkeys)
      assert.deepEqual(
        checked.outputs.map((output) => output.value),
        [250_000],
      )
      assert.deepEqual(checked.outputs[0]!.script, Buffer.from(originatorWallet.script))
      assert.equal(checked.fee + 250_000, run.funding.fundValue, 'payouts + fee = funding output')
    }
  })

  it('pays the acceptor on its answers, and each stake back on an answer neither side bet on', () => {
    const settlement = contracts.settle({
      record: run.acceptor,
      fact: oracle.attest(factRequest(), 'draw'),
      trader: REPORTER,
    })
    const checked = checkFundingSpend(settlement.tx, run.funding, run.pubkeys)
    assert.deepEqual(checked.outputs, [{ script: Buffer.from(acceptorWallet.script), value: 250_000 }])
    const noDraw = { ...finalized, terms: { ...finalized.terms, acceptorBets: ['away'] } }
    assert.deepEqual(contracts.payoutsOf(noDraw, capability), [
      { answer: 'home', originator: 250_000, acceptor: 0 },
      { answer: 'away', originator: 0, acceptor: 250_000 },
      { answer: 'draw', originator: 100_000, acceptor: 150_000 },
    ])
  })

  it('no other answer’s CET can be completed with the fact', () => {
    const fact = oracle.attest(factRequest(), 'home')
    const txs = contracts.transactionsOf(run.originator.proposal, run.originator.accept!.acceptor)
    const acceptorKey = fromHex(run.originator.accept!.acceptor.fundPubkey)
    for (const [index, payout] of run.originator.proposal.payouts!.entries()) {
      const der = decryptAdaptorSignature(run.originator.accept!.cetSignatures[index]!, fact.signature)
      const valid = verifyDer(der, fundingSpendSighash(txs.cets[index]!, txs), acceptorKey)
      assert.equal(valid, payout.answer === 'home', payout.answer)
    }
  })

  it('refunds only from the refund locktime, each stake back', () => {
    const locktime = run.originator.proposal.refundLocktime
    assert.ok(locktime >= DEADLINE + contracts.MIN_REFUND_DELAY)
    assert.throws(
      () => contracts.refund({ record: run.originator, trader: TRADER, now: locktime - 1 }),
      (error) => contracts.isContractError(error, ContractErrorCode.REFUND_TOO_EARLY),
    )
    const refund = contracts.refund({ record: run.acceptor, trader: REPORTER, now: locktime })
    const checked = checkFundingSpend(refund.tx, run.funding, run.pubkeys)
    assert.equal(checked.locktime, locktime)
    assert.ok(checked.sequence < 0xffffffff, 'a final sequence would disable the locktime')
    assert.deepEqual(checked.outputs.map((output) => output.value).sort(), [100_000, 150_000])
  })

  it('names the CETs an equivocating oracle lets the counterparty publish', () => {
    const facts = [oracle.attest(factRequest(), 'home'), oracle.attest(factRequest(), 'away')]
    const found = contracts.equivocation(run.originator, facts)
    assert.ok(found)
    assert.equal(
      secp256k1.getPublicKey(fromHex(found.leakedKey), true).subarray(1).toString(),
      fromHex(CAPABILITY.publicKey).toString(),
    )
    assert.deepEqual(
      found.counterpartyCanPublish.map((entry) => entry.answer),
      ['away', 'draw'],
    )
    assert.equal(contracts.equivocation(run.originator, [facts[0]!]), undefined)
  })
})

describe('contracts: Taproot coins', () => {
  it('funds from P2TR coins spent by their key path; the wallets find their keys in the funding PSBT', () => {
    const taprootAlice = new TestWallet(31, 'mainnet', 'tr')
    const taprootBob = new TestWallet(32, 'mainnet', 'tr')
    const proposed = proposeNow({ walletPsbt: taprootAlice.fundingPsbt([120_000]) })
    const accepted = contracts.accept({
      proposal: proposed.proposal,
      capability,
      trader: REPORTER,
      walletPsbt: taprootBob.fundingPsbt([100_000, 60_000]),
      payoutAddress: taprootBob.address,
      changeAddress: acceptorWallet.address,
    })
    const needs = contracts.sign({ record: proposed, accept: accepted.accept, capability, trader: TRADER })
    assert.ok('fundingPsbt' in needs)
    const signed = contracts.sign({
      record: proposed,
      accept: accepted.accept,
      capability,
      trader: TRADER,
      walletSignedPsbt: taprootAlice.sign(needs.fundingPsbt),
    })
    assert.ok('sign' in signed)
    const sent = Transaction.fromPSBT(Buffer.from(signed.sign.fundingPsbt, 'base64'))
    for (let index = 0; index < sent.inputsLength; index++) {
      assert.equal(sent.getInput(index).tapInternalKey, undefined, 'key origins stay with their wallet')
    }
    const toSign = contracts.finalize({ record: accepted.record, sign: signed.sign, capability })
    assert.ok('fundingPsbt' in toSign)
    const done = contracts.finalize({
      record: accepted.record,
      sign: signed.sign,
      capability,
      walletSignedPsbt: taprootBob.sign(toSign.fundingPsbt),
    })
    assert.ok('fundingTx' in done)
    const { funding, pubkeys } = checkContractFunding(
      done.fundingTx,
      proposed.proposal.originator,
      accepted.accept.acceptor,
    )
    const settlement = contracts.settle({
      record: done.record,
      fact: oracle.attest(factRequest(), 'away'),
      trader: REPORTER,
    })
    const cet = checkFundingSpend(settlement.tx, funding, pubkeys)
    assert.deepEqual(cet.outputs, [{ script: Buffer.from(taprootBob.script), value: 250_000 }])
  })
})

function refused(code: string, work: () => unknown) {
  assert.throws(
    work,
    (error) => contracts.isContractError(error, code as never) || assert.fail(`${code}: got ${error}`),
  )
}

describe('contracts: hostile inputs are refused before anything is signed', () => {
  const proposed = proposeNow()

  it('a wrong adaptor signature of the counterparty', () => {
    const accepted = acceptNow(proposed.proposal)
    const swapped = [...accepted.accept.cetSignatures]
    ;[swapped[0], swapped[1]] = [swapped[1]!, swapped[0]!]
    refused(ContractErrorCode.SIGNATURE_INVALID, () =>
      contracts.sign({
        record: proposed,
        accept: { ...accepted.accept, cetSignatures: swapped },
        capability,
        trader: TRADER,
      }),
    )
  })

  it('a wrong adaptor signature or unsigned coins of the originator, at the acceptor', () => {
    const accepted = acceptNow(proposed.proposal)
    const needs = contracts.sign({ record: proposed, accept: accepted.accept, capability, trader: TRADER })
    assert.ok('fundingPsbt' in needs)
    const signed = contracts.sign({
      record: proposed,
      accept: accepted.accept,
      capability,
      trader: TRADER,
      walletSignedPsbt: originatorWallet.sign(needs.fundingPsbt),
    })
    assert.ok('sign' in signed)
    const cetSignatures = [...signed.sign.cetSignatures].reverse()
    refused(ContractErrorCode.SIGNATURE_INVALID, () =>
      contracts.finalize({ record: accepted.record, sign: { ...signed.sign, cetSignatures }, capability }),
    )
    refused(ContractErrorCode.SIGNATURE_INVALID, () =>
      contracts.finalize({
        record: accepted.record,
        sign: { ...signed.sign, fundingPsbt: needs.fundingPsbt },
        capability,
      }),
    )
    refused(ContractErrorCode.FUNDING_INVALID, () =>
      contracts.finalize({
        record: accepted.record,
        sign: signed.sign,
        capability,
        walletSignedPsbt: acceptorWallet.sign(acceptorWallet.fundingPsbt([1_000])),
      }),
    )
  })

  it('a wrong refund signature', () => {
    const accepted = acceptNow(proposed.proposal)
    const other = acceptNow(proposed.proposal)
    refused(ContractErrorCode.SIGNATURE_INVALID, () =>
      contracts.sign({
        record: proposed,
        accept: { ...accepted.accept, refundSignature: other.accept.refundSignature },
        capability,
        trader: TRADER,
      }),
    )
  })

  it('payouts that do not follow from the offer', () => {
    const payouts = proposed.proposal.payouts!.map((payout) =>
      payout.answer === 'draw' ? { ...payout, originator: 200_000, acceptor: 50_000 } : payout,
    )
    refused(ContractErrorCode.TERMS_MISMATCH, () => acceptNow({ ...proposed.proposal, payouts }))
  })

  it('a commitment for another question', () => {
    const other = oracle.commit(
      { ...factRequest(), args: { home: 'CHE', away: 'ARS', date: '2026-11-21' } },
      DEADLINE,
    )
    const nonce = other.attestation.type === 'schnorr' ? other.attestation.nonce : ''
    // The announced R is the other commitment's too: only the question tells them apart.
    refused(ContractErrorCode.COMMITMENT_INVALID, () =>
      acceptNow({
        ...proposed.proposal,
        commitment: other,
        oracle: { ...(proposed.proposal.oracle as { publicKey: string }), nonce },
      }),
    )
  })

  it('an R that is not the commitment’s', () => {
    const other = oracle.commit(
      { ...factRequest(), args: { home: 'CHE', away: 'ARS', date: '2026-11-21' } },
      DEADLINE,
    )
    const nonce = other.attestation.type === 'schnorr' ? other.attestation.nonce : ''
    refused(ContractErrorCode.COMMITMENT_INVALID, () =>
      acceptNow({
        ...proposed.proposal,
        oracle: { ...(proposed.proposal.oracle as { publicKey: string }), nonce },
      }),
    )
  })

  it('a commitment whose R was altered (signature breaks)', () => {
    const altered = { ...commitment, attestation: { type: 'schnorr' as const, nonce: '11'.repeat(32) } }
    refused(ContractErrorCode.COMMITMENT_INVALID, () =>
      acceptNow({ ...proposed.proposal, commitment: altered }),
    )
  })

  it('a refund further after the deadline than the acceptor waits', () => {
    const late = { ...proposed.proposal, refundLocktime: DEADLINE + 60 * 86_400 }
    refused(ContractErrorCode.TERMS_MISMATCH, () => acceptNow(late))
    assert.ok(
      contracts.accept({
        proposal: late,
        capability,
        trader: REPORTER,
        ...walletSide(acceptorWallet, [200_000]),
        maxRefundDelay: 90 * 86_400,
      }).accept,
    )
  })

  it('a fee rate above what the acceptor pays', () => {
    const greedy = proposeNow({ feeRate: 500, walletPsbt: originatorWallet.fundingPsbt([400_000]) })
    refused(ContractErrorCode.TERMS_MISMATCH, () => acceptNow(greedy.proposal))
    assert.ok(
      contracts.accept({
        proposal: greedy.proposal,
        capability,
        trader: REPORTER,
        ...walletSide(acceptorWallet, [400_000]),
        maxFeeRate: 500,
      }).accept,
    )
  })

  it('a refund before the deadline', () => {
    refused(ContractErrorCode.TERMS_MISMATCH, () =>
      acceptNow({ ...proposed.proposal, refundLocktime: DEADLINE }),
    )
  })

  it('an acceptor who is not the offer’s', () => {
    refused(ContractErrorCode.TERMS_MISMATCH, () =>
      contracts.accept({
        proposal: proposed.proposal,
        capability,
        trader: TRADER,
        ...walletSide(acceptorWallet, [200_000]),
      }),
    )
  })

  it('an address of another network', () => {
    refused(ContractErrorCode.ADDRESS_INVALID, () =>
      proposeNow({ payoutAddress: new TestWallet(1, 'regtest').address }),
    )
  })

  it('a fact of another answer’s signature', () => {
    const run = signedContract()
    const home = oracle.attest(factRequest(), 'home')
    const forged = { ...oracle.attest(factRequest(), 'away'), signature: home.signature }
    refused(ContractErrorCode.FACT_INVALID, () =>
      contracts.settle({ record: run.originator, fact: forged, trader: TRADER }),
    )
  })

  it('an originator whose funding PSBT is not signed', () => {
    const accepted = acceptNow(proposed.proposal)
    const needs = contracts.sign({ record: proposed, accept: accepted.accept, capability, trader: TRADER })
    assert.ok('fundingPsbt' in needs)
    refused(ContractErrorCode.FUNDING_INVALID, () =>
      contracts.sign({
        record: proposed,
        accept: accepted.accept,
        capability,
        trader: TRADER,
        walletSignedPsbt: needs.fundingPsbt,
      }),
    )
  })
})
