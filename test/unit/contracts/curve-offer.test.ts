/**
 * Offers with a payout curve over a numeric answer: the offer rule (every broken rule named by
 * its path, old offers unchanged), matching of mirror curves, and a contract from a finalized
 * curve offer through propose, accept, sign, finalize and settle, every transaction checked by
 * an independent library.
 */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import * as contracts from '../../../src/contracts/index.ts'
import { ContractErrorCode } from '../../../src/contracts/index.ts'
import { Mempool } from '../../../src/mempool/mempool.ts'
import { admitValue } from '../../../src/mempool/pipeline.ts'
import { fromHex } from '../../../src/protocol/hex.ts'
import type { OfferCurve, OfferTerms } from '../../../src/protocol/messages/index.ts'
import { CURVE_STEPS, curveCapabilityProblem } from '../../../src/protocol/offer-curve.ts'
import { capabilitySigner } from '../../../src/protocol/oracle-attestation.ts'
import { checkMessageRules } from '../../../src/protocol/rules.ts'
import { validateMessage } from '../../../src/protocol/validate.ts'
import { TraderError } from '../../../src/trader/errors.ts'
import { complement } from '../../../src/trader/matching.ts'
import { offerDraft } from '../../../src/trader/offers.ts'
import {
  acceptedOffer,
  CAPABILITY,
  capabilityAd,
  factRequest,
  finalizedOffer,
  offer,
  oracleAd,
  REPORTER,
  TRADER,
} from '../../support/messages.ts'
import { LOW, NOW } from '../../support/pool-settings.ts'
import { checkFunding, checkFundingSpend, TestWallet, walletSide } from '../../support/wallet.ts'

const DIGITS = 10
const MAX = 2 ** DIGITS - 1
/** Long from 300 to 700: the originator stakes 80 000, the acceptor 120 000. */
const CURVE: OfferCurve = {
  digits: DIGITS,
  rounding: 10_000,
  points: [
    { value: 0, originator: 0 },
    { value: 300, originator: 0 },
    { value: 700, originator: 200_000 },
    { value: MAX, originator: 200_000 },
  ],
}
const CURVE_TERMS: Partial<OfferTerms> = {
  originatorBets: [],
  acceptorBets: [],
  curve: CURVE,
  originatorAmount: 80_000,
  acceptorAmount: 120_000,
  chain: 'bitcoin',
}
const numeric = capabilityAd({ attestation: 'schnorr-digits', digits: DIGITS, answers: [] })

/** The offer rule's verdict: undefined when valid, else the path it names. */
function verdict(terms: Partial<OfferTerms>): string | undefined {
  const made = offer(TRADER, 8, terms)
  const schema = validateMessage(made, 'offer')
  if (!schema.ok) return `schema ${schema.error.details.path}`
  const rules = checkMessageRules(made)
  return rules.ok ? undefined : `${rules.error.code} ${rules.error.details.path}`
}

