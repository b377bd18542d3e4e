/** Networks and addresses: each contract network takes its own addresses and refuses the others'. */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { p2wpkh, TEST_NETWORK } from '@scure/btc-signer'
import {
  addressScript,
  CHAIN_OF_NETWORK,
  ContractErrorCode,
  isContractError,
  NETWORKS,
  networkOfChain,
  scriptAddress,
} from '../../../src/contracts/index.ts'
import { TestWallet } from '../../support/wallet.ts'

describe('contracts: networks and addresses', () => {
  it('maps offer chains to networks and refuses other chains', () => {
    for (const network of NETWORKS) assert.equal(networkOfChain(CHAIN_OF_NETWORK[network]), network)
    assert.throws(
      () => networkOfChain('litecoin'),
      (error) => isContractError(error, ContractErrorCode.TERMS_MISMATCH),
    )
  })

  it('decodes each network’s addresses and refuses another network’s', () => {
    const mainnet = new TestWallet(5).address
    const regtest = new TestWallet(5, 'regtest').address
    const testnet = p2wpkh(new TestWallet(5).pubkey, TEST_NETWORK).address!
    assert.match(mainnet, /^bc1q/)
    assert.match(regtest, /^bcrt1q/)
    assert.match(testnet, /^tb1q/)
    const script = new TestWallet(5).script
    const accepted: Array<[string, (typeof NETWORKS)[number]]> = [
      [mainnet, 'mainnet'],
      [regtest, 'regtest'],
      [testnet, 'testnet'],
      [testnet, 'signet'],
    ]
    for (const [address, network] of accepted) {
      assert.deepEqual(addressScript(address, network), script)
      assert.equal(scriptAddress(script, network), address)
    }
    const refused: Array<[string, (typeof NETWORKS)[number]]> = [
      [mainnet, 'regtest'],
      [regtest, 'mainnet'],
      [regtest, 'testnet'],
      [testnet, 'mainnet'],
      ['bc1qnotanaddress', 'mainnet'],
    ]
    for (const [address, network] of refused) {
      assert.throws(
        () => addressScript(address, network),
        (error) => isContractError(error, ContractErrorCode.ADDRESS_INVALID),
        `${address} on ${network}`,
      )
    }
  })
})
