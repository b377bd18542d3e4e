/**
 * Fetching full messages by id, in pages.
 *
 * Request: `varint n ‖ n × 32-byte id` (1 ≤ n ≤ {@link MAX_FETCH_IDS}).
 * Reply: `varint m ‖ m × (varint length ‖ length bytes of UTF-8 JSON)`, answering the first
 * `m ≤ n` ids in order; length 0 means "not held". A reply stops early (m < n) when the next
 * message would take it over the responder's byte budget, and the initiator asks for the rest
 * again. Each message is at most the protocol's message size limit.
 */
import { toHex } from '../protocol/index.ts'
import { ID_BYTES } from './bound.ts'
import { Reader, varintLength, Writer } from './bytes.ts'
import { SyncError, SyncErrorCode } from './errors.ts'
import { FrameType } from './frames.ts'
import { fromHexId } from './ids.ts'

/** Most ids in one fetch request. */
export const MAX_FETCH_IDS = 1024

export function encodeFetchRequest(ids: readonly string[]): Uint8Array {
  if (ids.length < 1 || ids.length > MAX_FETCH_IDS) throw new RangeError(`fetch of ${ids.length} ids`)
  const out = new Writer(5 + ids.length * ID_BYTES).varint(ids.length)
  for (const id of ids) out.bytes(fromHexId(id))
  return out.finish()
}

export function decodeFetchRequest(bytes: Uint8Array): string[] {
  const reader = new Reader(bytes)
  const count = reader.varint()
  if (count < 1 || count > MAX_FETCH_IDS) {
    throw new SyncError(SyncErrorCode.TOO_LARGE, `fetch of ${count} ids (1-${MAX_FETCH_IDS})`)
  }
  if (count * ID_BYTES !== reader.remaining) {
    throw new SyncError(SyncErrorCode.TRUNCATED, `fetch of ${count} ids in ${reader.remaining} bytes`)
  }
  const ids = new Array<string>(count)
  for (let i = 0; i < count; i++) ids[i] = toHex(reader.bytes(ID_BYTES))
  return ids
}

/**
 * The body of the fetch reply being built, kept from one reply to the next: a reply is built at
 * once (never across an await), and a new buffer per reply, grown twice on the way, was most of
 * what a serving node allocated (≈ 1 MiB of buffers a reply of 256 messages).
 */
const replyBody = new Writer(64 * 1024)

/**
 * Builds the reply frame to a request's ids (`FETCH_REPLY` ‖ the reply), looking each message
 * up in order (its JSON text, or undefined when not held) and stopping once the reply reaches
 * `maxBytes` (but always answering at least one id). Messages after the cut are not looked up.
 * Returns the frame, in a buffer of its own, and how many ids it answers.
 */
export function encodeFetchReply(
  ids: readonly string[],
  lookup: (id: string) => string | undefined,
  maxBytes: number,
): { frame: Uint8Array; answered: number; found: number } {
  const body = replyBody.reset()
  let answered = 0
  let found = 0
  for (const id of ids) {
    const text = lookup(id)
    const mark = body.length
    if (text === undefined) body.varint(0)
    else body.utf8(text)
    // Past the budget: take the last one back, unless it is the only one.
    if (answered > 0 && body.length + 5 > maxBytes) {
      body.truncate(mark)
      break
    }
    answered++
    if (text !== undefined) found++
  }
  const frame = new Writer(1 + varintLength(answered) + body.length)
    .byte(FrameType.FETCH_REPLY)
    .varint(answered)
    .bytes(body.view())
    .view()
  return { frame, answered, found }
}

/**
 * Reads a reply to a request of `requested` ids: the message bytes of the first `m` ids
 * (undefined for "not held"). Throws for more answers than asked, a message over
 * `maxMessageBytes`, or bytes left over.
 */
export function decodeFetchReply(
  bytes: Uint8Array,
  requested: number,
  maxMessageBytes: number,
): (Uint8Array | undefined)[] {
  const reader = new Reader(bytes)
  const count = reader.varint()
  if (count > requested)
    throw new SyncError(SyncErrorCode.TOO_LARGE, `reply of ${count} messages (asked ${requested})`)
  if (count === 0 && requested > 0) throw new SyncError(SyncErrorCode.BAD_FRAME, 'empty reply to a fetch')
  const messages = new Array<Uint8Array | undefined>(count)
  for (let i = 0; i < count; i++) {
    const length = reader.varint()
    if (length > maxMessageBytes) {
      throw new SyncError(SyncErrorCode.TOO_LARGE, `message of ${length} bytes (limit ${maxMessageBytes})`)
    }
    messages[i] = length === 0 ? undefined : reader.bytes(length)
  }
  reader.end()
  return messages
}
