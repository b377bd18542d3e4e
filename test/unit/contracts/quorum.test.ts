/**
 * A contract on a 2-of-3 offer (three oracles wording the match their own way, synonyms mapping
 * them): one adaptor signature per way two requests agree, every transaction checked by an
 * independent library, settlement by any two agreeing facts, and hostile inputs refused before
 * anything is signed.
 */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { secp256k1 } from '@noble/curves/secp256k1.js'
import fc from 'fast-check'
import { adaptorSign, buildDlcTransactions, quorumAdaptorPoints } from '../../../src/contracts/dlc.ts'
import * as contracts from '../../../src/contracts/index.ts'
import {
  combinationMessages,
  combinationPoint,
  MAX_QUORUM_COMBINATIONS,
  quorumPlan,
  subsetsOf,
} from '../../../src/contracts/quorum.ts'
import { fromHex } from '../../../src/protocol/hex.ts'
import type { Commitment, OfferTerms } from '../../../src/protocol/messages/index.ts'
import { capabilitySigner, outcomePoint } from '../../../src/protocol/oracle-attestation.ts'
import { signAndFund } from '../../support/contracts.ts'
import { acceptedOffer, capabilityAd, factRequest, finalizedOffer, testKey } from '../../support/messages.ts'
import { A, B, capabilities, intoHomeAway, K1, K2, K3, offer, R2, R3 } from '../../support/quorum.ts'
import { checkFundingSpend, dlcParty, TestWallet, walletSide } from '../../support/wallet.ts'

const DEADLINE = 1_800_000_000
const keys = [K1, K2, K3]
const signers = capabilities.map((capability, j) => capabilitySigner(capability, keys[j]!.secretKey))
const requests = keys.map((key) => factRequest(key))
const commitments = signers.map((signer, j) => signer.commit(requests[j]!, DEADLINE + j * 60))
const open = offer(
  A,
  { quorum: [R2, R3], threshold: 2, synonyms: intoHomeAway, amount: 100_000, acceptorAmount: 150_000 },
  { acceptorBets: ['away'] },
)
const finalized = finalizedOffer(acceptedOffer(open, B), A)
const originatorWallet = new TestWallet(41)
const acceptorWallet = new TestWallet(42)
const fact = (j: number, answer: string) => signers[j]!.attest(requests[j]!, answer)

function proposeNow(overrides: Partial<contracts.ProposeInput> = {}) {
  return contracts.propose({
    trader: A,
    offer: finalized,
    capability: capabilities[0]!,
    capabilities,
    commitments,
    feeRate: 2,
    ...walletSide(originatorWallet, [130_000]),
    ...overrides,
  })
}

function acceptNow(proposal: contracts.ContractOffer) {
  return contracts.accept({
    proposal,
    capability: capabilities[0]!,
    capabilities,
    trader: B,
    ...walletSide(acceptorWallet, [200_000]),
  })
}

function signedContract() {
  const proposed = proposeNow()
  return signAndFund(proposed, acceptNow(proposed.proposal), {
    capability: capabilities[0]!,
    capabilities,
    originator: A,
    originatorWallet,
    acceptorWallet,
  })
}

function refused(code: string, run: () => unknown, path?: string) {
  assert.throws(run, (error) => {
    assert.ok(contracts.isContractError(error), String(error))
    assert.equal(error.code, code, error.message)
    if (path !== undefined) assert.equal(error.details.path, path, error.message)
    return true
  })
}

