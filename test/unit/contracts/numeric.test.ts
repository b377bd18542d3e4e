/**
 * Numeric contracts: payout curves, digit-prefix CETs, adaptor points as sums of digit points,
 * and settlement with a numeric fact; a fact completes the CET covering its value and no other.
 */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import fc from 'fast-check'
import { backend } from '#crypto'
import {
  cetOfValue,
  cfdCurve,
  checkNumericSignatures,
  completeCet,
  fundingKey,
  numericCets,
  numericEquivocation,
  numericTransactions,
  type PayoutCurve,
  payoutAt,
  payoutRuns,
  planNumericContract,
  prefixesOf,
  settleNumeric,
  signNumericCets,
} from '../../../src/contracts/index.ts'
import { digitPoint, toDigits } from '../../../src/protocol/digits.ts'
import { fromHex, toHex } from '../../../src/protocol/hex.ts'
import type { Fact } from '../../../src/protocol/messages/index.ts'
import { capabilitySigner } from '../../../src/protocol/oracle-attestation.ts'
import { sign } from '../../../src/protocol/sign.ts'
import { CAPABILITY, capabilityAd, factRequest, REPORTER, TRADER } from '../../support/messages.ts'
import { dlcParty, TestWallet } from '../../support/wallet.ts'

const DIGITS = 10
const MAX = 2 ** DIGITS - 1
const curve = cfdCurve({ digits: DIGITS, total: 200_000, floor: 300, cap: 700, rounding: 10_000 })
const capability = capabilityAd({ attestation: 'schnorr-digits', digits: DIGITS, answers: [] })
const oracle = capabilitySigner(capability, CAPABILITY.secretKey)
const request = factRequest()
const commitment = oracle.commit(request, 1_800_000_000)

const originatorKey = fundingKey(TRADER.secretKey, '01'.repeat(32), '02'.repeat(32), 'originator')
const acceptorKey = fundingKey(REPORTER.secretKey, '01'.repeat(32), '02'.repeat(32), 'acceptor')
const wallet = new TestWallet(3)

const plan = planNumericContract(capability, commitment, curve)
const txs = numericTransactions(plan, {
  originator: dlcParty(originatorKey.pubkey, wallet, { serial: 10n, txidByte: 'aa', collateral: 80_000n }),
  acceptor: dlcParty(acceptorKey.pubkey, wallet, { serial: 20n, txidByte: 'bb', collateral: 120_000n }),
  refundLocktime: 1_800_604_800,
  feeRate: 2n,
  fundOutputSerialId: 5n,
})
const acceptorSignatures = signNumericCets(plan, txs, acceptorKey.secret)
const settleInput = (fact: Fact) => ({
  plan,
  txs,
  fact,
  counterparty: { pubkey: acceptorKey.pubkey, cetSignatures: acceptorSignatures },
  own: { pubkey: originatorKey.pubkey, secret: originatorKey.secret },
})

function cover(cets: ReturnType<typeof numericCets>, digits: number) {
  // Contiguous, in order, each the block its prefix names: exactly one CET per value.
  assert.equal(cets[0]!.from, 0)
  assert.equal(cets.at(-1)!.to, 2 ** digits - 1)
  for (const [i, cet] of cets.entries()) {
    if (i > 0) assert.equal(cet.from, cets[i - 1]!.to + 1)
    assert.equal(cet.to - cet.from + 1, 2 ** (digits - cet.prefix.length))
    assert.deepEqual(toDigits(cet.from, digits).slice(0, cet.prefix.length), cet.prefix)
  }
}

