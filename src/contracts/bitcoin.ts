/**
 * Bitcoin transactions through an audited library (`@scure/btc-signer`): networks and addresses,
 * the funding PSBT the user's wallet signs, and the signatures of the 2-of-2 funding output
 * (refund, CETs) with their witnesses. No transaction cryptography is written here.
 */
import { schnorr, secp256k1 } from '@noble/curves/secp256k1.js'
import { sha256 } from '@noble/hashes/sha2.js'
import { Address, NETWORK, OutScript, p2wpkh, SigHash, TEST_NETWORK, Transaction } from '@scure/btc-signer'
import { fromHex, toHex } from '../protocol/index.ts'
import { ContractError, ContractErrorCode } from './errors.ts'

/** The Bitcoin networks a contract can live on. */
export const NETWORKS = ['mainnet', 'testnet', 'signet', 'regtest'] as const
export type Network = (typeof NETWORKS)[number]

const PARAMS = {
  mainnet: NETWORK,
  testnet: TEST_NETWORK,
  signet: TEST_NETWORK,
  regtest: { ...TEST_NETWORK, bech32: 'bcrt' },
} as const

/** The offer's `chain` naming each network. */
export const CHAIN_OF_NETWORK: Record<Network, string> = {
  mainnet: 'bitcoin',
  testnet: 'bitcoin-testnet',
  signet: 'bitcoin-signet',
  regtest: 'bitcoin-regtest',
}

/** The network an offer's `chain` names; throws `CONTRACT_TERMS_MISMATCH` for any other chain. */
export function networkOfChain(chain: string): Network {
  const found = NETWORKS.find((network) => CHAIN_OF_NETWORK[network] === chain)
  if (!found) {
    throw new ContractError(
      ContractErrorCode.TERMS_MISMATCH,
      `the offer settles on "${chain}", not on Bitcoin (${Object.values(CHAIN_OF_NETWORK).join(', ')})`,
      { path: '/offer/terms/chain' },
    )
  }
  return found
}

/** The output script of `address` on `network`; throws `CONTRACT_ADDRESS_INVALID`. */
export function addressScript(address: string, network: Network, path = 'address'): Uint8Array {
  try {
    return OutScript.encode(Address(PARAMS[network]).decode(address))
  } catch (error) {
    throw new ContractError(
      ContractErrorCode.ADDRESS_INVALID,
      `${path}: ${JSON.stringify(address.slice(0, 100))} is not a ${network} address (${(error as Error).message})`,
      { path },
    )
  }
}

/** The address of an output script on `network`. */
export function scriptAddress(script: Uint8Array, network: Network): string {
  return Address(PARAMS[network]).encode(OutScript.decode(script))
}

/** A coin the user's wallet put in a funding PSBT. */
export interface WalletCoin {
  txid: string
  vout: number
  amount: bigint
  script: Uint8Array
  maxWitnessLength: number
}

/** Largest P2WPKH witness: item count, a 73-byte DER signature with sighash byte, a 33-byte key. */
const P2WPKH_WITNESS = 108
/** Largest P2TR key-path witness: item count, length, a 64-byte signature and a sighash byte. */
const P2TR_KEY_PATH_WITNESS = 67

/** Largest witness spending a coin of `script`, or undefined for a kind the contract cannot check. */
export function maxWitnessLengthOf(script: Uint8Array): number | undefined {
  const type = OutScript.decode(script).type
  if (type === 'wpkh') return P2WPKH_WITNESS
  if (type === 'tr') return P2TR_KEY_PATH_WITNESS
  return undefined
}

/**
 * The coins of a wallet-made PSBT (base64): every input must carry its previous output
 * (`witness_utxo`) and be P2WPKH or P2TR (spent by its key path), whose signatures the other
 * side can check. Outputs are ignored: the contract builds its own. Throws
 * `CONTRACT_FUNDING_INVALID`.
 */