describe('quorum contracts: the combinations both sides derive', () => {
  it('lists outcome by outcome, subsets in lexicographic order, answers in capability order', () => {
    const plan = quorumPlan(
      finalized.terms,
      capabilities.map((capability) => capability.answers),
    )
    assert.deepEqual(plan.outcomes, ['home', 'away', 'draw'])
    assert.equal(plan.combinations.length, 9)
    assert.deepEqual(
      plan.combinations.slice(0, 3).map((c) => [c.cet, c.requests, c.answers]),
      [
        [0, [0, 1], ['home', 'hosts']],
        [0, [0, 2], ['home', '1']],
        [0, [1, 2], ['hosts', '1']],
      ],
    )
    assert.deepEqual(subsetsOf(5, 3).length, 10)
  })

  it('merged answers multiply the combinations; above the cap it is CONTRACT_TOO_LARGE', () => {
    const terms = {
      ...finalized.terms,
      synonyms: [{ answer: 'home', synonyms: ['h1', 'h2'] }],
    } as OfferTerms
    const answers = [
      ['home', 'h1', 'h2', 'away'],
      ['home', 'h1', 'away'],
      ['home', 'away'],
    ]
    const plan = quorumPlan(terms, answers)
    // home: {0,1} 3·2, {0,2} 3·1, {1,2} 2·1; away: 1 each.
    assert.equal(plan.combinations.filter((c) => c.cet === 0).length, 6 + 3 + 2)
    assert.equal(plan.combinations.length, 11 + 3)
    const many = Array.from({ length: 100 }, (_, i) => `h${i}`)
    const wide = { ...terms, synonyms: [{ answer: 'home', synonyms: many }] } as OfferTerms
    refused(
      'CONTRACT_TOO_LARGE',
      () => quorumPlan(wide, [[...many, 'away'], [...many, 'away'], ['home']]),
      '/offer/terms/synonyms',
    )
    assert.ok(MAX_QUORUM_COMBINATIONS >= 3 * 10 * 3, '3 of 5 with three answers fits')
  })

  it('an outcome no k requests reach has no CET', () => {
    const terms = { ...finalized.terms, synonyms: undefined } as OfferTerms
    // Without synonyms the three oracles share no word: no outcome reaches 2 of 3.
    refused('CONTRACT_TERMS_MISMATCH', () =>
      proposeNow({
        offer: finalizedOffer(acceptedOffer(offer(A, { quorum: [R2, R3], threshold: 2 }), B), A),
      }),
    )
    assert.deepEqual(
      quorumPlan(
        terms,
        capabilities.map((c) => c.answers),
      ).outcomes,
      [],
    )
  })
})

describe('quorum contracts: 2 of 3 from offer to settlement', () => {
  const run = signedContract()
  const combinations = run.originator.accept!.cetSignatures.length

  it('proposes one commitment and oracle per request, one payout per outcome; 9 adaptor signatures a side', () => {
    const { proposal } = run.originator
    assert.equal(proposal.commitment, undefined)
    assert.deepEqual(
      proposal.oracles?.map((oracle) => oracle.publicKey),
      keys.map((key) => key.publicKey),
    )
    assert.deepEqual(
      proposal.payouts?.map((payout) => [payout.answer, payout.originator, payout.acceptor]),
      [
        ['home', 250_000, 0],
        ['away', 0, 250_000],
        ['draw', 100_000, 150_000],
      ],
    )
    assert.equal(combinations, 9)
    assert.equal(run.acceptor.sign!.cetSignatures.length, 9)
    assert.equal(
      proposal.refundLocktime,
      DEADLINE + 120 + contracts.DEFAULT_REFUND_DELAY,
      'after the last deadline',
    )
    assert.deepEqual(
      contracts.parseContractMessage(contracts.serializeContractMessage(proposal), 'mega-contract-offer'),
      proposal,
    )
  })

  it('two agreeing oracles settle against the question’s own: the CET checked independently', () => {
    const facts = [fact(0, 'away'), fact(1, 'hosts'), fact(2, '1')]
    for (const [record, trader] of [
      [run.originator, A],
      [run.acceptor, B],
    ] as const) {
      const settlement = contracts.settle({ record, facts, capabilities, trader })
      assert.equal(settlement.answer, 'home')
      const checked = checkFundingSpend(settlement.tx, run.funding, run.pubkeys)
      assert.deepEqual(checked.outputs, [{ script: Buffer.from(originatorWallet.script), value: 250_000 }])
      assert.equal(checked.fee + 250_000, run.funding.fundValue, 'payouts + fee = funding output')
    }
    const draw = contracts.settle({
      record: run.acceptor,
      facts: [fact(1, 'tie'), fact(2, 'X')],
      capabilities,
      trader: B,
    })
    const checked = checkFundingSpend(draw.tx, run.funding, run.pubkeys)
    assert.deepEqual(checked.outputs.map((output) => output.value).sort(), [100_000, 150_000])
  })

  it('facts that do not agree cannot settle; one fact alone cannot', () => {
    refused('CONTRACT_NO_QUORUM', () =>
      contracts.settle({
        record: run.originator,
        facts: [fact(0, 'home'), fact(1, 'visitors'), fact(2, 'X')],
        capabilities,
        trader: A,
      }),
    )
    refused('CONTRACT_NO_QUORUM', () =>
      contracts.settle({ record: run.originator, facts: [fact(0, 'home')], capabilities, trader: A }),
    )
  })

  it('no other combination’s adaptor signature is completed by the agreeing facts', () => {
    const facts = [fact(0, 'away'), fact(1, 'hosts'), fact(2, '1')]
    const txs = contracts.transactionsOf(run.originator.proposal, run.originator.accept!.acceptor)
    const acceptorKey = fromHex(run.originator.accept!.acceptor.fundPubkey)
    const plan = quorumPlan(
      finalized.terms,
      capabilities.map((c) => c.answers),
    )
    for (const [index, combination] of plan.combinations.entries()) {
      // The signatures of the facts of the combination's requests, whatever they attested.
      const signatures = combination.requests.map((j) => facts[j]!.signature)
      let valid = false
      try {
        const der = contracts.decryptAdaptorSignature(
          run.originator.accept!.cetSignatures[index]!,
          signatures,
        )
        valid = contracts.verifyDer(
          der,
          contracts.fundingSpendSighash(txs.cets[combination.cet]!, txs),
          acceptorKey,
        )
      } catch {
        valid = false
      }
      const agreeing = combination.requests.every((j, i) => facts[j]!.answer === combination.answers[i])
      assert.equal(valid, agreeing, `${combination.requests} ${combination.answers}`)
    }
  })

  it('an oracle attesting two answers leaks its key; the counterparty’s CETs it completes are named', () => {
    const facts = [fact(1, 'hosts'), fact(1, 'visitors'), fact(2, '2')]
    const found = contracts.equivocation(run.originator, facts, capabilities)
    assert.ok(found)
    assert.equal(found.capability, K2.publicKey)
    assert.equal(
      Buffer.from(secp256k1.getPublicKey(fromHex(found.leakedKey), true).subarray(1)).toString('hex'),
      K2.publicKey,
    )
    // With K2's key and K3's "2", the acceptor can complete "away" (K2 forged + K3 real).
    assert.deepEqual(
      found.counterpartyCanPublish.map((entry) => entry.answer),
      ['away'],
    )
    // The equivocating request counts for nothing: K3 alone cannot settle.
    refused('CONTRACT_NO_QUORUM', () =>
      contracts.settle({ record: run.originator, facts, capabilities, trader: A }),
    )
    assert.equal(contracts.equivocation(run.originator, [fact(1, 'hosts')], capabilities), undefined)
  })
})