describe('numeric contracts: payout curves and digit prefixes', () => {
  it('a CFD pays nothing to the long side at or below the floor, all at or above the cap, linearly between', () => {
    assert.equal(payoutAt(curve, 0), 0)
    assert.equal(payoutAt(curve, 300), 0)
    assert.equal(payoutAt(curve, 500), 100_000)
    assert.equal(payoutAt(curve, 510), 110_000) // 105 000 rounded half up to the 10 000 step
    assert.equal(payoutAt(curve, 700), 200_000)
    assert.equal(payoutAt(curve, MAX), 200_000)
    const short = cfdCurve({
      digits: DIGITS,
      total: 200_000,
      floor: 300,
      cap: 700,
      rounding: 1,
      long: 'acceptor',
    })
    assert.equal(payoutAt(short, 400), 150_000)
    for (let value = 0; value <= MAX; value++) {
      const paid = payoutAt(curve, value)
      assert.equal(paid % 10_000, 0)
      assert.ok(paid >= 0 && paid <= 200_000)
    }
  })

  it('runs of equal payout and their prefixes cover every value once; each payout is the curve’s', () => {
    cover(plan.cets, DIGITS)
    for (let value = 0; value <= MAX; value++) {
      const index = cetOfValue(plan.cets, value)
      assert.equal(plan.cets.filter((cet) => value >= cet.from && value <= cet.to).length, 1)
      assert.equal(plan.cets[index]!.originator, payoutAt(curve, value), `value ${value}`)
    }
    assert.deepEqual(prefixesOf(4, 11, 4), [
      [0, 1],
      [1, 0],
    ])
    assert.deepEqual(prefixesOf(3, 3, 4), [[0, 0, 1, 1]])
    assert.deepEqual(prefixesOf(0, 15, 4), [[]])
    assert.equal(payoutRuns(curve).length, 21)
    const bad =
      (points: PayoutCurve['points'], changes: Partial<PayoutCurve> = {}) =>
      () =>
        numericCets({ digits: 4, total: 100, rounding: 1, points, ...changes })
    for (const [make, path] of [
      [
        bad([
          { value: 0, originator: 0 },
          { value: 14, originator: 100 },
        ]),
        '/points',
      ],
      [
        bad([
          { value: 0, originator: 0 },
          { value: 7.5, originator: 50 },
          { value: 15, originator: 100 },
        ]),
        '/points/1/value',
      ],
      [
        bad([
          { value: 0, originator: 0 },
          { value: 9, originator: 50 },
          { value: 9, originator: 60 },
          { value: 15, originator: 100 },
        ]),
        '/points/2/value',
      ],
      [
        bad([
          { value: 0, originator: 0 },
          { value: 15, originator: 101 },
        ]),
        '/points/1/originator',
      ],
      [
        bad(
          [
            { value: 0, originator: 0 },
            { value: 15, originator: 100 },
          ],
          { rounding: 0 },
        ),
        '/rounding',
      ],
      [
        bad(
          [
            { value: 0, originator: 0 },
            { value: 15, originator: 100 },
          ],
          { digits: 33 },
        ),
        '/digits',
      ],
      [
        bad([
          { value: 0, originator: 40 },
          { value: 15, originator: 40 },
        ]),
        '/points',
      ],
    ] as const) {
      assert.throws(make, (error: { code: string; details: { path: string } }) => {
        assert.equal(error.code, 'CONTRACT_TERMS_MISMATCH')
        assert.equal(error.details.path, path)
        return true
      })
    }
  })

  it('a 20-digit CFD needs a few thousand CETs, not a million; any curve is covered exactly', () => {
    const wide = cfdCurve({ digits: 20, total: 1_000_000, floor: 40_000, cap: 60_000, rounding: 10_000 })
    const cets = numericCets(wide)
    cover(cets, 20)
    assert.ok(cets.length < 2_000, `${cets.length} CETs`)
    fc.assert(
      fc.property(
        fc.integer({ min: 2, max: 16 }),
        fc.array(fc.integer({ min: 0, max: 1000 }), { minLength: 2, maxLength: 6 }),
        fc.integer({ min: 1, max: 300 }),
        (digits, payouts, rounding) => {
          const max = 2 ** digits - 1
          const values = payouts.map((_, i) => Math.round((i * max) / (payouts.length - 1)))
          if (new Set(values).size !== values.length) return
          const random: PayoutCurve = {
            digits,
            total: 1000,
            rounding,
            points: values.map((value, i) => ({ value, originator: payouts[i]! })),
          }
          let cets: ReturnType<typeof numericCets>
          try {
            cets = numericCets(random)
          } catch (error) {
            assert.equal((error as { code: string }).code, 'CONTRACT_TERMS_MISMATCH') // constant curve
            return
          }
          cover(cets, digits)
          for (let k = 0; k < 20; k++) {
            const value = Math.floor((k * max) / 19)
            assert.equal(cets[cetOfValue(cets, value)]!.originator, payoutAt(random, value))
          }
        },
      ),
      { numRuns: 60 },
    )
  })

  it('each adaptor point is the sum of its prefix digits’ attestation points', () => {
    const one = fromHex(`${'00'.repeat(31)}01`)
    for (const index of [0, 7, plan.cets.length - 1]) {
      const points = plan.cets[index]!.prefix.map((digit, i) => fromHex(digitPoint(commitment, i, digit)))
      const sum = points.reduce((acc, point) => backend.secp256k1.mulAdd(point, one, acc))
      assert.equal(plan.points[index], toHex(sum))
    }
  })
})

