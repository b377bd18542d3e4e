/**
 * A contract's `accept_dlc` and `sign_dlc` in dlcspecs' binary form, and back (docs/contracts.md
 * "Messages"): export writes this side's message for a dlcspecs peer or tool, import turns the
 * counterparty's into Mega's JSON message, which `sign` / `finalize` then check like any other.
 * The temporary contract id is Mega's contract id (the hash of the proposal, there being no
 * `offer_dlc`); the final `contract_id` is dlcspecs' own, from the funding transaction.
 */
import { secp256k1 } from '@noble/curves/secp256k1.js'
import { RawTx, Transaction } from '@scure/btc-signer'
import { fromHex, toHex } from '../protocol/index.ts'
import { addressScript, fundingPsbt, type Network, type SpentCoin, scriptAddress } from './bitcoin.ts'
import { type ContractRecord, transactionsOf } from './contract.ts'
import {
  ACCEPT_DLC_TYPE,
  type AcceptDlcFields,
  DLC_PROTOCOL_VERSION,
  decodeAcceptDlc,
  decodeSignDlc,
  dlcContractId,
  dlcMessageType,
  encodeAcceptDlc,
  encodeSignDlc,
  SIGN_DLC_TYPE,
} from './dlcspecs-wire.ts'
import { ContractError, ContractErrorCode } from './errors.ts'
import type { CoinMessage, ContractAccept, ContractSign, PartyMessage } from './messages.ts'

function unavailable(message: string): ContractError {
  return new ContractError(ContractErrorCode.EXPORT_UNAVAILABLE, message)
}

function invalid(message: string, path: string): ContractError {
  return new ContractError(ContractErrorCode.MESSAGE_INVALID, message, { path })
}

/** DER ECDSA ‖ 0x01 (Mega) → 64-byte compact r ‖ s (dlcspecs `signature`, SIGHASH_ALL implied). */
function compact(derWithHashType: string): Uint8Array {
  return secp256k1.Signature.fromBytes(fromHex(derWithHashType.slice(0, -2)), 'der').toBytes('compact')
}

/** 64-byte compact → DER ‖ 0x01. */
function derOf(compactSignature: Uint8Array, path: string): string {
  try {
    return `${toHex(secp256k1.Signature.fromBytes(compactSignature, 'compact').toBytes('der'))}01`
  } catch {
    throw invalid('the refund signature is not a compact ECDSA signature', path)
  }
}

function outpoint(coin: { txid: string; vout: number }): string {
  return `${coin.txid}:${coin.vout}`
}

function bySerial<T extends { serialId: string }>(coins: readonly T[]): T[] {
  return [...coins].sort((a, b) => (BigInt(a.serialId) < BigInt(b.serialId) ? -1 : 1))
}

function spentCoins(coins: readonly CoinMessage[]): SpentCoin[] {
  return coins.map((coin) => ({ ...coin, amount: BigInt(coin.amount), script: fromHex(coin.script) }))
}

/**
 * The acceptor's `accept_dlc`, hex. Needs each of its coins' previous transaction, which its
 * wallet put in its PSBT (`non_witness_utxo`): dlcspecs' `funding_input` carries the whole
 * transaction. Throws `CONTRACT_EXPORT_UNAVAILABLE` without it or on the originator's side.
 */
