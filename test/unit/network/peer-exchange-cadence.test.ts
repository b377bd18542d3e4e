/**
 * When a node announces itself: every `intervalMs` while it is short of peers; every
 * `maxIntervalMs` once it has them, so an idle network stays quiet; and an announcement from a
 * peer never heard of brings one within `intervalMs`, so a newcomer hears from every node soon,
 * then the long wait again (a join costs each node one announcement, not a ramp of them).
 */
import assert from 'node:assert/strict'
import { afterEach, beforeEach, describe, it, mock } from 'node:test'
import { generateKeyPair } from '@libp2p/crypto/keys'
import type { Message as GossipMessage } from '@libp2p/gossipsub'
import type { PeerId } from '@libp2p/interface'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { multiaddr } from '@multiformats/multiaddr'
import pino from 'pino'
import type { MegaGossipSub } from '../../../src/network/libp2p.ts'
import { PeerCandidates } from '../../../src/network/peer-candidates.ts'
import { encodeAnnouncement, PeerExchange } from '../../../src/network/peer-exchange.ts'
import { PEER_EXCHANGE_TOPIC } from '../../../src/network/topics.ts'

const INTERVAL = 10_000
const MAX_INTERVAL = 320_000

async function newPeer(): Promise<PeerId> {
  return peerIdFromPrivateKey(await generateKeyPair('Ed25519'))
}

describe('peer exchange cadence', () => {
  let published: number[]
  let wantsPeers: boolean
  let exchange: PeerExchange
  let start: number

  beforeEach(async () => {
    const peerId = await newPeer()
    mock.timers.enable({ apis: ['setTimeout', 'Date'], now: 1_000_000 })
    start = Date.now()
    published = []
    wantsPeers = false
    const pubsub = {
      topicValidators: new Map(),
      subscribe() {},
      unsubscribe() {},
      getSubscribers: () => ['a peer'],
      publish: async () => {
        published.push((Date.now() - start) / 1000)
      },
    } as unknown as MegaGossipSub
    exchange = new PeerExchange(
      {
        pubsub,
        peerId,
        addresses: () => [multiaddr('/ip4/127.0.0.1/tcp/4001')],
        candidates: new PeerCandidates(64),
        scope: { allows: () => true } as never,
        isBanned: () => false,
        isConnected: () => false,
        strike: () => {},
        announced: () => {},
        evicted: () => {},
        wantsPeers: () => wantsPeers,
        logger: pino({ level: 'silent' }),
        now: () => Date.now(),
      },
      { intervalMs: INTERVAL, maxIntervalMs: MAX_INTERVAL, maxPerMinute: 600, maxPerPeerPerMinute: 1200 },
    )
  })
  afterEach(() => {
    exchange.stop()
    mock.timers.reset()
  })

  /** Moves the clock `seconds` forward, one second at a time (timers fire on the way). */
  function elapse(seconds: number): void {
    for (let s = 0; s < seconds; s++) mock.timers.tick(1000)
  }

  it('announces every interval while the node is short of peers', () => {
    wantsPeers = true
    exchange.start()
    elapse(60)
    assert.deepEqual(published, [0, 10, 20, 30, 40, 50, 60])
  })

  it('announces every maxIntervalMs while the node has its peers', () => {
    exchange.start()
    elapse(1000)
    assert.deepEqual(published, [0, 320, 640, 960])
  })

  it('announces once more when short of peers, then every maxIntervalMs once it has them', () => {
    wantsPeers = true
    exchange.start()
    elapse(25) // 0, 10, 20
    wantsPeers = false
    elapse(400)
    assert.deepEqual(published, [0, 10, 20, 30, 350])
  })

  it('announces within the interval after hearing of a new peer, then waits as long as before', async () => {
    exchange.start()
    elapse(700) // 0, 320, 640: the next one due at 960
    assert.equal(published.length, 3)
    const newcomer = await newPeer()
    const message = {
      type: 'signed',
      topic: PEER_EXCHANGE_TOPIC,
      from: newcomer,
      sequenceNumber: 1n,
      data: encodeAnnouncement(newcomer.publicKey!, [multiaddr('/ip4/127.0.0.1/tcp/4002')]),
      signature: new Uint8Array(64),
      key: newcomer.publicKey!,
    } as unknown as GossipMessage
    assert.equal(exchange.validate(newcomer, message), 'accept')
    elapse(INTERVAL / 1000)
    assert.equal(published.length, 4, 'announced within the interval')
    const hurried = published[3]!
    // Then the long wait again: not 10, 20, 40 s… as after a start.
    elapse(MAX_INTERVAL / 1000 + 10)
    assert.deepEqual(published.slice(4), [hurried + MAX_INTERVAL / 1000])
    // The same peer again is no news: no hurry.
    assert.equal(exchange.validate(newcomer, message), 'accept')
    elapse(INTERVAL / 1000)
    assert.equal(published.length, 5)
  })
})
