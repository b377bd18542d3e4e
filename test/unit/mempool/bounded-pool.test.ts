import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import fc from 'fast-check'
import { BoundedPool, compareRanks, type Rank, workBits } from '../../../src/mempool/bounded-pool.ts'
import { RollingFloor } from '../../../src/mempool/rolling-floor.ts'

const rank = (bits: number, id: string, tier = 0n): Rank => ({ tier, work: 1n << BigInt(bits), id })

describe('RollingFloor', () => {
  it('rises to the evicted work plus an increment, then loses one bit per half-life', () => {
    const floor = new RollingFloor({ halfLifeSeconds: 100, incrementBits: 0.5 })
    assert.equal(floor.bitsAt(0), 0)
    floor.raise(20, 1000)
    assert.equal(floor.bitsAt(1000), 20.5)
    assert.equal(floor.admits(20, 1000), false, 'the evicted entry cannot bounce back')
    assert.equal(floor.bitsAt(1200), 18.5)
    assert.equal(floor.admits(20, 1200), true)
    assert.equal(floor.bitsAt(1000 + 100 * 20.1), 0, 'resets once negligible')
  })

  it('restores exactly from its persisted state', () => {
    const floor = new RollingFloor({ halfLifeSeconds: 60 })
    floor.raise(17, 500)
    const restored = new RollingFloor({ halfLifeSeconds: 60 }, floor.state())
    for (const now of [500, 530, 900]) assert.equal(restored.bitsAt(now), floor.bitsAt(now))
  })
})

describe('BoundedPool', () => {
  it('orders by tier, then work, then id', () => {
    assert.ok(compareRanks(rank(30, 'a'), rank(10, 'b', 1n)) < 0, 'any higher tier beats more work')
    assert.ok(compareRanks(rank(10, 'a'), rank(11, 'b')) < 0)
    assert.ok(compareRanks(rank(10, 'b'), rank(10, 'a')) < 0, 'larger id is weaker among equals')
  })

  it('evicts the weakest when full, raises the floor, and refuses weaker entries', () => {
    const pool = new BoundedPool<string>({ capacity: 3, halfLifeSeconds: 100 })
    for (const [bits, id] of [
      [10, 'a'],
      [12, 'b'],
      [14, 'c'],
    ] as const)
      pool.set(rank(bits, id), id, 0)
    const weak = pool.check(rank(9, 'd'), 0)
    assert.equal(weak.fits, false)
    const strong = pool.check(rank(11, 'e'), 0)
    assert.deepEqual(strong, { fits: true, evicts: rank(10, 'a') })
    const evicted = pool.set(rank(11, 'e'), 'e', 0)
    assert.deepEqual(
      evicted.map(([r]) => r.id),
      ['a'],
    )
    assert.ok(Math.abs(pool.floor.bitsAt(0) - 10.1) < 1e-9)
    // The evicted entry cannot come straight back even though the pool is no longer full.
    pool.delete('b')
    assert.equal(pool.check(rank(10, 'a'), 0).fits, false)
    assert.equal(pool.check(rank(10, 'a'), 100).fits, true, 'the floor decayed')
    assert.deepEqual(
      [...pool.strongestFirst()].map(([r]) => r.id),
      ['c', 'e'],
    )
  })

  it('keeps the strongest `capacity` entries whatever the arrival order (property)', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.integer({ min: 0, max: 200 }), { minLength: 1, maxLength: 60 }),
        fc.integer({ min: 1, max: 20 }),
        (bitsList, capacity) => {
          const pool = new BoundedPool<number>({ capacity, halfLifeSeconds: 1e9 })
          for (const bits of bitsList) {
            const r = rank(bits, `id${bits}`)
            if (pool.check(r, 0).fits) pool.set(r, bits, 0)
          }
          const kept = [...pool.strongestFirst()].map(([, bits]) => bits)
          const expected = [...bitsList].sort((a, b) => b - a).slice(0, capacity)
          assert.deepEqual(kept, expected)
        },
      ),
    )
  })

  it('answers as an empty pool before its first entry, with a restored floor, and empties again', () => {
    const pool = new BoundedPool<string>({ capacity: 2 }, { bits: 12, updatedAt: 1000 })
    assert.equal(pool.size, 0)
    assert.equal(pool.has('a'), false)
    assert.equal(pool.get('a'), undefined)
    assert.equal(pool.weakest(), undefined)
    assert.deepEqual([...pool.strongestFirst()], [])
    assert.equal(pool.delete('a'), undefined)
    assert.equal(pool.evict(1000), undefined)
    assert.equal(pool.floor.bitsAt(1000), 12, 'the floor restored before any entry')
    assert.deepEqual(pool.check(rank(11, 'a'), 1000), { fits: false, floorBits: 12, weakestBits: 0 })
    assert.deepEqual(pool.set(rank(13, 'a'), 'A', 1000), [])
    assert.deepEqual(pool.rankOf('a'), rank(13, 'a'))
    assert.deepEqual(
      [...pool.strongestFirst()].map(([r, v]) => [r.id, v]),
      [['a', 'A']],
    )
    pool.delete('a')
    assert.equal(pool.size, 0)
    assert.deepEqual([...pool.strongestFirst()], [])
  })

  it('hands out ranks without the entries they were held with', () => {
    const pool = new BoundedPool<string>({ capacity: 1 })
    pool.set(rank(10, 'a'), 'A', 0)
    const check = pool.check(rank(11, 'b'), 0)
    assert.deepEqual(check, { fits: true, evicts: rank(10, 'a') })
    assert.deepEqual(pool.set(rank(11, 'b'), 'B', 0), [[rank(10, 'a'), 'A']])
  })

  it('computes log2 of work beyond 2^53', () => {
    assert.equal(workBits(1n << 200n), 200)
    assert.equal(workBits(3n << 100n), 100 + Math.log2(3))
  })
})

