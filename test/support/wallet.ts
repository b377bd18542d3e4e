/**
 * Test stand-ins at the edges of a contract: a wallet holding P2WPKH coins that makes and signs
 * funding PSBTs with an audited library (as Bitcoin Core's `walletprocesspsbt` would), and an
 * independent checker (bitcoinjs-lib + tiny-secp256k1, which built nothing) that parses every
 * transaction, recomputes each BIP 143 sighash and verifies every signature and amount.
 */
import { createHash, randomBytes } from 'node:crypto'
import { secp256k1 } from '@noble/curves/secp256k1.js'
import { p2tr, p2wpkh, RawTx, Transaction } from '@scure/btc-signer'
import { Transaction as CheckedTx, payments, script } from 'bitcoinjs-lib'
import * as ecc from 'tiny-secp256k1'
import type { PartyFunding, PartyMessage } from '../../src/contracts/index.ts'
import { fromHex } from '../../src/protocol/hex.ts'

const REGTEST = { bech32: 'bcrt', pubKeyHash: 0x6f, scriptHash: 0xc4, wif: 0xef }
const MAINNET = { bech32: 'bc', pubKeyHash: 0x00, scriptHash: 0x05, wif: 0x80 }

/** A wallet of P2WPKH or P2TR (key path) coins on synthetic previous outputs whose key it holds. */
export class TestWallet {
  readonly secret: Uint8Array
  readonly pubkey: Uint8Array
  readonly network: typeof REGTEST
  readonly kind: 'wpkh' | 'tr'
  constructor(seed: number, network: 'mainnet' | 'regtest' = 'mainnet', kind: 'wpkh' | 'tr' = 'wpkh') {
    this.secret = createHash('sha256').update(`test wallet ${seed}`).digest()
    this.pubkey = secp256k1.getPublicKey(this.secret, true)
    this.network = network === 'regtest' ? REGTEST : MAINNET
    this.kind = kind
  }

  #payment() {
    return this.kind === 'tr'
      ? p2tr(this.pubkey.subarray(1), undefined, this.network)
      : p2wpkh(this.pubkey, this.network)
  }

  get script(): Uint8Array {
    return this.#payment().script
  }

  /** A fresh address of the wallet (here always the one key's, fine for tests). */
  get address(): string {
    return this.#payment().address!
  }

  /**
   * A PSBT spending coins of `amounts` satoshis (as `walletcreatefundedpsbt` would pick); with
   * `previous`, each coin is output 0 of a real previous transaction carried as
   * `non_witness_utxo`, as Bitcoin Core puts it in for SegWit v0 coins.
   */
  fundingPsbt(amounts: number[], options: { previous?: boolean } = {}): string {
    const tx = new Transaction()
    for (const amount of amounts) {
      const previous = options.previous
        ? RawTx.encode({
            version: 2,
            segwitFlag: false,
            inputs: [
              { txid: randomBytes(32), index: 0, finalScriptSig: new Uint8Array(), sequence: 0xffffffff },
            ],
            outputs: [{ amount: BigInt(amount), script: this.script }],
            witnesses: [],
            lockTime: 0,
          })
        : undefined
      tx.addInput({
        txid: previous ? Transaction.fromRaw(previous, { allowUnknownInputs: true }).id : randomBytes(32),
        index: 0,
        ...(previous && { nonWitnessUtxo: RawTx.decode(previous) }),
        witnessUtxo: { script: this.script, amount: BigInt(amount) },
        // What a wallet records to recognize its Taproot coin: the key before the tweak.
        ...(this.kind === 'tr' && { tapInternalKey: this.pubkey.subarray(1) }),
      })
    }
    return Buffer.from(tx.toPSBT()).toString('base64')
  }

  /** Signs the PSBT's inputs that are its own; `finalize` as `walletprocesspsbt` does by default. */
  sign(psbtBase64: string, finalize = true): string {
    const tx = Transaction.fromPSBT(Buffer.from(psbtBase64, 'base64'))
    for (let index = 0; index < tx.inputsLength; index++) {
      const input = tx.getInput(index)
      if (input.finalScriptWitness || Buffer.compare(input.witnessUtxo!.script, this.script) !== 0) continue
      tx.signIdx(this.secret, index)
      if (finalize) tx.finalizeIdx(index)
    }
    return Buffer.from(tx.toPSBT()).toString('base64')
  }
}