export function exportAcceptDlc(record: ContractRecord): string {
  if (record.role !== 'acceptor' || !record.accept || !record.walletPsbt)
    throw unavailable(
      "only the acceptor exports its accept_dlc (its coins' previous transactions are its wallet's)",
    )
  const { acceptor } = record.accept
  const wallet = Transaction.fromPSBT(Buffer.from(record.walletPsbt, 'base64'))
  const previous = new Map<string, Uint8Array>()
  for (let index = 0; index < wallet.inputsLength; index++) {
    const input = wallet.getInput(index)
    if (input.txid && input.nonWitnessUtxo)
      previous.set(
        outpoint({ txid: toHex(input.txid), vout: input.index! }),
        RawTx.encode(input.nonWitnessUtxo),
      )
  }
  const txs = transactionsOf(record.proposal, acceptor)
  const fund = Transaction.fromRaw(txs.fund, { allowUnknownOutputs: true })
  const sequences = new Map<string, number>()
  for (let index = 0; index < fund.inputsLength; index++) {
    const input = fund.getInput(index)
    sequences.set(outpoint({ txid: toHex(input.txid!), vout: input.index! }), input.sequence!)
  }
  const fields: AcceptDlcFields = {
    protocolVersion: DLC_PROTOCOL_VERSION,
    temporaryContractId: fromHex(record.id, 32),
    acceptCollateral: BigInt(acceptor.collateral),
    fundingPubkey: fromHex(acceptor.fundPubkey, 33),
    payoutSpk: addressScript(acceptor.payoutAddress, record.proposal.network),
    payoutSerialId: BigInt(acceptor.payoutSerialId),
    fundingInputs: acceptor.inputs.map((coin) => {
      const prevTx = previous.get(outpoint(coin))
      if (!prevTx) {
        throw unavailable(
          `coin ${outpoint(coin)}: the wallet PSBT carries no previous transaction (non_witness_utxo), which accept_dlc needs`,
        )
      }
      return {
        inputSerialId: BigInt(coin.serialId),
        prevTx,
        prevTxVout: coin.vout,
        sequence: sequences.get(outpoint(coin)) ?? 0xffffffff,
        maxWitnessLen: coin.maxWitnessLength,
        redeemScript: new Uint8Array(),
      }
    }),
    changeSpk: addressScript(acceptor.changeAddress, record.proposal.network),
    changeSerialId: BigInt(acceptor.changeSerialId),
    cetAdaptorSignatures: record.accept.cetSignatures.map((signature) => fromHex(signature)),
    refundSignature: compact(record.accept.refundSignature),
  }
  return toHex(encodeAcceptDlc(fields))
}

/**
 * The originator's `sign_dlc`, hex: its adaptor and refund signatures, and the witnesses of its
 * funding inputs (taken from its signed funding PSBT) by input serial id.
 */
export function exportSignDlc(record: ContractRecord): string {
  if (record.role !== 'originator' || !record.accept || !record.sign)
    throw unavailable('only the originator exports its sign_dlc, once it signed')
  const txs = transactionsOf(record.proposal, record.accept.acceptor)
  const fund = Transaction.fromRaw(txs.fund, { allowUnknownOutputs: true })
  const signed = Transaction.fromPSBT(Buffer.from(record.sign.fundingPsbt, 'base64'))
  const witnessOf = new Map<string, Uint8Array[]>()
  for (let index = 0; index < signed.inputsLength; index++) {
    const input = signed.getInput(index)
    if (input.finalScriptWitness)
      witnessOf.set(outpoint({ txid: toHex(input.txid!), vout: input.index! }), input.finalScriptWitness)
  }
  return toHex(
    encodeSignDlc({
      protocolVersion: DLC_PROTOCOL_VERSION,
      contractId: dlcContractId(fund.id, txs.fundVout, fromHex(record.id, 32)),
      cetAdaptorSignatures: record.sign.cetSignatures.map((signature) => fromHex(signature)),
      refundSignature: compact(record.sign.refundSignature),
      fundingSignatures: bySerial(record.proposal.originator.inputs).map((coin) => {
        const witness = witnessOf.get(outpoint(coin))
        if (!witness) throw unavailable(`funding input ${outpoint(coin)} is not signed`)
        return witness
      }),
    }),
  )
}

/** dlcspecs' `contract_id` of a contract with both parts, hex. */
export function dlcspecsContractId(record: ContractRecord): string {
  if (!record.accept) throw unavailable('the contract has no funding transaction before the accept')
  const txs = transactionsOf(record.proposal, record.accept.acceptor)
  const fund = Transaction.fromRaw(txs.fund, { allowUnknownOutputs: true })
  return toHex(dlcContractId(fund.id, txs.fundVout, fromHex(record.id, 32)))
}

/**
 * The counterparty's `accept_dlc` or `sign_dlc` (hex) as Mega's message for this contract.
 * Checks what the translation needs (the message type, protocol version 1, the contract's ids,
 * native SegWit coins whose previous transactions have the spent output); `sign` and `finalize`
 * check the rest. Throws `CONTRACT_MESSAGE_INVALID`.
 */
export function importDlcspecs(hex: string, record: ContractRecord): ContractAccept | ContractSign {
  const text = hex.trim().toLowerCase()
  if (!/^([0-9a-f]{2})+$/.test(text)) throw invalid('a dlcspecs message is hex bytes', '/')
  const bytes = fromHex(text)
  const type = dlcMessageType(bytes)
  if (type === ACCEPT_DLC_TYPE) return acceptOf(decodeAcceptDlc(bytes), record)
  if (type === SIGN_DLC_TYPE) return signOf(bytes, record)
  throw invalid(
    `message type ${type} is neither accept_dlc (${ACCEPT_DLC_TYPE}) nor sign_dlc (${SIGN_DLC_TYPE})`,
    '/type',
  )
}

