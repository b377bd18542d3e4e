/**
 * Property: for any answer set (2–256 answers), the adaptor point of every CET is the one the
 * commitment alone gives (`outcomePoint`, R + e·P), the DLC library agrees, and the oracle's fact
 * for one answer completes that answer's CET and no other.
 */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import fc from 'fast-check'
import { adaptorSign, buildDlcTransactions } from '../../../src/contracts/dlc.ts'
import {
  adaptorPoints,
  decryptAdaptorSignature,
  fundingKey,
  fundingSpendSighash,
  verifyDer,
} from '../../../src/contracts/index.ts'
import { capabilitySigner, factDigest, outcomePoint } from '../../../src/protocol/oracle-attestation.ts'
import { CAPABILITY, capabilityAd, factRequest, REPORTER, TRADER } from '../../support/messages.ts'
import { dlcParty, TestWallet } from '../../support/wallet.ts'

const originator = fundingKey(TRADER.secretKey, '01'.repeat(32), '02'.repeat(32), 'originator')
const acceptor = fundingKey(REPORTER.secretKey, '01'.repeat(32), '02'.repeat(32), 'acceptor')
const wallet = new TestWallet(3)

describe('contracts: adaptor points and completion for any answer set', () => {
  it('every point is the commitment’s and only the attested answer’s CET completes', () => {
    const answerSets = fc.uniqueArray(fc.stringMatching(/^[a-z0-9]{1,12}$/), { minLength: 2, maxLength: 256 })
    fc.assert(
      fc.property(answerSets, fc.nat(), (answers, pick) => {
        const capability = capabilityAd({ answers })
        const oracle = capabilitySigner(capability, CAPABILITY.secretKey)
        const request = factRequest()
        const commitment = oracle.commit(request, 1_800_000_000)
        const points = answers.map((answer) => outcomePoint(commitment, answer))
        const announcement = {
          publicKey: CAPABILITY.publicKey,
          nonce: (commitment.attestation as { nonce: string }).nonce,
        }
        assert.deepEqual(
          adaptorPoints(
            announcement,
            answers.map((answer) => factDigest(request, answer)),
          ),
          points,
        )
        const txs = buildDlcTransactions({
          payouts: answers.map((_, index) => ({
            originator: BigInt(index * 100),
            acceptor: 200_000n - BigInt(index * 100),
          })),
          originator: dlcParty(originator.pubkey, wallet, { serial: 10n, txidByte: 'aa' }),
          acceptor: dlcParty(acceptor.pubkey, wallet, { serial: 20n, txidByte: 'bb' }),
          refundLocktime: 1_800_604_800,
          feeRate: 2n,
          fundOutputSerialId: 5n,
        })
        const signatures = adaptorSign(txs, points, acceptor.secret)
        const attested = pick % answers.length
        const fact = oracle.attest(request, answers[attested]!)
        const completes = txs.cets.map((cet, index) =>
          verifyDer(
            decryptAdaptorSignature(signatures[index]!, fact.signature),
            fundingSpendSighash(cet, txs),
            acceptor.pubkey,
          ),
        )
        assert.deepEqual(
          completes.flatMap((valid, index) => (valid ? [index] : [])),
          [attested],
        )
      }),
      { numRuns: 6, examples: [[Array.from({ length: 256 }, (_, index) => `a${index}`), 255]] },
    )
  })
})
