import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { OrphanPool } from '../../../src/network/orphans.ts'

const OPTIONS = { maxCount: 6, maxPerPeer: 3, maxBytes: 1000, expirySeconds: 60 }

function pool(options = OPTIONS) {
  let now = 1000
  const orphans = new OrphanPool<string>(options, () => now)
  const add = (id: string, parent: string, peer: string, bytes = 10) =>
    orphans.add({ id, parent, peer, bytes, value: id })
  return { orphans, add, tick: (seconds: number) => (now += seconds) }
}

describe('OrphanPool', () => {
  it('holds an orphan until its parent arrives, once per id', () => {
    const { orphans, add } = pool()
    assert.equal(add('a', 'oracle:1', 'p1'), 'added')
    assert.equal(add('a', 'oracle:1', 'p2'), 'duplicate')
    assert.equal(add('b', 'oracle:1', 'p2'), 'added')
    assert.equal(add('c', 'oracle:2', 'p2'), 'added')
    assert.deepEqual(
      orphans.take('oracle:1').map((o) => o.value),
      ['a', 'b'],
    )
    assert.deepEqual(orphans.take('oracle:1'), [])
    assert.equal(orphans.size, 1)
    assert.deepEqual(orphans.stats(), { count: 1, bytes: 10, added: 3, resolved: 2, expired: 0, evicted: 0 })
  })

  it('bounds each peer: a peer over its share evicts its own oldest', () => {
    const { orphans, add } = pool()
    for (const id of ['a', 'b', 'c', 'd']) add(id, `oracle:${id}`, 'flooder')
    add('h', 'oracle:h', 'honest')
    assert.equal(orphans.has('a'), false, 'the flooder’s oldest went')
    assert.deepEqual(
      ['b', 'c', 'd', 'h'].map((id) => orphans.has(id)),
      [true, true, true, true],
    )
  })

  it('bounds the total in count and bytes: the peer using the most bytes loses its oldest', () => {
    const { orphans, add } = pool()
    add('h1', 'x', 'honest')
    for (const id of ['a', 'b', 'c']) add(id, 'x', 'p1')
    add('d', 'x', 'p2')
    add('e', 'x', 'p2')
    assert.equal(orphans.size, 6)
    add('f', 'x', 'p3')
    assert.equal(orphans.size, 6)
    assert.equal(orphans.has('a'), false, 'p1 used the most bytes')
    assert.equal(orphans.has('h1'), true, 'the honest peer’s orphan stays though it is the oldest')
  })

  it('bounds the bytes: the peer with the heaviest orphans loses them first', () => {
    const { orphans, add } = pool({ ...OPTIONS, maxCount: 100 })
    add('h1', 'x', 'honest')
    add('h2', 'x', 'honest')
    add('b1', 'x', 'heavy', 400)
    add('b2', 'x', 'heavy', 400)
    assert.equal(add('b3', 'x', 'heavy', 400), 'added')
    assert.deepEqual(
      ['h1', 'h2', 'b1', 'b2', 'b3'].map((id) => orphans.has(id)),
      [true, true, false, true, true],
      'the heavy peer’s oldest went, though the honest peer’s are older',
    )
    assert.ok(orphans.stats().bytes <= 1000)
    assert.equal(add('huge', 'x', 'other', 2000), 'evicted', 'larger than the whole budget')
    assert.equal(orphans.has('h1'), true)
  })

  it('expires orphans whose parent did not come in time', () => {
    const { orphans, add, tick } = pool()
    add('a', 'x', 'p1')
    tick(30)
    add('b', 'x', 'p1')
    tick(31)
    assert.equal(orphans.expire(), 1)
    assert.deepEqual(
      orphans.take('x').map((o) => o.id),
      ['b'],
    )
    assert.equal(orphans.stats().expired, 1)
  })

  it('drops a banned peer’s orphans', () => {
    const { orphans, add } = pool()
    add('a', 'x', 'bad')
    add('b', 'y', 'bad')
    add('c', 'x', 'good')
    assert.equal(orphans.removePeer('bad'), 2)
    assert.deepEqual(
      orphans.take('x').map((o) => o.id),
      ['c'],
    )
    assert.deepEqual(orphans.take('y'), [])
  })
})