function checkVersion(version: number): void {
  if (version !== DLC_PROTOCOL_VERSION)
    throw invalid(`protocol_version ${version} is not ${DLC_PROTOCOL_VERSION}`, '/protocol_version')
}

function acceptOf(fields: AcceptDlcFields, record: ContractRecord): ContractAccept {
  checkVersion(fields.protocolVersion)
  if (toHex(fields.temporaryContractId) !== record.id)
    throw invalid(
      `the accept_dlc is for contract ${toHex(fields.temporaryContractId)}, not ${record.id}`,
      '/temporary_contract_id',
    )
  const network: Network = record.proposal.network
  const address = (script: Uint8Array, path: string) => {
    try {
      return scriptAddress(script, network)
    } catch {
      throw invalid(`not a standard ${network} output script`, path)
    }
  }
  const inputs: CoinMessage[] = fields.fundingInputs.map((input, index) => {
    const path = `/funding_inputs/${index}`
    if (input.redeemScript.length > 0)
      throw invalid('a P2SH-wrapped coin: only native SegWit coins fund a contract', path)
    let tx: Transaction
    try {
      tx = Transaction.fromRaw(input.prevTx, { allowUnknownOutputs: true, allowUnknownInputs: true })
    } catch (error) {
      throw invalid(`prevtx is not a transaction: ${(error as Error).message}`, `${path}/prevtx`)
    }
    if (input.prevTxVout >= tx.outputsLength)
      throw invalid(`prevtx has no output ${input.prevTxVout}`, `${path}/prevtx_vout`)
    const output = tx.getOutput(input.prevTxVout)
    return {
      txid: tx.id,
      vout: input.prevTxVout,
      amount: Number(output.amount!),
      script: toHex(output.script!),
      maxWitnessLength: input.maxWitnessLen,
      serialId: input.inputSerialId.toString(),
    }
  })
  const acceptor: PartyMessage = {
    fundPubkey: toHex(fields.fundingPubkey),
    payoutAddress: address(fields.payoutSpk, '/payout_spk'),
    payoutSerialId: fields.payoutSerialId.toString(),
    changeAddress: address(fields.changeSpk, '/change_spk'),
    changeSerialId: fields.changeSerialId.toString(),
    inputs,
    collateral: Number(fields.acceptCollateral),
  }
  return {
    type: 'mega-contract-accept',
    version: 1,
    contractId: record.id,
    acceptor,
    cetSignatures: fields.cetAdaptorSignatures.map((signature) => toHex(signature)),
    refundSignature: derOf(fields.refundSignature, '/refund_signature'),
  }
}

function signOf(bytes: Uint8Array, record: ContractRecord): ContractSign {
  const fields = decodeSignDlc(bytes)
  checkVersion(fields.protocolVersion)
  if (!record.accept)
    throw new ContractError(ContractErrorCode.STATE, 'a sign_dlc answers our accept: accept first')
  const expected = dlcspecsContractId(record)
  if (toHex(fields.contractId) !== expected)
    throw invalid(
      `the sign_dlc is for contract_id ${toHex(fields.contractId)}, not ${expected}`,
      '/contract_id',
    )
  const { originator } = record.proposal
  if (fields.fundingSignatures.length !== originator.inputs.length) {
    throw invalid(
      `${fields.fundingSignatures.length} funding witnesses for ${originator.inputs.length} inputs`,
      '/funding_signatures',
    )
  }
  const txs = transactionsOf(record.proposal, record.accept.acceptor)
  const unsigned = fundingPsbt(txs.fund, spentCoins([...originator.inputs, ...record.accept.acceptor.inputs]))
  const psbt = Transaction.fromPSBT(Buffer.from(unsigned, 'base64'))
  const witnesses = new Map(
    bySerial(originator.inputs).map((coin, i) => [outpoint(coin), fields.fundingSignatures[i]!]),
  )
  for (let index = 0; index < psbt.inputsLength; index++) {
    const input = psbt.getInput(index)
    const witness = witnesses.get(outpoint({ txid: toHex(input.txid!), vout: input.index! }))
    if (witness) psbt.updateInput(index, { finalScriptWitness: witness })
  }
  return {
    type: 'mega-contract-sign',
    version: 1,
    contractId: record.id,
    cetSignatures: fields.cetAdaptorSignatures.map((signature) => toHex(signature)),
    refundSignature: derOf(fields.refundSignature, '/refund_signature'),
    fundingPsbt: Buffer.from(psbt.toPSBT()).toString('base64'),
  }
}
