import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { lineChart } from '../../../sim/svg-chart.ts'
import { seededRandom, shuffled, splitIntoClaims } from '../../../sim/world.ts'

describe('sim world', () => {
  it('splits work into whole-bit claims: the ad takes the largest power of two', () => {
    const work = (1n << 20n) + (1n << 15n) + (1n << 13n) + (1n << 5n)
    assert.deepEqual(splitIntoClaims(work, 16, 12, 4), { ad: 20, capabilities: [15, 13] })
    assert.deepEqual(splitIntoClaims(work, 16, 12, 1), { ad: 20, capabilities: [15] }, 'capability limit')
    assert.equal(splitIntoClaims(1n << 15n, 16, 12, 4), undefined, 'under the ad minimum')
  })

  it('draws the same sequence from the same seed, another from another', () => {
    const draw = (seed: string) => Array.from({ length: 5 }, seededRandom(seed))
    assert.deepEqual(draw('a'), draw('a'))
    assert.notDeepEqual(draw('a'), draw('b'))
    assert.deepEqual(shuffled([1, 2, 3, 4, 5], seededRandom('s')).toSorted(), [1, 2, 3, 4, 5])
  })

  it('charts every point of every series, with a title for screen readers', () => {
    const svg = lineChart({
      title: 'A & B',
      xLabel: 'x',
      yLabel: 'y',
      xLog: true,
      series: [
        {
          name: 'one',
          points: [
            [1, 0],
            [10, 5],
            [100, 2],
          ],
        },
        {
          name: 'two',
          points: [
            [1, 1],
            [1000, 3],
          ],
        },
      ],
    })
    assert.match(svg, /<title>A &amp; B<\/title>/)
    assert.equal(svg.match(/<circle /g)?.length, 5)
    assert.equal(svg.match(/<path d="M/g)?.length, 2)
    assert.throws(() => lineChart({ title: 't', xLabel: 'x', yLabel: 'y', series: [] }), RangeError)
  })
})
