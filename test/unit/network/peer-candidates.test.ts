import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { multiaddr } from '@multiformats/multiaddr'
import { defaultScopes, ScopeFilter, scopeOf } from '../../../src/network/address-scope.ts'
import { DialBudget, PeerCandidates } from '../../../src/network/peer-candidates.ts'

const newId = async () => peerIdFromPrivateKey(await generateKeyPair('Ed25519'))
const at = (text: string) => multiaddr(text)

describe('address scopes', () => {
  it('classify loopback, private and public addresses', () => {
    const cases: [string, string | undefined][] = [
      ['/ip4/127.0.0.1/tcp/1', 'loopback'],
      ['/ip6/::1/tcp/1', 'loopback'],
      ['/ip4/10.2.3.4/tcp/1', 'private'],
      ['/ip4/172.20.0.1/tcp/1', 'private'],
      ['/ip4/192.168.1.1/tcp/1', 'private'],
      ['/ip6/fd00::1/tcp/1', 'private'],
      ['/ip4/8.8.8.8/tcp/1', 'public'],
      ['/dns4/example.org/tcp/1', 'public'],
      ['/ip4/0.0.0.0/tcp/1', undefined],
      ['/ip4/224.0.0.1/tcp/1', undefined],
    ]
    for (const [address, scope] of cases) assert.equal(scopeOf(at(address)), scope, address)
  })

  it('default to the scopes of the addresses a node offers; bootstrap addresses always pass', () => {
    assert.deepEqual(defaultScopes(['/ip4/127.0.0.1/tcp/0']), ['loopback'])
    assert.deepEqual(defaultScopes(['/ip4/0.0.0.0/tcp/9090']), ['private', 'public'])
    assert.deepEqual(defaultScopes(['/dns4/mega.example.org/tcp/9090']), ['public'])
    const loopback = new ScopeFilter(
      ['loopback'],
      [at('/ip4/8.8.4.4/tcp/9090/p2p/12D3KooWGVj6yTwTrnmoQ1CTPXkN3bTWuq5rXcWDmdRpSwkYjvsX')],
    )
    assert.equal(loopback.allows(at('/ip4/127.0.0.1/tcp/5')), true)
    assert.equal(loopback.allows(at('/ip4/8.8.8.8/tcp/5')), false)
    assert.equal(loopback.allows(at('/ip4/8.8.4.4/tcp/9090')), true)
    const open = new ScopeFilter(['public'])
    assert.equal(open.allows(at('/ip4/127.0.0.1/tcp/5')), false)
    assert.equal(open.allows(at('/ip4/192.168.0.2/tcp/5')), false)
  })
})

describe('peer candidates', () => {
  it('stay bounded, evicting the least useful and never a connected peer', async () => {
    const candidates = new PeerCandidates(3)
    const [a, b, c, d] = await Promise.all([newId(), newId(), newId(), newId()])
    const address = [at('/ip4/127.0.0.1/tcp/1')]
    candidates.add(a!, address, 1, () => false)
    candidates.add(b!, address, 2, () => false)
    candidates.add(c!, address, 3, () => false)
    candidates.connected(a!.toString())
    candidates.failed(c!.toString())
    // Full: c failed a dial, so it goes before b, heard of earlier; a was connected.
    assert.deepEqual(
      candidates.add(d!, address, 4, () => false),
      [c!.toString()],
    )
    // b and d are connected now: kept; a, the only other, goes although it was once useful.
    assert.deepEqual(
      candidates.add(c!, address, 5, (id) => id !== a!.toString()),
      [a!.toString()],
    )
    assert.equal(candidates.size, 3)
    // Most recently heard of first, among peers never connected and never failed.
    assert.deepEqual(
      candidates.ranked().map((candidate) => candidate.id.toString()),
      [c!.toString(), d!.toString(), b!.toString()],
    )
  })

  it('dial an address at most its budget, whatever the peer ids, until a dial succeeds', () => {
    const budget = new DialBudget(3, 100)
    const dead = '/ip4/127.0.0.1/tcp/9'
    const ids = [
      '12D3KooWGVj6yTwTrnmoQ1CTPXkN3bTWuq5rXcWDmdRpSwkYjvsX',
      '12D3KooWQYhTNQdmr3ArTeUHRYzFg94BKyTkoWBDWez9kSCVe2Xo',
    ]
    assert.equal(budget.take(at(`${dead}/p2p/${ids[0]}`)), true)
    assert.equal(budget.take(at(`${dead}/p2p/${ids[1]}`)), true)
    assert.equal(budget.take(at(dead)), true)
    assert.equal(budget.take(at(`${dead}/p2p/${ids[1]}`)), false)
    assert.equal(budget.attempts(at(dead)), 3)
    budget.succeeded(at(dead))
    assert.equal(budget.allows(at(dead)), true)
  })
})
