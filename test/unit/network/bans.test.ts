import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { BanList, banGater } from '../../../src/network/bans.ts'

describe('BanList', () => {
  it('bans a peer after `threshold` strikes within the window, for `banSeconds`', () => {
    let now = 0
    const bans = new BanList({ threshold: 3, windowSeconds: 10, banSeconds: 100 }, () => now)
    assert.equal(bans.strike('p'), false)
    now = 11 // the first strike leaves the window
    assert.equal(bans.strike('p'), false)
    assert.equal(bans.strike('p'), false)
    assert.equal(bans.isBanned('p'), false)
    assert.equal(bans.strike('p'), true)
    assert.equal(bans.isBanned('p'), true)
    assert.equal(bans.isBanned('other'), false)
    assert.deepEqual(bans.stats(), { active: 1, total: 1, strikes: 4 })
    now = 112
    assert.equal(bans.isBanned('p'), false, 'the ban ended')
    assert.equal(bans.stats().active, 0)
  })

  it('gates dials and connections of banned peers', async () => {
    const bans = new BanList({ threshold: 1, windowSeconds: 10, banSeconds: 100 })
    const peer = peerIdFromPrivateKey(await generateKeyPair('Ed25519'))
    const gater = banGater(bans)
    assert.equal(await gater.denyDialPeer!(peer), false)
    bans.strike(peer.toString())
    assert.equal(await gater.denyDialPeer!(peer), true)
    assert.equal(await gater.denyInboundEncryptedConnection!(peer, {} as never), true)
  })
})