describe('quorum contracts: hostile inputs are refused before anything is signed', () => {
  const proposed = proposeNow()
  const accepted = acceptNow(proposed.proposal)
  const otherRequest = { ...R2, args: { ...R2.args, home: 'CHE', away: 'ARS' } }
  const other = signers[1]!.commit(otherRequest, DEADLINE)

  it('a wrong adaptor signature for one combination', () => {
    const signatures = [...accepted.accept.cetSignatures]
    ;[signatures[4], signatures[5]] = [signatures[5]!, signatures[4]!]
    refused(
      'CONTRACT_SIGNATURE_INVALID',
      () =>
        contracts.sign({
          record: proposed,
          accept: { ...accepted.accept, cetSignatures: signatures },
          capability: capabilities[0]!,
          capabilities,
          trader: A,
        }),
      '/cetSignatures/4',
    )
  })

  it('a commitment for another question', () => {
    const commitments2 = [...proposed.proposal.commitments!]
    commitments2[1] = other
    const oracles = [...proposed.proposal.oracles!]
    oracles[1] = { publicKey: K2.publicKey, nonce: (other.attestation as { nonce: string }).nonce }
    refused(
      'CONTRACT_COMMITMENT_INVALID',
      () => acceptNow({ ...proposed.proposal, commitments: commitments2, oracles }),
      '/commitments/1/request',
    )
  })

  it('an R that is not the commitment’s', () => {
    const oracles = [...proposed.proposal.oracles!]
    oracles[2] = { publicKey: K3.publicKey, nonce: (other.attestation as { nonce: string }).nonce }
    refused('CONTRACT_COMMITMENT_INVALID', () => acceptNow({ ...proposed.proposal, oracles }), '/oracles/2')
  })

  it('payouts that do not follow from the offer', () => {
    const payouts = proposed.proposal.payouts!.map((payout, i) =>
      i === 2 ? { ...payout, originator: 0, acceptor: 250_000 } : payout,
    )
    refused('CONTRACT_TERMS_MISMATCH', () => acceptNow({ ...proposed.proposal, payouts }), '/payouts/2')
  })

  it('too few commitments, or the single-oracle form for a quorum offer', () => {
    refused(
      'CONTRACT_COMMITMENT_INVALID',
      () =>
        acceptNow({
          ...proposed.proposal,
          commitments: proposed.proposal.commitments!.slice(0, 2),
          oracles: proposed.proposal.oracles!.slice(0, 2),
        }),
      '/commitments',
    )
    const { commitments: _c, oracles: _o, ...single } = proposed.proposal
    refused('CONTRACT_COMMITMENT_INVALID', () =>
      acceptNow({ ...single, commitment: commitments[0]!, oracle: proposed.proposal.oracles![0]! }),
    )
  })

  it('a capability that is not the request’s', () => {
    refused('CONTRACT_COMMITMENT_INVALID', () =>
      contracts.accept({
        proposal: proposed.proposal,
        capability: capabilities[0]!,
        capabilities: [capabilities[0]!, capabilities[2]!, capabilities[1]!],
        trader: B,
        ...walletSide(acceptorWallet, [200_000]),
      }),
    )
  })
})