describe('numeric contracts: settlement', () => {
  it('for any value, the fact completes the one CET covering it and no other', () => {
    checkNumericSignatures(plan, txs, acceptorSignatures, acceptorKey.pubkey)
    fc.assert(
      fc.property(fc.integer({ min: 0, max: MAX }), fc.nat(), (value, pick) => {
        const fact = oracle.attest(request, String(value))
        const settled = settleNumeric(settleInput(fact))
        assert.equal(settled.value, value)
        assert.equal(settled.payout.originator, payoutAt(curve, value))
        assert.ok(value >= plan.cets[settled.cet]!.from && value <= plan.cets[settled.cet]!.to)
        const other = (settled.cet + 1 + (pick % (plan.cets.length - 1))) % plan.cets.length
        assert.throws(() => completeCet(settleInput(fact), other, value), {
          code: 'CONTRACT_SIGNATURE_INVALID',
        })
      }),
      { numRuns: 25 },
    )
  })

  it('refuses a fact with one digit signature wrong, a value out of range, another request', () => {
    const fact = oracle.attest(request, '512')
    const resign = (changes: Partial<Fact>) => {
      const { signature: _s, ...draft } = { ...fact, ...changes }
      return sign<Fact>(draft, CAPABILITY.secretKey)
    }
    const wrong = [...fact.digitSignatures!]
    wrong[1] = oracle.attest(request, '256').digitSignatures![1]!
    assert.throws(() => settleNumeric(settleInput(resign({ digitSignatures: wrong }))), {
      code: 'CONTRACT_FACT_INVALID',
    })
    assert.throws(() => settleNumeric(settleInput(resign({ answer: String(MAX + 1) }))), {
      code: 'CONTRACT_FACT_INVALID',
    })
    const elsewhere = oracle.attest({ ...request, invoice: 'lnbc1other' }, '512')
    assert.throws(() => settleNumeric(settleInput(elsewhere)), { code: 'CONTRACT_FACT_INVALID' })
    const forged = { ...fact, signature: oracle.attest(request, '513').signature }
    assert.throws(() => settleNumeric(settleInput(forged)), { code: 'CONTRACT_FACT_INVALID' })
  })

  it('two values attested for the contract give the oracle’s key away; one value or forgeries do not', () => {
    const first = oracle.attest(request, '400')
    const second = oracle.attest(request, '650')
    assert.deepEqual(numericEquivocation(plan, capability, [first, second]), {
      values: [400, 650],
      leakedKey: CAPABILITY.secretKey,
    })
    assert.equal(numericEquivocation(plan, capability, [first, oracle.attest(request, '400')]), undefined)
    const forged = { ...second, digitSignatures: first.digitSignatures! }
    assert.equal(numericEquivocation(plan, capability, [first, forged]), undefined)
  })

  it('refuses an adaptor signature made for another CET’s point', () => {
    const swapped = [...acceptorSignatures]
    ;[swapped[3], swapped[4]] = [swapped[4]!, swapped[3]!]
    assert.throws(
      () => checkNumericSignatures(plan, txs, swapped, acceptorKey.pubkey),
      (error: Error) => {
        assert.equal((error as unknown as { code: string }).code, 'CONTRACT_SIGNATURE_INVALID')
        assert.match(error.message, /adaptor signature 3/)
        return true
      },
    )
  })

  it('refuses a commitment that is not the capability’s numeric one or a curve of another width', () => {
    const enumerated = capabilitySigner(capabilityAd(), CAPABILITY.secretKey).commit(request, 1_800_000_000)
    assert.throws(() => planNumericContract(capability, enumerated, curve), {
      code: 'CONTRACT_COMMITMENT_INVALID',
    })
    const narrow = cfdCurve({ digits: 8, total: 200_000, floor: 30, cap: 70, rounding: 10_000 })
    assert.throws(() => planNumericContract(capability, commitment, narrow), {
      code: 'CONTRACT_TERMS_MISMATCH',
    })
    const short = {
      ...commitment,
      attestation: { type: 'schnorr-digits' as const, nonces: plan.oracle.nonces.slice(1) },
    }
    assert.throws(() => planNumericContract(capability, short, curve), {
      code: 'CONTRACT_COMMITMENT_INVALID',
    })
  })
})