describe('BoundedPool random eviction', () => {
  it('evicts a random entry other than the newcomer, without raising the floor', () => {
    const picks = [0.5, 0.0]
    const pool = new BoundedPool<string>({
      capacity: 3,
      randomEvictionRate: 1,
      random: () => picks.shift() ?? 0.9,
    })
    for (const [bits, id] of [
      [10, 'a'],
      [20, 'b'],
      [30, 'c'],
    ] as const)
      pool.set(rank(bits, id), id, 0)
    const evicted = pool.set(rank(40, 'd'), 'd', 0)
    assert.equal(evicted.length, 1)
    assert.equal(evicted[0]![0].id, 'a', 'random pick at index 0 of [a, b, c, d]')
    assert.equal(pool.floor.bitsAt(0), 0)
    assert.equal(pool.size, 3)
    assert.ok(pool.has('d'))
  })
})

/**
 * The definition of a pool: entries in a map, sorted by compareRanks when asked, the weakest
 * evicted with the floor raised to its work, a random victim from an id array kept by
 * swap-remove (the order random eviction draws from).
 */
class ReferencePool {
  readonly entries = new Map<string, [Rank, number]>()
  readonly ids: string[] = []
  readonly floor: RollingFloor
  readonly #capacity: number
  readonly #rate: number
  readonly #random: () => number
  constructor(capacity: number, rate: number, random: () => number) {
    this.#capacity = capacity
    this.#rate = rate
    this.#random = random
    this.floor = new RollingFloor({ halfLifeSeconds: 1e9 })
  }
  sorted(): [Rank, number][] {
    return [...this.entries.values()].sort((a, b) => compareRanks(a[0], b[0]))
  }
  set(rank: Rank, value: number): string[] {
    this.delete(rank.id)
    this.entries.set(rank.id, [rank, value])
    this.ids.push(rank.id)
    const evicted: string[] = []
    while (this.entries.size > this.#capacity) evicted.push(this.evict(rank.id))
    return evicted
  }
  evict(keep?: string): string {
    let id: string
    if (this.#rate > 0 && this.entries.size > 1 && this.#random() < this.#rate) {
      id = this.ids[Math.floor(this.#random() * this.ids.length)]!
      if (id === keep) id = this.ids[(this.ids.indexOf(id) + 1) % this.ids.length]!
    } else {
      id = this.sorted()[0]![0].id
      this.floor.raise(workBits(this.entries.get(id)![0].work), 0)
    }
    this.delete(id)
    return id
  }
  delete(id: string): boolean {
    if (!this.entries.delete(id)) return false
    const at = this.ids.indexOf(id)
    const last = this.ids.pop()!
    if (last !== id) this.ids[at] = last
    return true
  }
}

describe('BoundedPool against its definition', () => {
  // Few ids, works and tiers: re-ranks of held ids and ties of work are frequent.
  const ranks = fc.record({
    tier: fc.constantFrom(0n, 0n, 0n, 1n, 2n),
    work: fc.oneof(fc.constantFrom(256n, 512n, 1n << 40n), fc.bigInt({ min: 0n, max: 4096n })),
    id: fc.integer({ min: 0, max: 40 }).map((i) => i.toString(16).padStart(4, '0')),
  })
  const operations = fc.array(
    fc.oneof(
      { arbitrary: ranks.map((r) => ({ op: 'set' as const, rank: r })), weight: 6 },
      { arbitrary: ranks.map((r) => ({ op: 'rerank' as const, rank: r })), weight: 2 },
      { arbitrary: ranks.map((r) => ({ op: 'delete' as const, rank: r })), weight: 2 },
      { arbitrary: ranks.map((r) => ({ op: 'evict' as const, rank: r })), weight: 1 },
      { arbitrary: ranks.map((r) => ({ op: 'walk' as const, rank: r })), weight: 1 },
    ),
    { maxLength: 200, size: 'max' },
  )

  for (const rate of [0, 0.3]) {
    it(`admits, re-ranks (by set and in place), evicts and walks like it${rate ? ', with random eviction' : ''} (property)`, () => {
      fc.assert(
        fc.property(operations, fc.integer({ min: 1, max: 20 }), fc.integer(), (list, capacity, seed) => {
          // The same pseudo-random sequence on both sides.
          const randomFrom = (state: number) => () => {
            state = (Math.imul(state, 1103515245) + 12345) | 0
            return (state >>> 0) / 2 ** 32
          }
          const pool = new BoundedPool<number>({
            capacity,
            halfLifeSeconds: 1e9,
            randomEvictionRate: rate,
            random: randomFrom(seed),
          })
          const reference = new ReferencePool(capacity, rate, randomFrom(seed))
          list.forEach(({ op, rank }, value) => {
            switch (op) {
              case 'set': {
                const check = pool.check(rank, 0)
                const held = reference.sorted()
                const floorBits = reference.floor.bitsAt(0)
                const underFloor = rank.tier === 0n && workBits(rank.work) <= floorBits && floorBits > 0
                const fits =
                  reference.entries.has(rank.id) ||
                  (!underFloor && (held.length < capacity || compareRanks(rank, held[0]![0]) > 0))
                assert.equal(check.fits, fits)
                if (!check.fits) return
                const evicted = pool.set(rank, value, 0).map(([held]) => held.id)
                assert.deepEqual(evicted, reference.set(rank, value))
                break
              }
              case 'rerank': {
                // In place: the held value at the new rank, nothing evicted.
                const held = reference.entries.get(rank.id)
                assert.equal(pool.rerank(rank.id, rank.tier, rank.work), held !== undefined)
                if (held) assert.deepEqual(reference.set(rank, held[1]), [])
                break
              }
              case 'delete':
                assert.equal(pool.delete(rank.id) !== undefined, reference.delete(rank.id))
                break
              case 'evict':
                if (reference.entries.size === 0) assert.equal(pool.evict(0), undefined)
                else assert.equal(pool.evict(0)![0].id, reference.evict())
                break
              case 'walk': {
                const below = reference.sorted().filter(([held]) => compareRanks(held, rank) < 0)
                assert.deepEqual(
                  [...pool.strongestFirst(rank)].map(([held, v]) => [held.id, v]),
                  below.reverse().map(([held, v]) => [held.id, v]),
                )
                break
              }
            }
            const sorted = reference.sorted()
            assert.equal(pool.size, sorted.length)
            assert.deepEqual(
              [...pool.strongestFirst()].map(([held, v]) => [
                { tier: held.tier, work: held.work, id: held.id },
                v,
              ]),
              sorted.reverse().map(([held, v]) => [{ tier: held.tier, work: held.work, id: held.id }, v]),
            )
            assert.equal(pool.weakest()?.[0].id, sorted.at(-1)?.[0].id)
            assert.equal(pool.floor.bitsAt(0), reference.floor.bitsAt(0))
            // Lookups right after the change, of its id and of another (by a copy of the text).
            for (const id of [rank.id, `${(value % 41).toString(16).padStart(4, '0')}`]) {
              const held = reference.entries.get(id)
              assert.equal(pool.has(id), held !== undefined)
              assert.equal(pool.get(id), held?.[1])
              const found = pool.rankOf(id)
              assert.deepEqual(
                found && { tier: found.tier, work: found.work, id: found.id },
                held?.[0] && { tier: held[0].tier, work: held[0].work, id: held[0].id },
              )
            }
          })
        }),
        { numRuns: 150 },
      )
    })
  }
})