function hash160(bytes: Uint8Array): Buffer {
  return createHash('ripemd160').update(createHash('sha256').update(bytes).digest()).digest()
}

function verifyEcdsa(signatureWithHashType: Uint8Array, sighash: Uint8Array, pubkey: Uint8Array): boolean {
  const { signature, hashType } = script.signature.decode(signatureWithHashType)
  return hashType === CheckedTx.SIGHASH_ALL && ecc.verify(sighash, pubkey, signature)
}

/** A previous output as the checker sees it. */
export interface PrevOut {
  txid: string
  vout: number
  amount: number
  script: Uint8Array
}

/**
 * Checks a funding transaction independently: every input spends one of `coins` with a valid
 * P2WPKH or P2TR key-path witness, the funding output is the 2-of-2 P2WSH of both funding keys (sorted), and
 * inputs = outputs + fee with a positive fee. Returns the funding output's index and value.
 */
export function checkFunding(hex: string, coins: PrevOut[], fundPubkeys: [Uint8Array, Uint8Array]) {
  const tx = CheckedTx.fromHex(hex)
  let inputs = 0
  const spent = tx.ins.map((input, index) => {
    const txid = Buffer.from(input.hash).reverse().toString('hex')
    const coin = coins.find((candidate) => candidate.txid === txid && candidate.vout === input.index)
    if (!coin) throw new Error(`funding input ${index} spends an unknown coin`)
    return coin
  })
  for (const [index, input] of tx.ins.entries()) {
    const coin = spent[index]!
    if (coin.script[0] === 0x51) {
      // P2TR key path: one BIP340 signature by the output key over the BIP 341 sighash.
      const [signature] = input.witness as [Uint8Array]
      if (input.witness.length !== 1 || (signature.length !== 64 && signature.length !== 65)) {
        throw new Error(`funding input ${index}: not a key-path witness`)
      }
      const hashType = signature.length === 64 ? CheckedTx.SIGHASH_DEFAULT : signature[64]!
      const sighash = tx.hashForWitnessV1(
        index,
        spent.map((prev) => prev.script),
        spent.map((prev) => BigInt(prev.amount)),
        hashType,
      )
      if (!ecc.verifySchnorr(sighash, coin.script.subarray(2), signature.subarray(0, 64))) {
        throw new Error(`funding input ${index}: Taproot signature does not verify`)
      }
    } else {
      const [signature, pubkey] = input.witness as [Uint8Array, Uint8Array]
      if (Buffer.compare(payments.p2wpkh({ pubkey }).output!, coin.script) !== 0)
        throw new Error(`input ${index}: key is not the coin's`)
      const scriptCode = payments.p2pkh({ hash: hash160(pubkey) }).output!
      const sighash = tx.hashForWitnessV0(index, scriptCode, BigInt(coin.amount), CheckedTx.SIGHASH_ALL)
      if (!verifyEcdsa(signature, sighash, pubkey))
        throw new Error(`funding input ${index}: signature does not verify`)
    }
    inputs += coin.amount
  }
  const witnessScript = multisigScript(fundPubkeys)
  const fundScript = payments.p2wsh({ redeem: { output: witnessScript } }).output!
  const fundVout = tx.outs.findIndex((output) => Buffer.compare(output.script, fundScript) === 0)
  if (fundVout < 0) throw new Error('no 2-of-2 P2WSH funding output of both funding keys')
  const outputs = tx.outs.reduce((sum, output) => sum + Number(output.value), 0)
  if (outputs >= inputs) throw new Error(`outputs ${outputs} ≥ inputs ${inputs}: no fee`)
  return {
    txid: tx.getId(),
    fundVout,
    fundValue: Number(tx.outs[fundVout]!.value),
    fee: inputs - outputs,
    witnessScript,
  }
}

/** A side's own funding in a proposal or accept: `wallet`'s coins of `amounts`, its payout and change address. */
export function walletSide(wallet: TestWallet, amounts: number[], options: { previous?: boolean } = {}) {
  return {
    walletPsbt: wallet.fundingPsbt(amounts, options),
    payoutAddress: wallet.address,
    changeAddress: wallet.address,
  }
}

