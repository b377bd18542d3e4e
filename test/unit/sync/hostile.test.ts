/**
 * Hostile peer input: whatever bytes a peer sends as a reconcile message, inventory page,
 * fetch request or reply, we either answer or throw a coded SyncError — never another
 * exception, never an allocation beyond the input's size, never an endless session.
 */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import fc from 'fast-check'
import { Writer } from '../../../src/sync/bytes.ts'
import { isSyncError, SyncErrorCode } from '../../../src/sync/errors.ts'
import { decodeFetchReply, decodeFetchRequest, MAX_FETCH_IDS } from '../../../src/sync/fetch.ts'
import { decodeFrame, encodeFrame, FrameType } from '../../../src/sync/frames.ts'
import { initiateSync } from '../../../src/sync/initiator.ts'
import { decodeInventoryPage, decodeInventoryRequest } from '../../../src/sync/inventory.ts'
import { readFrame } from '../../../src/sync/read.ts'
import { Mode, RECONCILE_VERSION, reconcile, respond } from '../../../src/sync/reconcile.ts'
import { serveSync } from '../../../src/sync/responder.ts'
import type { SyncSource } from '../../../src/sync/source.ts'
import { channelPair, randomItems, SortedItems } from './helpers.ts'

const items = SortedItems.from(randomItems(3000))

/** Asserts `run` returns or throws a SyncError with one of `codes` (any code when empty). */
function refusesCleanly(run: () => unknown, ...codes: string[]): void {
  try {
    run()
  } catch (error) {
    assert.ok(isSyncError(error), `not a SyncError: ${error}`)
    if (codes.length > 0) assert.ok(codes.includes(error.code), `${error.code} not in ${codes}`)
  }
}

function message(build: (out: Writer) => void): Uint8Array {
  const out = new Writer().byte(RECONCILE_VERSION)
  build(out)
  return out.finish()
}

const sourceOf = (snapshot: SortedItems): SyncSource => ({
  snapshot: () => snapshot,
  message: () => undefined,
  submit: () => ({ status: 'invalid' }),
})