export function walletCoins(psbtBase64: string): WalletCoin[] {
  const tx = parsePsbt(psbtBase64, 'funding PSBT')
  if (tx.inputsLength === 0) throw fundingError('the funding PSBT has no inputs')
  const coins: WalletCoin[] = []
  for (let index = 0; index < tx.inputsLength; index++) {
    const input = tx.getInput(index)
    const utxo = input.witnessUtxo
    if (!input.txid || input.index === undefined || !utxo) {
      throw fundingError(`funding PSBT input ${index} has no witness_utxo (previous output)`, index)
    }
    const maxWitnessLength = maxWitnessLengthOf(utxo.script)
    if (maxWitnessLength === undefined) {
      throw fundingError(`funding PSBT input ${index} is neither P2WPKH nor P2TR`, index)
    }
    coins.push({
      txid: toHex(input.txid),
      vout: input.index,
      amount: utxo.amount,
      script: utxo.script,
      maxWitnessLength,
    })
  }
  return coins
}

function parsePsbt(base64: string, what: string): Transaction {
  try {
    return Transaction.fromPSBT(Buffer.from(base64.trim(), 'base64'))
  } catch (error) {
    throw fundingError(`the ${what} is not a PSBT: ${(error as Error).message}`)
  }
}

function fundingError(message: string, input?: number): ContractError {
  return new ContractError(ContractErrorCode.FUNDING_INVALID, message, input === undefined ? {} : { input })
}

/** A coin of either side spent by the funding transaction. */
export interface SpentCoin {
  txid: string
  vout: number
  amount: bigint
  script: Uint8Array
}

/** What a wallet puts in its own PSBT inputs to recognize and sign them (key origins, the previous transaction). */
const WALLET_INPUT_FIELDS = [
  'nonWitnessUtxo',
  'bip32Derivation',
  'tapBip32Derivation',
  'tapInternalKey',
] as const

/**
 * The unsigned funding transaction as a PSBT (base64), every input with its previous output.
 * Inputs found in `walletPsbt` (this side's wallet-made PSBT) also get what the wallet put there
 * to recognize them, so a hardware wallet signs them without a coordinator filling them in.
 */
export function fundingPsbt(fund: Uint8Array, coins: SpentCoin[], walletPsbt?: string): string {
  const tx = Transaction.fromRaw(fund)
  const wallet = walletPsbt === undefined ? undefined : parsePsbt(walletPsbt, 'wallet PSBT')
  for (let index = 0; index < tx.inputsLength; index++) {
    const input = tx.getInput(index)
    const coin = coins.find(
      (candidate) => candidate.txid === toHex(input.txid!) && candidate.vout === input.index,
    )
    if (!coin) throw new Error(`funding input ${index} is nobody's coin`)
    tx.updateInput(index, { witnessUtxo: { script: coin.script, amount: coin.amount } })
    for (let own = 0; wallet && own < wallet.inputsLength; own++) {
      const mine = wallet.getInput(own)
      if (toHex(mine.txid!) !== coin.txid || mine.index !== coin.vout) continue
      for (const field of WALLET_INPUT_FIELDS) {
        if (mine[field] !== undefined) tx.updateInput(index, { [field]: mine[field] })
      }
    }
  }
  return Buffer.from(tx.toPSBT()).toString('base64')
}

/**
 * Takes the wallet's signatures for `own` coins from `signedBase64` into the funding PSBT
 * `unsignedBase64`: the signed PSBT must be of the same transaction, and each own input must be
 * signed (finalized, or with a partial signature to finalize) with a signature that verifies.
 * Returns the PSBT with those inputs finalized. Throws `CONTRACT_FUNDING_INVALID`.
 */
