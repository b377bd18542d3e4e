/**
 * The initiator's fetch pipeline: pages are handed to `prepare` (signature threads) ahead of
 * admission, a bounded number of them, and admitted in the order they were asked for; a page
 * that fails does not lose the pages received before it.
 */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { isSyncError, SyncErrorCode } from '../../../src/sync/errors.ts'
import { initiateSync } from '../../../src/sync/initiator.ts'
import { serveSync } from '../../../src/sync/responder.ts'
import type { SyncSource } from '../../../src/sync/source.ts'
import { channelPair, randomItems, SortedItems } from './helpers.ts'

/** A peer holding `count` items, each message `{"n":i}` with i its place in key order. */
function peer(count: number, text: (n: number) => string = (n) => `{"n":${n}}`) {
  const items = SortedItems.from(randomItems(count))
  const place = new Map([...items].map((item, n) => [item.id, n]))
  const source: SyncSource = {
    snapshot: () => items,
    message: (id) => text(place.get(id)!),
    submit: () => ({ status: 'invalid' }),
  }
  return { items, source }
}

/** A fresh node that records what it prepares and admits; `prepare` answers after a delay. */
function freshNode() {
  const admitted: number[] = []
  let prepared = 0
  let pages = 0
  let mostAhead = 0
  const source: SyncSource = {
    snapshot: () => SortedItems.from([]),
    message: () => undefined,
    submit: () => ({ status: 'invalid' }),
    prepare: async (messages) => {
      prepared++
      await new Promise((resolve) => setTimeout(resolve, 5))
      return messages.map(() => true)
    },
    submitPage: (values) => {
      pages++
      // Pages handed to `prepare` and not admitted yet, this one included.
      mostAhead = Math.max(mostAhead, prepared - pages + 1)
      for (const value of values) admitted.push((value as { n: number }).n)
      return values.map(() => ({ status: 'added' }))
    },
  }
  return { source, admitted, stats: () => ({ prepared, pages, mostAhead }) }
}

describe('fetch pipeline', () => {
  it('admits pages in the order asked for, with at most prepareAhead pages checked ahead', async () => {
    const server = peer(200)
    const node = freshNode()
    const [ours, theirs] = channelPair()
    const served = serveSync(theirs, server.source)
    const stats = await initiateSync(ours, node.source, {
      fetchPageSize: 10,
      fetchWindow: 4,
      prepareAhead: 2,
    })
    await served
    assert.deepEqual(
      node.admitted,
      Array.from({ length: 200 }, (_, n) => n),
    )
    assert.deepEqual(stats.outcomes, { added: 200 })
    const { prepared, pages, mostAhead } = node.stats()
    assert.equal(prepared, 20)
    assert.equal(pages, 20)
    assert.equal(mostAhead, 3, 'the page admitted and the two checked ahead of it')
  })

  it('still admits the pages received before one that breaks a limit', async () => {
    // The 26th message is over the initiator's message limit: its page (the third) is refused.
    const server = peer(40, (n) => (n === 25 ? `{"n":${n},"pad":"${'x'.repeat(200)}"}` : `{"n":${n}}`))
    const node = freshNode()
    const [ours, theirs] = channelPair()
    const served = serveSync(theirs, server.source)
    await assert.rejects(
      initiateSync(ours, node.source, { fetchPageSize: 10, prepareAhead: 2, maxMessageBytes: 100 }),
      (error: unknown) => isSyncError(error, SyncErrorCode.TOO_LARGE),
    )
    await served.catch(() => {})
    assert.deepEqual(
      node.admitted,
      Array.from({ length: 20 }, (_, n) => n),
    )
  })
})