describe('hostile peer input', () => {
  it('answers or refuses random bytes, on both sides', () => {
    const bytes = fc.oneof(
      fc.uint8Array({ maxLength: 3000 }),
      fc.uint8Array({ maxLength: 3000 }).map((rest) => new Uint8Array([RECONCILE_VERSION, ...rest])),
    )
    fc.assert(
      fc.property(bytes, (input) => {
        refusesCleanly(() => respond(items, input))
        refusesCleanly(() => reconcile(items, input))
        refusesCleanly(() => decodeFetchRequest(input))
        refusesCleanly(() => decodeFetchReply(input, 100, 65_536))
        refusesCleanly(() => decodeInventoryRequest(input))
        refusesCleanly(() => decodeInventoryPage(input, { limit: 1000 }))
        refusesCleanly(() => decodeFrame(input))
      }),
      { numRuns: 2000 },
    )
  })

  it('refuses each malformed field with its code', () => {
    const cases: [string, Uint8Array, string][] = [
      ['empty', new Uint8Array(0), SyncErrorCode.TRUNCATED],
      ['wrong version', new Uint8Array([0x61]), SyncErrorCode.BAD_VERSION],
      [
        '6-byte varint',
        message((o) => o.bytes(new Uint8Array([0x80, 0x80, 0x80, 0x80, 0x80, 0x01]))),
        SyncErrorCode.BAD_VARINT,
      ],
      ['non-minimal varint', message((o) => o.bytes(new Uint8Array([0x81, 0x00]))), SyncErrorCode.BAD_VARINT],
      [
        'varint over 2^32',
        message((o) => o.bytes(new Uint8Array([0xff, 0xff, 0xff, 0xff, 0x1f]))),
        SyncErrorCode.BAD_VARINT,
      ],
      [
        'prefix of 33 bytes',
        message((o) => o.varint(1).varint(33).bytes(new Uint8Array(33))),
        SyncErrorCode.BAD_BOUND,
      ],
      ['prefix on infinity', message((o) => o.varint(0).varint(1).byte(7)), SyncErrorCode.BAD_BOUND],
      [
        'bound at the minimum',
        message((o) => o.varint(1).varint(0).varint(Mode.SKIP)),
        SyncErrorCode.BAD_BOUND,
      ],
      [
        'bounds going back',
        message((o) => o.varint(3).varint(0).varint(Mode.SKIP).varint(2).varint(0).varint(Mode.SKIP)),
        SyncErrorCode.BAD_BOUND,
      ],
      ['unknown mode', message((o) => o.varint(0).varint(0).varint(3)), SyncErrorCode.BAD_MODE],
      [
        'fingerprint cut short',
        message((o) => o.varint(0).varint(0).varint(Mode.FINGERPRINT).byte(1)),
        SyncErrorCode.TRUNCATED,
      ],
      [
        'id list count beyond the message',
        message((o) => o.varint(0).varint(0).varint(Mode.ID_LIST).varint(0xffff_ffff)),
        SyncErrorCode.TRUNCATED,
      ],
      [
        'id list out of order',
        message((o) =>
          o
            .varint(0)
            .varint(0)
            .varint(Mode.ID_LIST)
            .varint(2)
            .varint(1)
            .bytes(new Uint8Array(32).fill(9))
            .varint(1)
            .bytes(new Uint8Array(32)),
        ),
        SyncErrorCode.BAD_ID_LIST,
      ],
      [
        'id list item past its range',
        message((o) =>
          o.varint(2).varint(0).varint(Mode.ID_LIST).varint(1).varint(5).bytes(new Uint8Array(32)),
        ),
        SyncErrorCode.BAD_ID_LIST,
      ],
      [
        'id list key above the maximum',
        message((o) =>
          o.varint(0).varint(0).varint(Mode.ID_LIST).varint(1).varint(0xffff_ffff).bytes(new Uint8Array(32)),
        ),
        SyncErrorCode.BAD_ID_LIST,
      ],
    ]
    for (const [what, input, code] of cases) {
      for (const side of [respond, reconcile]) {
        assert.throws(
          () => side(items, input),
          (error: unknown) => isSyncError(error, code as never),
          `${what} (${side.name})`,
        )
      }
    }
  })

  it('refuses a message over the size limit before reading it', () => {
    const huge = new Uint8Array(2 * 1024 * 1024)
    huge[0] = RECONCILE_VERSION
    assert.throws(
      () => respond(items, huge),
      (error: unknown) => isSyncError(error, SyncErrorCode.TOO_LARGE),
    )
  })

  it('refuses fetch lists over their limits', () => {
    const tooMany = new Writer()
      .varint(MAX_FETCH_IDS + 1)
      .bytes(new Uint8Array((MAX_FETCH_IDS + 1) * 32))
      .finish()
    assert.throws(
      () => decodeFetchRequest(tooMany),
      (error: unknown) => isSyncError(error, SyncErrorCode.TOO_LARGE),
    )
    const moreThanAsked = new Writer().varint(3).varint(0).varint(0).varint(0).finish()
    assert.throws(
      () => decodeFetchReply(moreThanAsked, 2, 100),
      (error: unknown) => isSyncError(error, SyncErrorCode.TOO_LARGE),
    )
    const oversized = new Writer().varint(1).varint(70_000).finish()
    assert.throws(
      () => decodeFetchReply(oversized, 1, 65_536),
      (error: unknown) => isSyncError(error, SyncErrorCode.TOO_LARGE),
    )
  })

  it('stops a responder that never lets reconciliation end (endless splitting)', async () => {
    const [ours, theirs] = channelPair()
    // The hostile peer answers every message with a mismatching fingerprint of everything.
    const hostile = (async () => {
      for (;;) {
        const frame = await readFrame(theirs, 5000).catch(() => undefined)
        if (!frame) return
        const reply = message((o) => o.varint(0).varint(0).varint(Mode.FINGERPRINT).bytes(new Uint8Array(16)))
        await theirs.write(encodeFrame(FrameType.RECONCILE, reply))
      }
    })()
    await assert.rejects(initiateSync(ours, sourceOf(items), { maxRounds: 20 }), (error: unknown) =>
      isSyncError(error, SyncErrorCode.SESSION_LIMIT),
    )
    await hostile
  })

  it('stops an initiator that keeps asking, and tells it why', async () => {
    const [ours, theirs] = channelPair()
    const served = serveSync(ours, sourceOf(items), { maxRounds: 5 })
    const initial = message((o) => o.varint(0).varint(0).varint(Mode.FINGERPRINT).bytes(new Uint8Array(16)))
    for (let i = 0; i < 6; i++) await theirs.write(encodeFrame(FrameType.RECONCILE, initial))
    await assert.rejects(served, (error: unknown) => isSyncError(error, SyncErrorCode.SESSION_LIMIT))
    let code: string | undefined
    for (;;) {
      try {
        const frame = await readFrame(theirs, 1000)
        if (!frame) break
      } catch (error) {
        if (isSyncError(error, SyncErrorCode.REMOTE_ERROR)) code = error.message
        break
      }
    }
    assert.match(code ?? '', /SESSION_LIMIT/)
  })

  it('times out a silent peer', async () => {
    const [ours] = channelPair()
    await assert.rejects(initiateSync(ours, sourceOf(items), { readTimeoutMs: 50 }), (error: unknown) =>
      isSyncError(error, SyncErrorCode.TIMEOUT),
    )
  })

  it('refuses a frame that is not a request, and garbage in a fetch reply', async () => {
    const [ours, theirs] = channelPair()
    const served = serveSync(ours, sourceOf(items))
    await theirs.write(encodeFrame(FrameType.FETCH_REPLY, new Uint8Array([0])))
    await assert.rejects(served, (error: unknown) => isSyncError(error, SyncErrorCode.BAD_FRAME))
  })
})