export function takeWalletSignatures(unsignedBase64: string, signedBase64: string, own: SpentCoin[]): string {
  const unsigned = parsePsbt(unsignedBase64, 'funding PSBT')
  const signed = parsePsbt(signedBase64, 'signed funding PSBT')
  if (signed.id !== unsigned.id) {
    throw fundingError(
      `the signed PSBT is of transaction ${signed.id}, not of this contract's funding ${unsigned.id}`,
    )
  }
  for (let index = 0; index < unsigned.inputsLength; index++) {
    const input = unsigned.getInput(index)
    if (!own.some((coin) => coin.txid === toHex(input.txid!) && coin.vout === input.index)) continue
    const theirs = signed.getInput(index)
    if (!theirs.finalScriptWitness) {
      if (!theirs.partialSig?.length)
        throw fundingError(`the wallet did not sign funding input ${index}`, index)
      try {
        signed.finalizeIdx(index)
      } catch (error) {
        throw fundingError(`funding input ${index} cannot be finalized: ${(error as Error).message}`, index)
      }
    }
    const witness = signed.getInput(index).finalScriptWitness!
    unsigned.updateInput(index, { finalScriptWitness: witness })
  }
  const result = Buffer.from(unsigned.toPSBT()).toString('base64')
  const missing = unverifiedInputs(result, own)
  if (missing.length > 0) throw fundingError(`funding input ${missing[0]} has no valid signature`, missing[0])
  return result
}

/**
 * Indexes of the inputs among `coins` whose final witness is not a valid spend: P2WPKH (key
 * hashing to the previous output, ECDSA over the BIP 143 sighash, SIGHASH_ALL) or P2TR key path
 * (BIP340 over the BIP 341 sighash, SIGHASH_DEFAULT or ALL, by the output key). The PSBT must
 * carry every input's previous output: the BIP 341 sighash commits to all of them.
 */
function unverifiedInputs(psbtBase64: string, coins: SpentCoin[]): number[] {
  const tx = parsePsbt(psbtBase64, 'funding PSBT')
  const prevouts = Array.from({ length: tx.inputsLength }, (_, index) => tx.getInput(index).witnessUtxo)
  const bad: number[] = []
  for (let index = 0; index < tx.inputsLength; index++) {
    const input = tx.getInput(index)
    const coin = coins.find(
      (candidate) => candidate.txid === toHex(input.txid!) && candidate.vout === input.index,
    )
    if (!coin) continue
    const witness = input.finalScriptWitness
    const valid =
      OutScript.decode(coin.script).type === 'tr'
        ? prevouts.every((prevout) => prevout !== undefined) &&
          validTaprootKeySpend(
            tx,
            index,
            coin,
            witness,
            prevouts as Array<{ script: Uint8Array; amount: bigint }>,
          )
        : validP2wpkhSpend(tx, index, coin, witness)
    if (!valid) bad.push(index)
  }
  return bad
}

function validTaprootKeySpend(
  tx: Transaction,
  index: number,
  coin: SpentCoin,
  witness: Uint8Array[] | undefined,
  prevouts: Array<{ script: Uint8Array; amount: bigint }>,
): boolean {
  if (witness?.length !== 1) return false
  const signature = witness[0]!
  if (signature.length !== 64 && !(signature.length === 65 && signature[64] === SigHash.ALL)) return false
  const hashType = signature.length === 64 ? SigHash.DEFAULT : SigHash.ALL
  const sighash = tx.preimageWitnessV1(
    index,
    prevouts.map((prevout) => prevout.script),
    hashType,
    prevouts.map((prevout) => prevout.amount),
  )
  try {
    return schnorr.verify(signature.subarray(0, 64), sighash, coin.script.subarray(2))
  } catch {
    return false
  }
}

