/**
 * Wire codecs round-trip: varints at their edges, length-prefixed UTF-8 written in place,
 * fetch requests and replies (with the byte budget), inventory pages.
 */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import fc from 'fast-check'
import { MAX_VARINT, Reader, varintLength, Writer } from '../../../src/sync/bytes.ts'
import {
  decodeFetchReply,
  decodeFetchRequest,
  encodeFetchReply,
  encodeFetchRequest,
} from '../../../src/sync/fetch.ts'
import { decodeFrame, FrameType } from '../../../src/sync/frames.ts'
import {
  decodeInventoryPage,
  diffSorted,
  encodeInventoryRequest,
  inventoryPage,
} from '../../../src/sync/inventory.ts'
import { names, randomItems, SortedItems } from './helpers.ts'

describe('sync wire codecs', () => {
  it('round-trips varints, with their lengths', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: MAX_VARINT }), (value) => {
        const bytes = new Writer().varint(value).finish()
        assert.equal(bytes.length, varintLength(value))
        assert.equal(new Reader(bytes).varint(), value)
      }),
    )
    for (const value of [0, 127, 128, 16_383, 16_384, MAX_VARINT]) {
      assert.equal(new Reader(new Writer().varint(value).finish()).varint(), value)
    }
  })

  it('writes length-prefixed UTF-8 in place, whatever the text', () => {
    const decoder = new TextDecoder()
    fc.assert(
      // Well-formed text (JSON.stringify escapes lone surrogates, so messages never carry them).
      fc.property(fc.array(fc.string({ unit: 'grapheme', maxLength: 200 }), { maxLength: 5 }), (texts) => {
        const out = new Writer(4)
        for (const text of texts) out.utf8(text)
        const reader = new Reader(out.finish())
        for (const text of texts) assert.equal(decoder.decode(reader.bytes(reader.varint())), text)
        reader.end()
      }),
    )
    assert.equal(new Writer().utf8('a'.repeat(43)), 44, 'one-byte prefix although 3 × 43 needs two')
  })

  it('answers fetches in order, within the byte budget, at least one', () => {
    const ids = randomItems(10).map((item) => item.id)
    assert.deepEqual(decodeFetchRequest(encodeFetchRequest(ids)), ids)
    const texts = new Map(ids.map((id, i) => [id, i % 3 === 0 ? undefined : `{"n":"${'é'.repeat(i * 40)}"}`]))
    const all = encodeFetchReply(ids, (id) => texts.get(id), 1 << 20)
    assert.equal(all.answered, 10)
    assert.equal(all.found, 6)
    const reply = (frame: Uint8Array) => {
      const { type, payload } = decodeFrame(frame)
      assert.equal(type, FrameType.FETCH_REPLY)
      return payload
    }
    const decoded = decodeFetchReply(reply(all.frame), 10, 65_536)
    const expected = ids.map((id) => texts.get(id))
    assert.deepEqual(
      decoded.map((bytes) => bytes && new TextDecoder().decode(bytes)),
      expected,
    )
    const cut = encodeFetchReply(ids, (id) => texts.get(id), 600)
    assert.ok(cut.answered > 0 && cut.answered < 10)
    assert.ok(cut.frame.length <= 1 + 600)
    assert.equal(decodeFetchReply(reply(cut.frame), 10, 65_536).length, cut.answered)
    // Replies are built in one buffer kept between them: each frame is a copy of its own.
    assert.deepEqual(
      decodeFetchReply(reply(all.frame), 10, 65_536).map((bytes) => bytes && new TextDecoder().decode(bytes)),
      expected,
      'an earlier frame is not changed by the replies after it',
    )
    const huge = encodeFetchReply(ids.slice(9), () => 'x'.repeat(5000), 100)
    assert.equal(huge.answered, 1, 'one message even over the budget')
  })

  it('pages through an inventory and diffs it', () => {
    const ours = SortedItems.from(randomItems(500))
    const theirs = SortedItems.from([...ours].slice(100).concat(randomItems(50)))
    const collected = []
    let request = { limit: 64 } as Parameters<typeof inventoryPage>[1]
    for (;;) {
      const page = decodeInventoryPage(inventoryPage(theirs, request, 1 << 20), request)
      collected.push(...page.items)
      if (!page.more) break
      request = { after: page.items.at(-1), limit: 64 }
      assert.ok(encodeInventoryRequest(request).length > 32)
    }
    assert.deepEqual(names(collected), names([...theirs]))
    const { have, need } = diffSorted(ours, collected)
    assert.equal(have.length, 100)
    assert.equal(need.length, 50)
  })
})

describe('item ids', () => {
  it('decode from lowercase hex only', async () => {
    const { fromHexId } = await import('../../../src/sync/ids.ts')
    const { toHex } = await import('../../../src/protocol/hex.ts')
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 32, maxLength: 32 }), (bytes) => {
        assert.deepEqual(fromHexId(toHex(bytes)), bytes)
      }),
    )
    for (const bad of [
      '',
      'ab',
      'AB'.repeat(32),
      `${'a'.repeat(63)}g`,
      `${'a'.repeat(63)}\u0661`,
      'a'.repeat(66),
    ]) {
      assert.throws(() => fromHexId(bad), { code: 'BAD_HEX' }, bad)
    }
  })
})
