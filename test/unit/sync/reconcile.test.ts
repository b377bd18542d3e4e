/**
 * Range-based reconciliation: whatever the two sets, the initiator learns exactly what only it
 * holds and what only the peer holds; identical sets settle in one round trip; messages stay
 * under the frame size limit; range fingerprints match a direct computation.
 */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import fc from 'fast-check'
import { fingerprintOfItems } from '../../../src/sync/fingerprint.ts'
import { fromHexId } from '../../../src/sync/ids.ts'
import { bitsOfKey, itemKey, kindOfKey } from '../../../src/sync/keys.ts'
import { MIN_FRAME_SIZE_LIMIT } from '../../../src/sync/reconcile.ts'
import type { SyncItem } from '../../../src/sync/storage.ts'
import { minus, names, randomId, randomItems, reconcileInMemory, SortedItems } from './helpers.ts'

const hex32 = fc
  .uint8Array({ minLength: 32, maxLength: 32 })
  .map((bytes) => Buffer.from(bytes).toString('hex'))
// Few keys and ids that share prefixes, so bounds need long prefixes and keys tie often.
const item = fc.record({
  key: fc.integer({ min: 0, max: 5 }),
  id: fc.oneof(
    hex32,
    hex32.map((id) => `abcdef${id.slice(6)}`),
  ),
})

/** Three disjoint item lists: held by both, only by A, only by B. */
const split = fc.uniqueArray(item, { maxLength: 1500, selector: (i) => `${i.key}:${i.id}` }).chain((items) =>
  fc.array(fc.constantFrom(0, 1, 2), { minLength: items.length, maxLength: items.length }).map((sides) => ({
    common: items.filter((_, i) => sides[i] === 0),
    onlyA: items.filter((_, i) => sides[i] === 1),
    onlyB: items.filter((_, i) => sides[i] === 2),
  })),
)

const options = fc.record({
  frameSizeLimit: fc.constantFrom(MIN_FRAME_SIZE_LIMIT, 8192, 65_536, 1 << 20),
  buckets: fc.constantFrom(2, 4, 16),
})

