/**
 * The idle collection: garbage left in the old generation by a process that then goes quiet is
 * collected, without leaving V8's `gc` on the global object.
 */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { getHeapStatistics } from 'node:v8'
import { collectGarbage } from '../../../src/node/heap.ts'

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