describe('offers with a payout curve: the offer rule', () => {
  it('admits a curve offer and every bets offer as before', () => {
    assert.equal(verdict(CURVE_TERMS), undefined)
    assert.equal(verdict({}), undefined)
  })

  it('names each broken rule, in order', () => {
    const points = (list: Array<[number, number]>) => ({
      ...CURVE_TERMS,
      curve: { ...CURVE, points: list.map(([value, originator]) => ({ value, originator })) },
    })
    const cases: Array<[Partial<OfferTerms>, string]> = [
      [{ originatorBets: [] }, 'SCHEMA_VIOLATION /terms/originatorBets'],
      [{ acceptorBets: [] }, 'SCHEMA_VIOLATION /terms/acceptorBets'],
      [{ ...CURVE_TERMS, originatorBets: ['1'] }, 'SCHEMA_VIOLATION /terms/originatorBets'],
      [{ ...CURVE_TERMS, synonyms: [{ answer: '1', synonyms: ['2'] }] }, 'SCHEMA_VIOLATION /terms/synonyms'],
      [{ ...CURVE_TERMS, threshold: 1 }, 'SCHEMA_VIOLATION /terms/threshold'],
      [{ ...CURVE_TERMS, originatorAmount: 0, acceptorAmount: 0 }, 'SCHEMA_VIOLATION /terms/acceptorAmount'],
      [
        points([
          [1, 0],
          [MAX, 200_000],
        ]),
        'SCHEMA_VIOLATION /terms/curve/points/0/value',
      ],
      [
        points([
          [0, 0],
          [500, 1],
          [500, 200_000],
          [MAX, 1],
        ]),
        'SCHEMA_VIOLATION /terms/curve/points/2/value',
      ],
      [
        points([
          [0, 0],
          [MAX + 1, 200_000],
        ]),
        'SCHEMA_VIOLATION /terms/curve/points/1/value',
      ],
      [
        points([
          [0, 0],
          [MAX - 1, 200_000],
        ]),
        'SCHEMA_VIOLATION /terms/curve/points/1/value',
      ],
      [
        points([
          [0, 0],
          [MAX, 200_001],
        ]),
        'SCHEMA_VIOLATION /terms/curve/points/1/originator',
      ],
      [{ ...CURVE_TERMS, curve: { ...CURVE, rounding: 200_001 } }, 'SCHEMA_VIOLATION /terms/curve/rounding'],
      [
        points([
          [0, 7],
          [MAX, 7],
        ]),
        'SCHEMA_VIOLATION /terms/curve/points',
      ],
      [{ ...CURVE_TERMS, curve: { ...CURVE, rounding: 1 } }, 'SCHEMA_VIOLATION /terms/curve/points'],
      [
        { ...CURVE_TERMS, curve: { ...CURVE, points: CURVE.points.slice(0, 1) } },
        'schema /terms/curve/points',
      ],
    ]
    for (const [terms, expected] of cases) assert.equal(verdict(terms), expected, expected)
  })

  it(`bounds the payout's movement at ${CURVE_STEPS} rounding steps`, () => {
    const steps = (rounding: number) => verdict({ ...CURVE_TERMS, curve: { ...CURVE, rounding } })
    assert.equal(steps(200), undefined, '200 000 / 200 = 1 000 steps')
    assert.equal(steps(199), 'SCHEMA_VIOLATION /terms/curve/points')
  })

  it('fits the capability: a curve on a numeric capability of its digits, bets on any other', () => {
    const terms = offer(TRADER, 8, CURVE_TERMS).terms
    assert.equal(curveCapabilityProblem(terms, numeric), undefined)
    assert.equal(curveCapabilityProblem(terms, capabilityAd())?.path, '/terms/curve')
    assert.equal(curveCapabilityProblem(offer().terms, numeric)?.path, '/terms/curve')
    const wider = capabilityAd({ attestation: 'schnorr-digits', digits: DIGITS + 1, answers: [] })
    assert.equal(curveCapabilityProblem(terms, wider)?.path, '/terms/curve/digits')
  })

  it('is applied by nodes at admission: a curve only on the numeric capability it fits', () => {
    const admitted = (capability: typeof numeric, terms: Partial<OfferTerms>) => {
      const pool = new Mempool({ minBits: LOW }, { now: () => NOW })
      for (const ad of [oracleAd(), capability]) assert.equal(admitValue(pool, ad).admission.status, 'added')
      const { admission } = admitValue(pool, offer(TRADER, 8, terms))
      return admission.status === 'added' ? 'added' : `${admission.reason?.code} ${admission.reason?.path}`
    }
    assert.equal(admitted(numeric, CURVE_TERMS), 'added')
    assert.equal(admitted(capabilityAd(), CURVE_TERMS), 'OFFER_TERMS /terms/curve')
    const wider = capabilityAd({ attestation: 'schnorr-digits', digits: DIGITS + 1, answers: [] })
    assert.equal(admitted(wider, CURVE_TERMS), 'OFFER_TERMS /terms/curve/digits')
    assert.equal(admitted(numeric, {}), 'OFFER_TERMS /terms/curve')
  })
})

