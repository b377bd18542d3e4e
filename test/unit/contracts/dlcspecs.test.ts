/**
 * dlcspecs' binary `accept_dlc` and `sign_dlc`: the byte layout field by field as Protocol.md
 * lists it, dlcspecs' own `contract_id` test vectors, and a contract whose accept and sign travel
 * in dlcspecs' form, imported back into the very messages Mega sends.
 */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import {
  type AcceptDlcFields,
  decodeAcceptDlc,
  decodeSignDlc,
  dlcContractId,
  encodeAcceptDlc,
  encodeSignDlc,
} from '../../../src/contracts/dlcspecs-wire.ts'
import * as contracts from '../../../src/contracts/index.ts'
import { ContractErrorCode } from '../../../src/contracts/index.ts'
import { fromHex, toHex } from '../../../src/protocol/hex.ts'
import { capabilitySigner } from '../../../src/protocol/oracle-attestation.ts'
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
import { TestWallet, walletSide } from '../../support/wallet.ts'

const hex = (text: string) => text.replace(/\s+/g, '')

describe('dlcspecs wire form', () => {
  it('computes contract_id as dlcspecs’ test vectors (test/contract_id_test.json) give it', () => {
    // dlcspecs test/contract_id_test.json, all four cases.
    const vectors = [
      [
        '22141d1118d666016f384cff3bf7fa124fe9ff0dcc206de88226219be5c6ee04',
        2,
        '925b5cbfdd7742d9e9ae0a6c869ce58ec56843ab539dd125a34a19661f3dabe9',
        'b04f41aec5a124d886964693bd6b1f9c8a81bca69fbdbccd216c38fdfafb45ef',
      ],
      [
        '67f25e18f0aca45196836508f5b3149fc900bd1709b32cf8f4d9f390744ba0b2',
        0,
        '83b848da05afbb4aa984731742ace0217cbc1a2bed72abfcdbd3059e171e78b4',
        'e44a16c2f5031f1b3f07161fb71ff4beb5bca73ce4c187042f0af60e6355d806',
      ],
      [
        'f10dc6857bb7562ef1920a5401c8332ac22adf12df695739b6afd5ed0ae2ee9b',
        2,
        '942bcce00a0a6ca1b41381e290fdcd68474ba6527131b81eeb2a143414fa4f4c',
        '65260a6571bd3a8f45818bb69135fe4285617940ae58ef275d85c1d91e18a1d5',
      ],
      [
        '75511322ccf0422f723ebc359bdde79f46134b046544bbfdd945dc1848cbc5c4',
        1,
        'c690e64ac286fc379c4b1f6fb69fb17626e589f50b6d6c2efc93ce8f299142b9',
        'b3c1f5680e76be18ee75a35a2d4256e960f6c2f16e29d7d325d61297615a877c',
      ],
    ] as const
    for (const [txid, vout, temporary, expected] of vectors)
      assert.equal(toHex(dlcContractId(txid, vout, fromHex(temporary))), expected)
  })

  it('lays accept_dlc out as Protocol.md lists its fields', () => {
    const fields: AcceptDlcFields = {
      protocolVersion: 1,
      temporaryContractId: new Uint8Array(32).fill(0xaa),
      acceptCollateral: 150_000n,
      fundingPubkey: fromHex(`02${'bb'.repeat(32)}`),
      payoutSpk: fromHex(`0014${'cc'.repeat(20)}`),
      payoutSerialId: 7n,
      fundingInputs: [
        {
          inputSerialId: 0x0102030405060708n,
          prevTx: fromHex('deadbeef'),
          prevTxVout: 1,
          sequence: 0xfffffffe,
          maxWitnessLen: 108,
          redeemScript: new Uint8Array(),
        },
      ],
      changeSpk: fromHex(`0014${'dd'.repeat(20)}`),
      changeSerialId: 9n,
      cetAdaptorSignatures: [new Uint8Array(162).fill(0x11), new Uint8Array(162).fill(0x22)],
      refundSignature: new Uint8Array(64).fill(0x33),
    }
    const expected = hex(`
      a71c
      00000001
      ${'aa'.repeat(32)}
      00000000000249f0
      02${'bb'.repeat(32)}
      0016 0014${'cc'.repeat(20)}
      0000000000000007
      01
        0102030405060708 04 deadbeef 00000001 fffffffe 006c 0000
      0016 0014${'dd'.repeat(20)}
      0000000000000009
      02 ${'11'.repeat(162)} ${'22'.repeat(162)}
      ${'33'.repeat(64)}
      00`)
    // type 42780 = 0xa71c; u32 protocol_version; temporary_contract_id; u64 accept_collateral;
    // point; spk (u16 length); u64 payout_serial_id; bigsize count of funding_input {u64 serial,
    // bigsize prevtx_len, prevtx, u32 vout, u32 sequence, u16 max_witness_len, spk redeemscript};
    // spk change; u64 change_serial_id; cet_adaptor_signatures (bigsize count, 65 + 97 bytes each);
    // 64-byte refund signature; Optional(negotiation_fields) absent.
    assert.equal(toHex(encodeAcceptDlc(fields)), expected)
    assert.deepEqual(decodeAcceptDlc(fromHex(expected)), fields)
  })

  it('lays sign_dlc out as Protocol.md lists its fields, and refuses malformed bytes with the offset', () => {
    const fields = {
      protocolVersion: 1,
      contractId: new Uint8Array(32).fill(0x44),
      cetAdaptorSignatures: [new Uint8Array(162).fill(0x55), new Uint8Array(162).fill(0x66)],
      refundSignature: new Uint8Array(64).fill(0x77),
      fundingSignatures: [[fromHex('3044'), fromHex('02aa')], [fromHex('01')]],
    }
    const expected = hex(`
      a71e 00000001 ${'44'.repeat(32)}
      02 ${'55'.repeat(162)} ${'66'.repeat(162)}
      ${'77'.repeat(64)}
      02 02 02 3044 02 02aa 01 01 01`)
    assert.equal(toHex(encodeSignDlc(fields)), expected)
    assert.deepEqual(decodeSignDlc(fromHex(expected)), fields)
    // An odd TLV record after the fields is ignored, an even one refused (BOLT 1).
    assert.deepEqual(decodeSignDlc(fromHex(`${expected}0301ff`)), fields)
    assert.throws(
      () => decodeSignDlc(fromHex(`${expected}0201ff`)),
      (error) => contracts.isContractError(error, ContractErrorCode.MESSAGE_INVALID),
    )
    assert.throws(
      () => decodeSignDlc(fromHex(expected.slice(0, -4))),
      (error) =>
        contracts.isContractError(error, ContractErrorCode.MESSAGE_INVALID) &&
        error.details.offset !== undefined,
    )
    // A BigSize not minimally encoded (0xfd 0x0002 for 2) is refused.
    const padded = expected.replace(`${'44'.repeat(32)}02`, `${'44'.repeat(32)}fd0002`)
    assert.throws(
      () => decodeSignDlc(fromHex(padded)),
      (error) => contracts.isContractError(error, ContractErrorCode.MESSAGE_INVALID),
    )
  })
})