describe('range-based reconciliation', () => {
  it('finds exactly A∖B (have) and B∖A (need) for random sets', () => {
    fc.assert(
      fc.property(split, options, ({ common, onlyA, onlyB }, opts) => {
        const a = SortedItems.from([...common, ...onlyA])
        const b = SortedItems.from([...common, ...onlyB])
        const result = reconcileInMemory(a, b, opts)
        assert.deepEqual(names(result.have), names(onlyA))
        assert.deepEqual(names(result.need), names(onlyB))
        assert.ok(result.largest <= opts.frameSizeLimit, `message of ${result.largest} bytes`)
      }),
      { numRuns: 150 },
    )
  })

  it('costs one round trip for identical sets, whatever their size', () => {
    for (const size of [0, 1, 31, 32, 1000, 20_000]) {
      const items = randomItems(size)
      const result = reconcileInMemory(SortedItems.from(items), SortedItems.from(items))
      assert.equal(result.rounds, 1, `size ${size}`)
      assert.equal(result.have.length + result.need.length, 0)
      // Small sets go as id lists both ways; from 2 × 16 items on, 16 fingerprints and an empty reply.
      const limit = size < 32 ? 2 * (size * 33 + 16) : 1000
      assert.ok(result.bytes <= limit, `size ${size}: ${result.bytes} bytes`)
    }
  })

  it('handles empty sets on either side', () => {
    const items = randomItems(5000)
    const empty = SortedItems.from([])
    const full = SortedItems.from(items)
    const fresh = reconcileInMemory(empty, full)
    assert.deepEqual(names(fresh.need), names(items))
    assert.equal(fresh.have.length, 0)
    const behind = reconcileInMemory(full, empty)
    assert.deepEqual(names(behind.have), names(items))
    assert.equal(behind.need.length, 0)
    assert.deepEqual(reconcileInMemory(empty, empty), {
      have: [],
      need: [],
      rounds: 1,
      bytes: 10,
      largest: 5,
    })
  })

  it('settles large differences under a small frame limit, in bounded rounds', () => {
    const onlyA = randomItems(20_000)
    const onlyB = randomItems(20_000)
    const common = randomItems(20_000)
    const result = reconcileInMemory(
      SortedItems.from([...common, ...onlyA]),
      SortedItems.from([...common, ...onlyB]),
      { frameSizeLimit: 64 * 1024 },
    )
    assert.deepEqual(names(result.have), names(onlyA))
    assert.deepEqual(names(result.need), names(onlyB))
    assert.ok(result.largest <= 64 * 1024)
    assert.ok(result.rounds < 60, `${result.rounds} rounds`)
  })

  it('costs about log(n) rounds and O(d log n) bytes for a small difference', () => {
    const common = randomItems(100_000)
    const onlyA = randomItems(10)
    const onlyB = randomItems(10)
    const result = reconcileInMemory(
      SortedItems.from([...common, ...onlyA]),
      SortedItems.from([...common, ...onlyB]),
    )
    assert.deepEqual(names(result.need), names(onlyB))
    assert.deepEqual(names(result.have), names(onlyA))
    assert.ok(result.rounds <= 5, `${result.rounds} rounds`)
    assert.ok(result.bytes < 40_000, `${result.bytes} bytes`)
  })

  it('tells the same id under two keys apart (more work on one side), even when swapped', () => {
    const [x, y] = [randomId(), randomId()]
    const a = [
      { key: itemKey('oracle', 24), id: x },
      { key: itemKey('oracle', 20), id: y },
    ]
    const b = [
      { key: itemKey('oracle', 20), id: x },
      { key: itemKey('oracle', 24), id: y },
    ]
    const result = reconcileInMemory(SortedItems.from(a), SortedItems.from(b))
    assert.deepEqual(names(result.have), names(minus(a, b).map(parse)))
    assert.deepEqual(names(result.need), names(minus(b, a).map(parse)))
    assert.equal(result.need.length, 2)
  })

  it('computes range fingerprints from prefix sums like a direct sum', () => {
    const items = SortedItems.from(randomItems(300, 7))
    const all = [...items].map((i) => ({ key: i.key, id: fromHexId(i.id) }))
    fc.assert(
      fc.property(fc.nat(300), fc.nat(300), (x, y) => {
        const [lower, upper] = x <= y ? [x, y] : [y, x]
        assert.deepEqual(items.fingerprint(lower, upper), fingerprintOfItems(all.slice(lower, upper)))
      }),
    )
  })

  it('reuses a previous snapshot’s hashes only for the same (key, id)', () => {
    const before = randomItems(2000, 3)
    const previous = SortedItems.from(before)
    // Some items stay, some change key (more work), some go, some come.
    const after = [
      ...before.slice(0, 1000),
      ...before.slice(1000, 1500).map((item) => ({ key: item.key + 7, id: item.id })),
      ...randomItems(300, 3),
    ]
    const reused = SortedItems.from(after, previous)
    const fresh = SortedItems.from(after)
    assert.equal(reused.size, fresh.size)
    for (const [lower, upper] of [
      [0, fresh.size],
      [10, 900],
      [500, 1700],
    ] as const) {
      assert.deepEqual(reused.fingerprint(lower, upper), fresh.fingerprint(lower, upper))
    }
    assert.deepEqual([...reused], [...fresh])
  })

  it('keys order kinds for admission and carry the bits', () => {
    const kinds = ['oracle', 'capability', 'report', 'dispute', 'offer'] as const
    for (let k = 0; k < kinds.length; k++) {
      for (const bits of [0, 8, 256]) {
        const key = itemKey(kinds[k]!, bits)
        assert.equal(kindOfKey(key), kinds[k])
        assert.equal(bitsOfKey(key), bits)
        if (k > 0) assert.ok(key > itemKey(kinds[k - 1]!, 0), 'kinds in dependency order')
      }
    }
    assert.ok(itemKey('oracle', 30) < itemKey('oracle', 10), 'more work first')
    assert.throws(() => itemKey('oracle', 257), RangeError)
  })
})

function parse(name: string): SyncItem {
  const [key, id] = name.split(':')
  return { key: Number(key), id: id! }
}