describe('offers with a payout curve: drafting', () => {
  const draft = (curve: OfferCurve, capability = numeric) =>
    offerDraft(
      {
        capability,
        args: factRequest().args,
        bets: [],
        curve,
        amount: 500,
        acceptorAmount: 500,
        chain: 'bitcoin',
        contact: 'x',
        expires: 1_900_000_000,
      },
      TRADER,
    )

  it('drafts a curve offer with no bets, and refuses one on a capability it does not fit', () => {
    const terms = draft({
      ...CURVE,
      rounding: 100,
      points: CURVE.points.map((p) => ({ ...p, originator: p.originator / 200 })),
    }).terms
    assert.deepEqual([terms.originatorBets, terms.acceptorBets], [[], []])
    assert.equal(terms.curve?.digits, DIGITS)
    assert.throws(
      () => draft(CURVE, capabilityAd()),
      (error) => error instanceof TraderError && /\/terms\/curve/.test(error.message),
    )
  })

  it('refuses, before any work, a curve within the step bound that needs more CETs than a contract takes', () => {
    const wide = capabilityAd({ attestation: 'schnorr-digits', digits: 32, answers: [] })
    // 1 000 one-satoshi steps spread over 2^32 values: every step lands off a block boundary.
    const curve = {
      digits: 32,
      rounding: 1,
      points: [
        { value: 0, originator: 0 },
        { value: 2 ** 32 - 1, originator: 1_000 },
      ],
    }
    assert.equal(verdict({ ...CURVE_TERMS, originatorAmount: 500, acceptorAmount: 500, curve }), undefined)
    assert.throws(
      () => draft(curve, wide),
      (error) =>
        error instanceof TraderError &&
        new RegExp(`more than a contract takes \\(${contracts.MAX_CETS}\\)`).test(error.message),
    )
  })
})

describe('offers with a payout curve: matching', () => {
  const mine = offer(TRADER, 8, CURVE_TERMS).terms
  /** The mirror: short, staking 120 000 against 80 000, paid 200 000 minus ours. */
  const mirror: OfferTerms = {
    ...offer(REPORTER, 8, {
      ...CURVE_TERMS,
      originatorAmount: 120_000,
      acceptorAmount: 80_000,
      curve: {
        ...CURVE,
        points: CURVE.points.map((point) => ({ ...point, originator: 200_000 - point.originator })),
      },
    }).terms,
  }

  it('pairs a mirror curve, and one paying us more', () => {
    const exact = complement(mine, mirror)
    assert.ok(exact.ok)
    assert.equal(exact.oddsRatio, 1)
    assert.equal(exact.fill, 1)
    // Their short side ends at 650 instead of 700: we get everything from 650 on.
    const generous = structuredClone(mirror)
    generous.curve!.points[2]!.value = 650
    assert.ok(complement(mine, generous).ok)
  })

  it('refuses a curve paying us less somewhere, of other digits or rounding, or against bets', () => {
    const stingy = structuredClone(mirror)
    stingy.curve!.points[1]!.value = 350
    assert.deepEqual(complement(mine, stingy), { ok: false, reason: 'it pays us less at 350' })
    const coarser = structuredClone(mirror)
    coarser.curve!.rounding = 20_000
    assert.equal(complement(mine, coarser).ok, false)
    const bets = offer(REPORTER, 8, { chain: 'bitcoin' }).terms
    assert.deepEqual(complement(mine, bets), { ok: false, reason: 'a payout curve against bets on answers' })
  })
})