describe('dlcspecs export and import of a contract', () => {
  const capability = capabilityAd()
  const oracle = capabilitySigner(capability, CAPABILITY.secretKey)
  const commitment = oracle.commit(factRequest(), 1_800_000_000)
  const finalized = finalizedOffer(acceptedOffer(offer(TRADER), REPORTER), TRADER)
  const alice = new TestWallet(51)
  const bob = new TestWallet(52)
  const proposed = contracts.propose({
    trader: TRADER,
    offer: finalized,
    capability,
    commitment,
    feeRate: 2,
    ...walletSide(alice, [70_000, 60_000], { previous: true }),
  })
  const accepted = contracts.accept({
    proposal: proposed.proposal,
    capability,
    trader: REPORTER,
    ...walletSide(bob, [200_000], { previous: true }),
  })

  it('the acceptor’s accept_dlc imports as its very accept message; the originator’s sign_dlc as a sign that finalizes alike', () => {
    const acceptHex = contracts.exportAcceptDlc(accepted.record)
    assert.equal(acceptHex.slice(0, 4), 'a71c')
    assert.deepEqual(contracts.importDlcspecs(acceptHex, proposed), accepted.accept)

    const toSign = contracts.sign({ record: proposed, accept: accepted.accept, capability, trader: TRADER })
    assert.ok('fundingPsbt' in toSign)
    const signed = contracts.sign({
      record: proposed,
      accept: accepted.accept,
      capability,
      trader: TRADER,
      walletSignedPsbt: alice.sign(toSign.fundingPsbt),
    })
    assert.ok('sign' in signed)
    const signHex = contracts.exportSignDlc(signed.record)
    assert.equal(signHex.slice(0, 4), 'a71e')
    const imported = contracts.importDlcspecs(signHex, accepted.record)
    assert.equal(imported.type, 'mega-contract-sign')
    assert.deepEqual(
      { ...imported, fundingPsbt: '' },
      { ...signed.sign, fundingPsbt: '' },
      'the same signatures; the PSBT is rebuilt from the witnesses',
    )
    const finalize = (message: contracts.ContractSign) => {
      const wallet = contracts.finalize({ record: accepted.record, sign: message, capability })
      assert.ok('fundingPsbt' in wallet)
      const done = contracts.finalize({
        record: accepted.record,
        sign: message,
        capability,
        walletSignedPsbt: bob.sign(wallet.fundingPsbt),
      })
      assert.ok('fundingTx' in done)
      return done.fundingTx
    }
    assert.equal(finalize(imported as contracts.ContractSign), finalize(signed.sign))
    assert.equal(signHex.slice(12, 76), contracts.dlcspecsContractId(accepted.record))
  })

  it('refuses another contract’s message, another type, and an export without previous transactions', () => {
    const acceptHex = contracts.exportAcceptDlc(accepted.record)
    const other = `${acceptHex.slice(0, 12)}${'00'.repeat(32)}${acceptHex.slice(76)}`
    assert.throws(
      () => contracts.importDlcspecs(other, proposed),
      (error) =>
        contracts.isContractError(error, ContractErrorCode.MESSAGE_INVALID) &&
        error.details.path === '/temporary_contract_id',
    )
    assert.throws(
      () => contracts.importDlcspecs(`a71a${acceptHex.slice(4)}`, proposed),
      (error) =>
        contracts.isContractError(error, ContractErrorCode.MESSAGE_INVALID) && error.details.path === '/type',
    )
    const bare = contracts.accept({
      proposal: proposed.proposal,
      capability,
      trader: REPORTER,
      ...walletSide(bob, [200_000]),
    })
    assert.throws(
      () => contracts.exportAcceptDlc(bare.record),
      (error) => contracts.isContractError(error, ContractErrorCode.EXPORT_UNAVAILABLE),
    )
    assert.throws(
      () => contracts.exportAcceptDlc(proposed),
      (error) => contracts.isContractError(error, ContractErrorCode.EXPORT_UNAVAILABLE),
    )
  })
})
