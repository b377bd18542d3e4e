import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import fc from 'fast-check'
import { OrderedSet } from '../../../src/mempool/ordered-set.ts'

// Keys that tie on the comparator (same `order`, another `tag`): the set holds one of them, the
// one added last, as the reference below does.
interface Key {
  order: number
  tag: number
}
const compare = (a: Key, b: Key) => a.order - b.order
// Numbers that order like the keys: exact, coarse (ties the comparator breaks), or none at all.
const orderings: [string, (key: Key) => number][] = [
  ['exact numbers', (key) => key.order],
  ['coarse numbers', (key) => Math.floor(key.order / 3)],
  ['one number for every key', () => 0],
]

/** The definition: every key in one array, kept sorted by a scan. */
class Reference {
  readonly keys: Key[] = []
  #indexOf(key: Key): number {
    return this.keys.findIndex((held) => compare(held, key) === 0)
  }
  add(key: Key): boolean {
    const at = this.#indexOf(key)
    if (at >= 0) {
      this.keys[at] = key
      return false
    }
    this.keys.push(key)
    this.keys.sort(compare)
    return true
  }
  delete(key: Key): boolean {
    const at = this.#indexOf(key)
    if (at >= 0) this.keys.splice(at, 1)
    return at >= 0
  }
  ascending(from?: Key): Key[] {
    return from ? this.keys.filter((key) => compare(key, from) >= 0) : [...this.keys]
  }
  descending(below?: Key): Key[] {
    return (below ? this.keys.filter((key) => compare(key, below) < 0) : [...this.keys]).reverse()
  }
}

const key = (range: number) =>
  fc.record({ order: fc.integer({ min: 0, max: range }), tag: fc.integer({ min: 0, max: 3 }) })
const operation = (range: number) =>
  fc.oneof(
    { arbitrary: key(range).map((k) => ({ op: 'add' as const, key: k })), weight: 5 },
    { arbitrary: key(range).map((k) => ({ op: 'delete' as const, key: k })), weight: 4 },
    { arbitrary: key(range + 2).map((k) => ({ op: 'ascending' as const, key: k })), weight: 1 },
    { arbitrary: key(range + 2).map((k) => ({ op: 'descending' as const, key: k })), weight: 1 },
  )

/** Applies `operations` to a set and the reference, checking every answer and the whole order after each. */
function check(orderOf: (key: Key) => number, maxLeaf: number, operations: { op: string; key: Key }[]): void {
  const set = new OrderedSet<Key>(compare, orderOf, maxLeaf)
  const reference = new Reference()
  for (const { op, key } of operations) {
    switch (op) {
      case 'add':
        assert.equal(set.add(key), reference.add(key))
        break
      case 'delete':
        assert.equal(set.delete(key), reference.delete(key))
        break
      case 'ascending':
        assert.deepEqual([...set.ascending(key)], reference.ascending(key))
        break
      case 'descending':
        assert.deepEqual([...set.descending(key)], reference.descending(key))
        break
    }
    assert.equal(set.size, reference.keys.length)
    assert.deepEqual([...set.ascending()], reference.keys)
    assert.deepEqual([...set.descending()], reference.descending())
    assert.equal(set.first(), reference.keys[0])
    assert.equal(set.last(), reference.keys.at(-1))
    for (let at = -1; at <= reference.keys.length; at++) assert.equal(set.keyAt(at), reference.keys[at])
    assert.equal(
      set.has(key),
      reference.keys.some((held) => compare(held, key) === 0),
    )
  }
}

describe('OrderedSet', () => {
  for (const [name, orderOf] of orderings) {
    it(`answers like a sorted array on random adds, deletes and walks, with ties, splits and merges (${name})`, () => {
      for (const [maxLeaf, range, length] of [
        [4, 40, 300],
        [4, 400, 600],
        [8, 2_000, 800],
      ] as const) {
        fc.assert(
          fc.property(fc.array(operation(range), { maxLength: length, size: 'max' }), (operations) =>
            check(orderOf, maxLeaf, operations),
          ),
          { numRuns: 40 },
        )
      }
    })
  }

  it('grows and shrinks through many leaves in any order', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.integer({ min: 0, max: 100_000 }), { minLength: 200, maxLength: 2_000 }),
        fc.boolean(),
        (orders, deleteInOrder) => {
          const keys = orders.map((order) => ({ order, tag: 0 }))
          const operations = [
            ...keys.map((key) => ({ op: 'add', key })),
            ...(deleteInOrder ? keys.toSorted(compare) : keys.toReversed()).map((key) => ({
              op: 'delete',
              key,
            })),
          ]
          const set = new OrderedSet<Key>(compare, (key) => Math.floor(key.order / 64), 4)
          const sorted = keys.toSorted(compare)
          for (const { op, key } of operations) op === 'add' ? set.add(key) : set.delete(key)
          assert.equal(set.size, 0)
          for (const key of keys) set.add(key)
          assert.deepEqual([...set.ascending()], sorted)
          assert.deepEqual([...set.descending(sorted[100])], sorted.slice(0, 100).reverse())
          assert.deepEqual([...set.ascending(sorted[100])], sorted.slice(100))
        },
      ),
      { numRuns: 40 },
    )
  })

  it('is empty and walks nothing before its first key and after its last', () => {
    const set = new OrderedSet<Key>(compare, (key) => key.order)
    assert.equal(set.first(), undefined)
    assert.equal(set.last(), undefined)
    assert.deepEqual([...set.ascending()], [])
    assert.deepEqual([...set.descending({ order: 1, tag: 0 })], [])
    assert.equal(set.delete({ order: 1, tag: 0 }), false)
    assert.throws(() => new OrderedSet<Key>(compare, (key) => key.order, 3), RangeError)
  })
})
