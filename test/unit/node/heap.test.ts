/**
 * The idle collection: garbage left in the old generation by a process that then goes quiet is
 * collected, without leaving V8's `gc` on the global object.
 */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { getHeapStatistics, setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
import { collectGarbage, HeapGrowthCollector, oldGenerationBytes } from '../../../src/node/heap.ts'

// V8's young-generation collection, to promote objects when the test needs it.
setFlagsFromString('--expose-gc')
const minorGc = runInNewContext('gc') as (options: { type: 'minor' }) => void
setFlagsFromString('--no-expose-gc')
const scavenge = () => minorGc({ type: 'minor' })

const used = () => getHeapStatistics().used_heap_size
const MiB = 1024 * 1024

describe('collectGarbage', () => {
  it('frees the old generation of a process that has stopped allocating', async () => {
    // ~40 MiB of objects, kept through enough young collections to be promoted, then dropped.
    let kept: { index: number; text: string }[] | undefined = Array.from({ length: 400_000 }, (_, index) => ({
      index,
      text: `entry ${index} `.repeat(8),
    }))
    for (let round = 0; round < 20; round++) new Array(100_000).fill({ round })
    const withGarbage = used()
    assert.ok(kept.length > 0)
    kept = undefined
    await new Promise((done) => setTimeout(done, 100))
    assert.ok(used() > withGarbage - 10 * MiB, 'V8 has not collected it on its own')
    collectGarbage()
    const deadline = Date.now() + 10_000
    while (used() > withGarbage - 30 * MiB && Date.now() < deadline) {
      await new Promise((done) => setTimeout(done, 50))
    }
    assert.ok(used() <= withGarbage - 30 * MiB, `${(used() / MiB).toFixed(1)} MiB still used`)
    assert.equal((globalThis as { gc?: unknown }).gc, undefined)
  })
})

describe('HeapGrowthCollector', () => {
  it('collects each time the old generation has grown by its step since the last collection', () => {
    let old = 10 * MiB
    let collections = 0
    const collector = new HeapGrowthCollector(
      { growthBytes: 2 * MiB, maxOldBytes: 64 * MiB },
      { oldBytes: () => old, collect: () => collections++ },
    )
    const step = (bytes: number) => {
      old = bytes
      return collector.check()
    }
    assert.equal(step(10 * MiB), false, 'the first check takes its baseline')
    assert.equal(step(11.9 * MiB), false)
    assert.equal(step(12 * MiB), true)
    assert.equal(step(9 * MiB), false, 'the check after a collection takes the new baseline')
    assert.equal(step(10.5 * MiB), false)
    assert.equal(step(8 * MiB), false, 'V8 collected on its own: a lower baseline')
    assert.equal(step(10 * MiB), true)
    assert.equal(step(60 * MiB), false)
    assert.equal(step(66 * MiB), false, 'a heap above its limit is left to V8')
    assert.equal(collections, 2)
  })

  it('frees what a quiet process keeps promoting, checked on its own timer', async () => {
    const oldBytes = oldGenerationBytes
    let collections = 0
    const collector = new HeapGrowthCollector(
      { growthBytes: 1 * MiB, intervalMs: 20 },
      {
        collect: () => {
          collections++
          collectGarbage()
        },
      },
    )
    // Sweeping after an earlier collection (another test's) shrinks the old generation for a
    // while: start once it holds still.
    for (let settled = Date.now() + 5_000, last = -1; Date.now() < settled; ) {
      const now = oldBytes()
      if (Math.abs(now - last) < 64 * 1024) break
      last = now
      await new Promise((done) => setTimeout(done, 100))
    }
    collector.start()
    try {
      await new Promise((done) => setTimeout(done, 60)) // its baseline
      // A few MiB promoted by young collections, as a quiet node's heartbeats promote theirs, then
      // dropped: too little for V8 to start a major collection on its own.
      let kept: string[] | undefined = Array.from({ length: 30_000 }, (_, index) =>
        `entry ${index} `.repeat(4),
      )
      scavenge()
      scavenge() // survived two young collections: promoted to the old generation
      const withGarbage = oldBytes()
      assert.ok(kept.length > 0)
      kept = undefined
      const deadline = Date.now() + 10_000
      while ((collections === 0 || oldBytes() > withGarbage - 2 * MiB) && Date.now() < deadline) {
        await new Promise((done) => setTimeout(done, 20))
      }
      assert.ok(collections >= 1, 'the collector collected')
      assert.ok(
        oldBytes() <= withGarbage - 2 * MiB,
        `${(oldBytes() / MiB).toFixed(1)} MiB still in the old generation`,
      )
    } finally {
      collector.stop()
    }
  })
})
