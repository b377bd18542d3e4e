/** A contract's steps after the proposal and the accept, run in process as both traders' toolkits would. */
import assert from 'node:assert/strict'
import * as contracts from '../../src/contracts/index.ts'
import type { OracleCapability } from '../../src/protocol/messages/index.ts'
import type { TestKey } from './messages.ts'
import { checkContractFunding, type TestWallet } from './wallet.ts'

export interface Signers {
  /** The question's capability and, for a quorum, every request's. */
  capability: OracleCapability
  capabilities?: OracleCapability[]
  originator: TestKey
  originatorWallet: TestWallet
  acceptorWallet: TestWallet
}

/**
 * The originator signs (first for the funding PSBT its wallet signs, then with it), the acceptor
 * finalizes (the same two ways); the funding transaction is checked independently. Returns both
 * records, the funding transaction, its checked funding output and the funding keys.
 */
export function signAndFund(
  proposed: contracts.ContractRecord,
  accepted: ReturnType<typeof contracts.accept>,
  { capability, capabilities, originator, originatorWallet, acceptorWallet }: Signers,
) {
  const common = { record: proposed, accept: accepted.accept, capability, capabilities }
  const needsWallet = contracts.sign({ ...common, trader: originator })
  assert.ok('fundingPsbt' in needsWallet && !('sign' in needsWallet))
  const signed = contracts.sign({
    ...common,
    trader: originator,
    walletSignedPsbt: originatorWallet.sign(needsWallet.fundingPsbt, false),
  })
  assert.ok('sign' in signed)
  const finalizeInput = { record: accepted.record, sign: signed.sign, capability, capabilities }
  const toSign = contracts.finalize(finalizeInput)
  assert.ok('fundingPsbt' in toSign)
  const done = contracts.finalize({
    ...finalizeInput,
    walletSignedPsbt: acceptorWallet.sign(toSign.fundingPsbt),
  })
  assert.ok('fundingTx' in done)
  return {
    originator: { ...signed.record, fundingTx: done.fundingTx },
    acceptor: done.record,
    fundingTx: done.fundingTx,
    ...checkContractFunding(done.fundingTx, proposed.proposal.originator, accepted.accept.acceptor),
  }
}