/**
 * Checks a contract's funding transaction against both sides' messages: their funding keys
 * (originator first) and the coins they said they spend. Returns the funding output and the keys.
 */
export function checkContractFunding(hex: string, originator: PartyMessage, acceptor: PartyMessage) {
  const pubkeys: [Uint8Array, Uint8Array] = [fromHex(originator.fundPubkey), fromHex(acceptor.fundPubkey)]
  const coins = [...originator.inputs, ...acceptor.inputs].map((coin) => ({
    ...coin,
    script: fromHex(coin.script),
  }))
  return { funding: checkFunding(hex, coins, pubkeys), pubkeys }
}

function multisigScript(pubkeys: [Uint8Array, Uint8Array]): Uint8Array {
  const sorted = [...pubkeys].sort((a, b) => Buffer.compare(a, b)).map((key) => Buffer.from(key))
  return payments.p2ms({ m: 2, pubkeys: sorted }).output!
}

/**
 * Checks a spend of the funding output (a CET or the refund) independently: one input, the
 * funding outpoint, a witness `[] sig sig script` whose script is the 2-of-2 of both keys and
 * whose two signatures verify over the recomputed BIP 143 sighash, one per key; outputs plus fee
 * equal the funding value. Returns the outputs and the fee.
 */
export function checkFundingSpend(
  hex: string,
  funding: { txid: string; fundVout: number; fundValue: number },
  fundPubkeys: [Uint8Array, Uint8Array],
) {
  const tx = CheckedTx.fromHex(hex)
  if (tx.ins.length !== 1) throw new Error('a funding spend has one input')
  const input = tx.ins[0]!
  if (
    Buffer.from(input.hash).reverse().toString('hex') !== funding.txid ||
    input.index !== funding.fundVout
  ) {
    throw new Error('the input is not the funding output')
  }
  const witnessScript = multisigScript(fundPubkeys)
  const [empty, first, second, witnessed] = input.witness as Uint8Array[]
  if (empty?.length !== 0 || input.witness.length !== 4) throw new Error('not a 2-of-2 multisig witness')
  if (Buffer.compare(witnessed!, witnessScript) !== 0)
    throw new Error('the witness script is not the 2-of-2 of both funding keys')
  const sighash = tx.hashForWitnessV0(0, witnessScript, BigInt(funding.fundValue), CheckedTx.SIGHASH_ALL)
  const sorted = [...fundPubkeys].sort((a, b) => Buffer.compare(a, b))
  if (!verifyEcdsa(first!, sighash, sorted[0]!) || !verifyEcdsa(second!, sighash, sorted[1]!)) {
    throw new Error('a 2-of-2 signature does not verify')
  }
  const outputs = tx.outs.map((output) => ({
    script: Buffer.from(output.script),
    value: Number(output.value),
  }))
  const total = outputs.reduce((sum, output) => sum + output.value, 0)
  if (total > funding.fundValue) throw new Error('outputs exceed the funding output')
  return { outputs, fee: funding.fundValue - total, locktime: tx.locktime, sequence: input.sequence }
}

/** The output script of `address` (bitcoinjs), to find a payout among outputs. */
export function outputScriptOf(wallet: TestWallet): Buffer {
  return Buffer.from(payments.p2wpkh({ pubkey: Buffer.from(wallet.pubkey) }).output!)
}

/**
 * One side of a DLC as the transaction builders take it: `wallet` pays out, takes the change and
 * holds one coin of `amount` on a synthetic outpoint (`txidByte` repeated), serial ids from `serial`.
 */
export function dlcParty(
  fundPubkey: Uint8Array,
  wallet: TestWallet,
  { serial, txidByte, collateral = 100_000n, amount = 1_000_000n }: DlcPartyShape,
): PartyFunding {
  return {
    fundPubkey,
    payoutScript: wallet.script,
    payoutSerialId: serial + 1n,
    changeScript: wallet.script,
    changeSerialId: serial + 2n,
    inputs: [
      {
        txid: txidByte.repeat(32),
        vout: 0,
        amount,
        script: wallet.script,
        maxWitnessLength: 108,
        serialId: serial + 3n,
      },
    ],
    collateral,
  }
}

export interface DlcPartyShape {
  serial: bigint
  txidByte: string
  collateral?: bigint
  amount?: bigint
}
