import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import fc from 'fast-check'
import { compareHeld, compareRanks, hold, orderOfHeld, type Rank } from '../../../src/mempool/bounded-pool.ts'
import { isExactOrder, orderOfBigint, orderOfText, orderOfTimeAndText } from '../../../src/mempool/orders.ts'
import {
  compareFiledScoreKeys,
  compareScoreKeys,
  fileScoreKey,
  orderOfFiledScoreKey,
  type ScoreKey,
} from '../../../src/mempool/ranks.ts'

const sign = (x: number) => Math.sign(x)

// Bigints around every boundary of the orders: small, near 2^28, near 2^53, works of up to
// 2^1100 (past the doubles), sums of works, and their negations (scores below zero).
const bigints = fc.oneof(
  fc.bigInt({ min: -(2n ** 30n), max: 2n ** 30n }),
  fc.integer({ min: 0, max: 1100 }).map((bits) => 1n << BigInt(bits)),
  fc
    .tuple(fc.integer({ min: 0, max: 1100 }), fc.integer({ min: 0, max: 1100 }), fc.boolean())
    .map(([a, b, negative]) => ((1n << BigInt(a)) + (1n << BigInt(b))) * (negative ? -1n : 1n)),
  fc.constantFrom(0n, 1n, -1n, 2n ** 28n - 1n, 2n ** 28n, 2n ** 28n + 1n, -(2n ** 28n), 2n ** 53n + 1n),
  fc.bigInt({ min: -(2n ** 300n), max: 2n ** 300n }),
)
// Hex keys that often share long prefixes (ties of the order), and other texts.
const texts = fc.oneof(
  fc.constantFrom('', '0', 'f', 'ff', 'a0', '0000000', '00000000', 'fffffff0', 'fffffff1', 'G', 'z', '~'),
  fc.stringMatching(/^[0-9a-f]{0,10}$/),
  fc.tuple(fc.constantFrom('abcdef0', 'abcdef01', '9'), fc.string({ maxLength: 4 })).map(([a, b]) => a + b),
  fc.string({ maxLength: 9 }),
)
const draw = <T>(pool: T[], arbitrary: fc.Arbitrary<T>) => fc.oneof(fc.constantFrom(...pool), arbitrary) // reuse values often: ties are what matters

describe('orders of bigints and texts', () => {
  it('never reverse the exact order, and equal exact orders mean equal values', () => {
    fc.assert(
      fc.property(bigints, bigints, (a, b) => {
        const [x, y] = [orderOfBigint(a), orderOfBigint(b)]
        assert.ok(Number.isInteger(x) && Math.abs(x) < 2 ** 30, 'a small integer')
        if (a < b) assert.ok(x <= y)
        if (isExactOrder(x) && x === y) assert.equal(a, b)
      }),
      { numRuns: 20_000 },
    )
    fc.assert(
      fc.property(texts, texts, (a, b) => {
        const [x, y] = [orderOfText(a), orderOfText(b)]
        assert.ok(Number.isInteger(x) && x >= 0 && x < 2 ** 30)
        if (a < b) assert.ok(x <= y, `${JSON.stringify(a)} < ${JSON.stringify(b)}`)
      }),
      { numRuns: 20_000 },
    )
  })

  it('separate hex keys that differ in their first seven digits', () => {
    assert.ok(orderOfText('0123456f') < orderOfText('0123457'))
    assert.equal(orderOfText('01234560'), orderOfText('0123456f'))
  })
})

describe('comparisons on orders', () => {
  const someBigints = [0n, 1n, 256n, 2n ** 28n, 2n ** 40n, 2n ** 40n + 1n, 2n ** 200n, -(2n ** 40n)]
  const someIds = ['', 'abc', 'abcdef0', 'abcdef01', 'abcdef02', 'f'.repeat(64), '0'.repeat(64)]

  it('order held ranks exactly like compareRanks', () => {
    const ranks = fc.record({
      tier: draw([0n, 1n, 2n, 2n ** 60n], bigints),
      work: draw(someBigints, bigints),
      id: draw(someIds, texts),
    })
    fc.assert(
      fc.property(ranks, ranks, (a: Rank, b: Rank) => {
        assert.equal(sign(compareHeld(hold(a, 1), hold(b, 2))), sign(compareRanks(a, b)))
      }),
      { numRuns: 30_000 },
    )
  })

  it('order filed score keys exactly like compareScoreKeys', () => {
    const keys = fc.tuple(draw(someBigints, bigints), draw(someIds, texts))
    fc.assert(
      fc.property(keys, keys, (a: ScoreKey, b: ScoreKey) => {
        assert.equal(
          sign(compareFiledScoreKeys(fileScoreKey(a), fileScoreKey(b))),
          sign(compareScoreKeys(a, b)),
        )
      }),
      { numRuns: 30_000 },
    )
  })

  it('sort random ranks into the same order', () => {
    const ranks = fc.array(
      fc.record({
        tier: draw([0n, 1n], bigints),
        work: draw(someBigints, bigints),
        id: draw(someIds, texts),
      }),
      { maxLength: 200 },
    )
    fc.assert(
      fc.property(ranks, (list) => {
        const exact = list.toSorted(compareRanks)
        const packed = list.map((rank) => hold(rank, rank)).toSorted(compareHeld)
        assert.deepEqual(
          packed.map((held) => held.value),
          exact,
        )
      }),
    )
  })
})