describe('contracts from a curve offer', () => {
  const oracle = capabilitySigner(numeric, CAPABILITY.secretKey)
  const commitment = oracle.commit(factRequest(), 1_800_000_000)
  const finalized = finalizedOffer(
    acceptedOffer(offer(TRADER, 8, { ...CURVE_TERMS, chain: 'bitcoin-regtest' }), REPORTER),
    TRADER,
  )
  const alice = new TestWallet(41, 'regtest')
  const bob = new TestWallet(42, 'regtest')
  const proposed = contracts.propose({
    trader: TRADER,
    offer: finalized,
    capability: numeric,
    commitment,
    feeRate: 2,
    ...walletSide(alice, [90_000]),
  })
  const acceptNow = (proposal: contracts.ContractOffer) =>
    contracts.accept({
      proposal,
      capability: numeric,
      trader: REPORTER,
      ...walletSide(bob, [130_000]),
    })

  it('carries the curve and the digit nonces; both sides sign every CET, fund, and settle on the value', () => {
    assert.deepEqual(proposed.proposal.curve, { ...CURVE, total: 200_000 })
    assert.equal(proposed.proposal.payouts, undefined)
    const accepted = acceptNow(proposed.proposal)
    const cets = contracts.cetsOf(proposed.proposal)
    assert.equal(accepted.accept.cetSignatures.length, cets.length)
    const toSign = contracts.sign({
      record: proposed,
      accept: accepted.accept,
      capability: numeric,
      trader: TRADER,
    })
    assert.ok('fundingPsbt' in toSign && !('sign' in toSign))
    const signed = contracts.sign({
      record: proposed,
      accept: accepted.accept,
      capability: numeric,
      trader: TRADER,
      walletSignedPsbt: alice.sign(toSign.fundingPsbt),
    })
    assert.ok('sign' in signed)
    const toFinalize = contracts.finalize({ record: accepted.record, sign: signed.sign, capability: numeric })
    assert.ok('fundingPsbt' in toFinalize)
    const done = contracts.finalize({
      record: accepted.record,
      sign: signed.sign,
      capability: numeric,
      walletSignedPsbt: bob.sign(toFinalize.fundingPsbt),
    })
    assert.ok('fundingTx' in done)
    const pubkeys: [Uint8Array, Uint8Array] = [
      fromHex(proposed.proposal.originator.fundPubkey),
      fromHex(accepted.accept.acceptor.fundPubkey),
    ]
    const coins = [...proposed.proposal.originator.inputs, ...accepted.accept.acceptor.inputs].map(
      (coin) => ({
        ...coin,
        script: fromHex(coin.script),
      }),
    )
    const funding = checkFunding(done.fundingTx, coins, pubkeys)
    // 450: (450 − 300) / 400 of 200 000 = 75 000, rounded to 10 000 → 80 000 (halves up).
    const fact = oracle.attest(factRequest(), '450')
    for (const [record, trader] of [
      [signed.record, TRADER],
      [done.record, REPORTER],
    ] as const) {
      const settled = contracts.settle({ record, fact, trader })
      assert.deepEqual(settled.payout, { originator: 80_000, acceptor: 120_000 })
      const cet = checkFundingSpend(settled.tx, funding, pubkeys)
      const values = new Map(
        cet.outputs.map((output) => [Buffer.from(output.script).toString('hex'), output.value]),
      )
      assert.equal(values.get(Buffer.from(alice.script).toString('hex')), 80_000)
      assert.equal(values.get(Buffer.from(bob.script).toString('hex')), 120_000)
      assert.equal(cet.fee + 200_000, funding.fundValue)
    }
    const two = contracts.equivocation(signed.record, [fact, oracle.attest(factRequest(), '900')])
    assert.ok(two)
    assert.deepEqual(two.answers, ['450', '900'])
  })

  it('refuses a proposal whose curve, payouts or nonces are not the offer’s and the commitment’s', () => {
    const { proposal } = proposed
    const bent = { ...proposal, curve: { ...proposal.curve!, rounding: 5_000 } }
    assert.throws(
      () => acceptNow(bent),
      (error) =>
        contracts.isContractError(error, ContractErrorCode.TERMS_MISMATCH) && error.details.path === '/curve',
    )
    const withPayouts = { ...proposal, payouts: [{ answer: '0', originator: 0, acceptor: 200_000 }] }
    assert.throws(
      () => acceptNow(withPayouts),
      (error) =>
        contracts.isContractError(error, ContractErrorCode.TERMS_MISMATCH) &&
        error.details.path === '/payouts',
    )
    const oracleField = proposal.oracle as { publicKey: string; nonces: string[] }
    const swapped = { ...proposal, oracle: { ...oracleField, nonces: [...oracleField.nonces].reverse() } }
    assert.throws(
      () => acceptNow(swapped),
      (error) => contracts.isContractError(error, ContractErrorCode.COMMITMENT_INVALID),
    )
    assert.throws(
      () => contracts.accept({ ...acceptArgs(proposal), capability: capabilityAd() }),
      (error) => contracts.isContractError(error, ContractErrorCode.TERMS_MISMATCH),
    )
  })

  function acceptArgs(proposal: contracts.ContractOffer) {
    return {
      proposal,
      capability: numeric,
      trader: REPORTER,
      ...walletSide(bob, [130_000]),
    }
  }
})