describe('quorum contracts: adaptor points and completion for any answers and subsets', () => {
  const fundingA = contracts.fundingKey(A.secretKey, '01'.repeat(32), '03'.repeat(32), 'originator')
  const fundingB = contracts.fundingKey(B.secretKey, '01'.repeat(32), '03'.repeat(32), 'acceptor')
  const wallet = new TestWallet(43)
  const oracleKeys = [2, 6, 9, 12, 13].map((seed) => testKey('bip340', seed))
  const ads = oracleKeys.map((key, j) =>
    capabilityAd({ answers: ['a', 'b', 'c', 'd'] }, testKey('ed25519', 20 + j), key),
  )

  it('every point is the commitments’ sum, the library agrees, and only an agreeing k-set completes', () => {
    const shape = fc
      .record({
        n: fc.integer({ min: 2, max: 5 }),
        sizes: fc.array(fc.integer({ min: 2, max: 4 }), { minLength: 5, maxLength: 5 }),
        merge: fc.boolean(),
        picks: fc.array(fc.nat(), { minLength: 5, maxLength: 5 }),
      })
      .map((value) => ({ ...value, k: Math.floor(value.n / 2) + 1 }))
    fc.assert(
      fc.property(shape, ({ n, k, sizes, merge, picks }) => {
        const answers = Array.from({ length: n }, (_, j) => ['a', 'b', 'c', 'd'].slice(0, sizes[j]))
        const terms = {
          ...finalized.terms,
          question: factRequest(oracleKeys[0]!),
          quorum: oracleKeys.slice(1, n).map((key) => factRequest(key)),
          threshold: k,
          // Merging "b" into "a" for every oracle: two answers per request reach "a".
          synonyms: merge ? [{ answer: 'a', synonyms: ['b'] }] : undefined,
        } as OfferTerms
        const plan = quorumPlan(terms, answers)
        const signersOf = ads.slice(0, n).map((ad, j) => capabilitySigner(ad, oracleKeys[j]!.secretKey))
        const commits: Commitment[] = signersOf.map((signer, j) =>
          signer.commit(factRequest(oracleKeys[j]!), DEADLINE),
        )
        const announcements = commits.map((c, j) => ({
          publicKey: oracleKeys[j]!.publicKey,
          nonce: (c.attestation as { nonce: string }).nonce,
        }))
        const points = plan.combinations.map((combination) => combinationPoint(combination, commits))
        for (const [index, combination] of plan.combinations.entries()) {
          const library = quorumAdaptorPoints(
            combination.requests.map((j) => announcements[j]!),
            [combinationMessages(combination, commits)],
          )[0]
          assert.equal(library, points[index])
          const sum = combination.requests.reduce(
            (acc, j, i) =>
              acc.add(secp256k1.Point.fromHex(outcomePoint(commits[j]!, combination.answers[i]!))),
            secp256k1.Point.ZERO,
          )
          assert.equal(points[index], sum.toHex(true))
        }
        const txs = buildDlcTransactions({
          payouts: plan.outcomes.map((_, i) => ({
            originator: BigInt(1000 * (i + 1)),
            acceptor: 200_000n - BigInt(1000 * (i + 1)),
          })),
          originator: dlcParty(fundingA.pubkey, wallet, { serial: 10n, txidByte: 'aa' }),
          acceptor: dlcParty(fundingB.pubkey, wallet, { serial: 20n, txidByte: 'bb' }),
          refundLocktime: DEADLINE + 7 * 86_400,
          feeRate: 2n,
          fundOutputSerialId: 5n,
        })
        const cetOf = plan.combinations.map((c) => c.cet)
        const signatures = adaptorSign(txs, points, fundingB.secret, cetOf)
        // Each oracle attests a random answer of its own; check every combination against it.
        const attested = answers.map((list, j) => list[picks[j]! % list.length]!)
        const facts = attested.map((answer, j) => signersOf[j]!.attest(factRequest(oracleKeys[j]!), answer))
        for (const [index, combination] of plan.combinations.entries()) {
          const der = contracts.decryptAdaptorSignature(
            signatures[index]!,
            combination.requests.map((j) => facts[j]!.signature),
          )
          const valid = contracts.verifyDer(
            der,
            contracts.fundingSpendSighash(txs.cets[combination.cet]!, txs),
            fundingB.pubkey,
          )
          const agreeing = combination.requests.every((j, i) => attested[j] === combination.answers[i])
          assert.equal(valid, agreeing)
        }
      }),
      { numRuns: 12 },
    )
  })
})