function validP2wpkhSpend(
  tx: Transaction,
  index: number,
  coin: SpentCoin,
  witness: Uint8Array[] | undefined,
): boolean {
  if (witness?.length !== 2) return false
  const [signature, pubkey] = witness as [Uint8Array, Uint8Array]
  if (toHex(p2wpkh(pubkey).script) !== toHex(coin.script)) return false
  if (signature.at(-1) !== SigHash.ALL) return false
  const scriptCode = OutScript.encode({ type: 'pkh', hash: p2wpkh(pubkey).hash })
  const sighash = tx.preimageWitnessV0(index, scriptCode, SigHash.ALL, coin.amount)
  return verifyDer(signature.subarray(0, -1), sighash, pubkey)
}

/** Verifies a DER ECDSA signature (low S) over a 32-byte digest. */
export function verifyDer(der: Uint8Array, digest: Uint8Array, pubkey: Uint8Array): boolean {
  try {
    return secp256k1.verify(der, digest, pubkey, { prehash: false, format: 'der' })
  } catch {
    return false
  }
}

/** The funding transaction with every input finalized (hex); throws `CONTRACT_FUNDING_INVALID`. */
export function extractFunding(psbtBase64: string, coins: SpentCoin[]): Uint8Array {
  const bad = unverifiedInputs(psbtBase64, coins)
  if (bad.length > 0) throw fundingError(`funding input ${bad[0]} has no valid signature`, bad[0])
  return parsePsbt(psbtBase64, 'funding PSBT').extract()
}

/** The 2-of-2 funding output a CET or the refund spends. */
export interface FundingOutput {
  fundingScript: Uint8Array
  fundValue: bigint
}

function p2wshScript(witnessScript: Uint8Array): Uint8Array {
  return OutScript.encode({ type: 'wsh', hash: sha256(witnessScript) })
}

function spendOfFunding(raw: Uint8Array, output: FundingOutput): Transaction {
  const tx = Transaction.fromRaw(raw, { allowUnknownOutputs: true })
  tx.updateInput(0, {
    witnessUtxo: { script: p2wshScript(output.fundingScript), amount: output.fundValue },
    witnessScript: output.fundingScript,
  })
  return tx
}

/** BIP 143 sighash (SIGHASH_ALL) of a transaction spending the funding output at input 0. */
export function fundingSpendSighash(raw: Uint8Array, output: FundingOutput): Uint8Array {
  return Transaction.fromRaw(raw, { allowUnknownOutputs: true }).preimageWitnessV0(
    0,
    output.fundingScript,
    SigHash.ALL,
    output.fundValue,
  )
}

/** Our ECDSA signature (DER ‖ SIGHASH_ALL, hex) of a transaction spending the funding output. */
export function signFundingSpend(raw: Uint8Array, output: FundingOutput, secret: Uint8Array): string {
  const tx = spendOfFunding(raw, output)
  tx.signIdx(secret, 0, [SigHash.ALL])
  return toHex(tx.getInput(0).partialSig![0]![1])
}

/** Checks a counterparty's signature (DER ‖ SIGHASH_ALL, hex) of a funding spend. */
export function verifyFundingSpend(
  raw: Uint8Array,
  output: FundingOutput,
  signatureHex: string,
  pubkey: Uint8Array,
): boolean {
  const signature = fromHex(signatureHex, undefined, 'funding spend signature')
  if (signature.length < 9 || signature.at(-1) !== SigHash.ALL) return false
  return verifyDer(signature.subarray(0, -1), fundingSpendSighash(raw, output), pubkey)
}

/** The fully signed spend of the funding output: both signatures in the 2-of-2 witness. */
export function completeFundingSpend(
  raw: Uint8Array,
  output: FundingOutput,
  signatures: Array<{ pubkey: Uint8Array; signature: string }>,
): Uint8Array {
  const tx = spendOfFunding(raw, output)
  tx.updateInput(0, {
    partialSig: signatures.map(
      ({ pubkey, signature }) =>
        [pubkey, fromHex(signature, undefined, 'funding spend signature')] as [Uint8Array, Uint8Array],
    ),
  })
  tx.finalizeIdx(0)
  return tx.extract()
}