describe('numbers of keys for the ordered sets', () => {
  const someBigints = [
    0n,
    1n,
    256n,
    512n,
    2n ** 28n - 1n,
    2n ** 28n,
    2n ** 40n,
    2n ** 40n + 1n,
    2n ** 200n,
    -1n,
  ]
  const someIds = [
    '',
    'abc',
    'abcdef0',
    'abcdef01',
    'abcdef02',
    'f'.repeat(64),
    '0'.repeat(64),
    '1234',
    '1235',
  ]
  const someTiers = [-9n, -8n, -7n, -1n, 0n, 1n, 2n, 6n, 7n, 8n, 2n ** 60n]
  // Never ordered against the comparator, equal for equal keys, and exact in a double.
  const agrees = (order: number, x: number, y: number) => {
    assert.ok(Number.isSafeInteger(x) && Number.isSafeInteger(y), `${x}, ${y}: safe integers`)
    if (order < 0) assert.ok(x <= y, `${x} > ${y}`)
    if (order > 0) assert.ok(x >= y, `${x} < ${y}`)
    if (order === 0) assert.equal(x, y)
  }

  it('of held ranks never order two ranks against compareRanks', () => {
    const ranks = fc.record({
      tier: draw(someTiers, bigints),
      work: draw(someBigints, bigints),
      id: draw(someIds, texts),
    })
    fc.assert(
      fc.property(ranks, ranks, (a: Rank, b: Rank) => {
        agrees(compareRanks(a, b), orderOfHeld(hold(a, 1)), orderOfHeld(hold(b, 2)))
      }),
      { numRuns: 50_000 },
    )
  })

  it('of score keys never order two keys against compareScoreKeys', () => {
    const keys = fc.tuple(draw(someBigints, bigints), draw(someIds, texts))
    fc.assert(
      fc.property(keys, keys, (a: ScoreKey, b: ScoreKey) => {
        agrees(
          compareScoreKeys(a, b),
          orderOfFiledScoreKey(fileScoreKey(a)),
          orderOfFiledScoreKey(fileScoreKey(b)),
        )
      }),
      { numRuns: 50_000 },
    )
  })

  it('of times and texts never order two keys against time then text', () => {
    const times = fc.oneof(
      fc.constantFrom(0, 1, 1_900_000_000, 2 ** 31 - 1, 2 ** 31, -1, 1.5, 0.25, 2 ** 40),
      fc.integer({ min: 0, max: 2 ** 31 + 10 }),
      fc.double({ min: -10, max: 2 ** 32, noNaN: true }),
    )
    const keys = fc.tuple(times, draw(someIds, texts))
    fc.assert(
      fc.property(keys, keys, ([t, k], [u, l]) => {
        const order = t !== u ? t - u : k < l ? -1 : k > l ? 1 : 0
        const x = orderOfTimeAndText(t, orderOfText(k))
        const y = orderOfTimeAndText(u, orderOfText(l))
        if (order < 0) assert.ok(x <= y, `${x} > ${y}`)
        if (order > 0) assert.ok(x >= y, `${x} < ${y}`)
        if (order === 0) assert.equal(x, y)
      }),
      { numRuns: 50_000 },
    )
  })

  it('separate the common ranks without the comparator', () => {
    const number = (tier: bigint, work: bigint, id: string) =>
      orderOfHeld(hold({ tier, work, id }, undefined))
    const id = 'abcd'.repeat(16)
    assert.ok(number(0n, 256n, id) < number(0n, 512n, id))
    assert.ok(number(0n, 2n ** 40n, id) < number(1n, 256n, id))
    // The larger id is the weaker one.
    assert.ok(number(0n, 256n, 'abce'.repeat(16)) < number(0n, 256n, id))
    assert.ok(
      orderOfFiledScoreKey(fileScoreKey([-512n, id])) <
        orderOfFiledScoreKey(fileScoreKey([-256n, '0'.repeat(64)])),
    )
  })
})
