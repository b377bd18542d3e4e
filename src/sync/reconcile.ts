/**
 * Range-based set reconciliation in the style of Negentropy (Doug Hoyte, 2023; the idea of
 * Aljoscha Meyer's "range-based set reconciliation" and of Erlay): two peers compare
 * fingerprints of ranges of their sorted items, split the ranges that differ into buckets,
 * and exchange id lists once a range is small, until the initiator knows which items only it
 * holds (`have`) and which only the peer holds (`need`). The cost grows with the difference,
 * not with the sets: identical sets settle in one round trip, a difference of d items in
 * about log₁₆(n) rounds and O(d · log n) bytes.
 *
 * Messages are stateless on the responder's side (each reply depends only on the query and
 * the snapshot), bounded in size on both sides (`frameSizeLimit`: what does not fit is sent
 * as one fingerprint of the rest and continues next round), and every byte of a peer's
 * message is validated: a malformed or hostile message throws a {@link SyncError} before we
 * allocate more than the message's own size. See docs/sync.md for the exact format.
 */
import { toHex } from '../protocol/index.ts'
import {
  type Bound,
  compareBounds,
  compareItems,
  compareItemToBound,
  ID_BYTES,
  MAX_BOUND,
  MAX_KEY,
  MIN_BOUND,
  minimalBound,
  readBound,
  writeBound,
} from './bound.ts'
import { Reader, varintLength, Writer } from './bytes.ts'
import { SyncError, SyncErrorCode } from './errors.ts'
import { FINGERPRINT_BYTES } from './fingerprint.ts'
import type { SortedItems, SyncItem } from './storage.ts'

/** First byte of every reconciliation message. */
export const RECONCILE_VERSION = 0x01

/** Range modes. */
export const Mode = {
  /** Nothing to do for this range: it matched. */
  SKIP: 0,
  /** The sender's fingerprint of the range: the receiver compares it with its own. */
  FINGERPRINT: 1,
  /** Every item the sender holds in the range. */
  ID_LIST: 2,
} as const

export interface ReconcileOptions {
  /**
   * Most bytes of a message we produce; the rest of the work goes in a fingerprint of what is
   * left and continues next round. At least 4096.
   * @default 262_144 (a fresh sync of 100k items takes 14 rounds; see bench/sync.ts)
   */
  frameSizeLimit: number
  /** Most bytes of a message we accept from a peer. @default 1_048_576 */
  maxMessageBytes: number
  /**
   * Buckets a differing range is split into; ranges under twice this many items are sent as
   * id lists. Negentropy's choice. @default 16
   */
  buckets: number
}

export const defaultReconcileOptions: ReconcileOptions = {
  frameSizeLimit: 256 * 1024,
  maxMessageBytes: 1024 * 1024,
  buckets: 16,
}

/** Smallest frame size limit: room for one full split plus the closing fingerprint. */
export const MIN_FRAME_SIZE_LIMIT = 4096

/** What one round taught the initiator. */
export interface ReconcileResult {
  /** The next message to send, or undefined when reconciliation is complete. */
  next: Uint8Array | undefined
  /** Items we hold that the peer lacks (found this round). */
  have: SyncItem[]
  /** Items the peer holds that we lack (found this round). */
  need: SyncItem[]
}

/** The initiator's first message: the whole item range, split. */
export function initiate(items: SortedItems, options: Partial<ReconcileOptions> = {}): Uint8Array {
  const processor = new RangeProcessor(items, options, true)
  processor.splitRange(0, items.size, MAX_BOUND)
  return processor.finish()
}

/**
 * The responder's answer to a message. Throws a {@link SyncError} for malformed input or a
 * message over `maxMessageBytes`.
 */
export function respond(
  items: SortedItems,
  query: Uint8Array,
  options: Partial<ReconcileOptions> = {},
): Uint8Array {
  const processor = new RangeProcessor(items, options, false)
  processor.process(query)
  return processor.finish()
}

/**
 * The initiator's step on the responder's answer: what it learned, and the next message (or
 * undefined when every range matched). Throws a {@link SyncError} for malformed input.
 */
export function reconcile(
  items: SortedItems,
  reply: Uint8Array,
  options: Partial<ReconcileOptions> = {},
): ReconcileResult {
  const processor = new RangeProcessor(items, options, true)
  processor.process(reply)
  const next = processor.finish()
  return { next: next.length > 1 ? next : undefined, have: processor.have, need: processor.need }
}

/** Bytes of the longest bound we write: varint key, prefix length, 32-byte prefix. */
const MAX_BOUND_BYTES = 5 + 1 + ID_BYTES
/** Bytes of one item in an id list at most: varint key and id. */
const MAX_ITEM_BYTES = 5 + ID_BYTES
/** Bytes of the closing "fingerprint of the rest" range: infinite bound, mode, fingerprint. */
const REMAINDER_BYTES = 2 + 1 + FINGERPRINT_BYTES

class RangeProcessor {
  readonly items: SortedItems
  readonly options: ReconcileOptions
  readonly initiator: boolean
  readonly out = new Writer(1024)
  readonly have: SyncItem[] = []
  readonly need: SyncItem[] = []
  /** Bytes one split may write at most (a full id list or all buckets' fingerprints). */
  readonly #maxSplitBytes: number
  #prevBound: Bound = MIN_BOUND
  #skip = false

  constructor(items: SortedItems, options: Partial<ReconcileOptions>, initiator: boolean) {
    this.items = items
    this.options = { ...defaultReconcileOptions, ...options }
    this.initiator = initiator
    const { buckets, frameSizeLimit } = this.options
    if (!Number.isInteger(buckets) || buckets < 2 || buckets > 256)
      throw new RangeError('buckets must be 2-256')
    if (frameSizeLimit < MIN_FRAME_SIZE_LIMIT)
      throw new RangeError(`frameSizeLimit below ${MIN_FRAME_SIZE_LIMIT}`)
    const idList = MAX_BOUND_BYTES + 1 + 5 + (2 * buckets - 1) * MAX_ITEM_BYTES
    const fingerprints = buckets * (MAX_BOUND_BYTES + 1 + FINGERPRINT_BYTES)
    this.#maxSplitBytes = Math.max(idList, fingerprints)
    // One split and the closing remainder must fit, or a round could make no progress.
    if (frameSizeLimit < this.#maxSplitBytes + MAX_BOUND_BYTES + 1 + REMAINDER_BYTES + 1) {
      throw new RangeError(`frameSizeLimit ${frameSizeLimit} too small for ${buckets} buckets`)
    }
    this.out.byte(RECONCILE_VERSION)
  }

  finish(): Uint8Array {
    // Trailing skips are implied by the end of the message.
    return this.out.finish()
  }

  /** Whether `bytes` more, plus a pending skip and the closing remainder, still fit. */
  #fits(bytes: number): boolean {
    const skip = this.#skip ? MAX_BOUND_BYTES + 1 : 0
    return this.out.length + skip + bytes + REMAINDER_BYTES <= this.options.frameSizeLimit
  }

  #doSkip(): void {
    if (!this.#skip) return
    this.#skip = false
    writeBound(this.out, this.#prevBound)
    this.out.varint(Mode.SKIP)
  }

  /** Closes the message with one fingerprint of items `[from, size)`, to continue next round. */
  #remainder(from: number): void {
    this.#doSkip()
    writeBound(this.out, MAX_BOUND)
    this.out.varint(Mode.FINGERPRINT)
    this.out.bytes(this.items.fingerprint(from, this.items.size))
  }

  process(message: Uint8Array): void {
    if (message.length > this.options.maxMessageBytes) {
      throw new SyncError(
        SyncErrorCode.TOO_LARGE,
        `reconcile message of ${message.length} bytes (limit ${this.options.maxMessageBytes})`,
      )
    }
    const reader = new Reader(message)
    const version = reader.byte()
    if (version !== RECONCILE_VERSION) {
      throw new SyncError(
        SyncErrorCode.BAD_VERSION,
        `reconcile version ${version} (ours ${RECONCILE_VERSION})`,
      )
    }
    const { items } = this
    let prevIndex = 0
    while (!reader.done) {
      const bound = readBound(reader)
      if (compareBounds(bound, this.#prevBound) <= 0) {
        throw new SyncError(SyncErrorCode.BAD_BOUND, 'range bounds must strictly increase')
      }
      const mode = reader.varint()
      const lower = prevIndex
      let upper = items.lowerBound(bound, lower)
      switch (mode) {
        case Mode.SKIP:
          this.#skip = true
          break
        case Mode.FINGERPRINT: {
          const theirs = reader.bytes(FINGERPRINT_BYTES)
          if (equalBytes(theirs, items.fingerprint(lower, upper))) {
            this.#skip = true
            break
          }
          if (!this.#fits(this.#maxSplitBytes)) {
            this.#remainder(lower)
            return
          }
          this.#doSkip()
          this.splitRange(lower, upper, bound)
          break
        }
        case Mode.ID_LIST: {
          const theirs = this.#readIdList(reader, bound)
          if (this.initiator) {
            this.#diff(lower, upper, theirs)
            this.#skip = true
            break
          }
          if (!this.#fits(MAX_BOUND_BYTES + 1 + 5 + MAX_ITEM_BYTES)) {
            this.#remainder(lower)
            return
          }
          this.#doSkip()
          const sent = this.#sendIdList(lower, upper, bound)
          if (sent < upper) {
            this.#remainder(sent)
            return
          }
          upper = sent
          break
        }
        default:
          throw new SyncError(SyncErrorCode.BAD_MODE, `range mode ${mode}`)
      }
      prevIndex = upper
      this.#prevBound = bound
    }
  }

  /**
   * Writes ranges covering items `[lower, upper)` up to `upperBound`: an id list when the range
   * is small, else `buckets` fingerprints of equal parts.
   */
  splitRange(lower: number, upper: number, upperBound: Bound): void {
    const { items } = this
    const { buckets } = this.options
    const count = upper - lower
    if (count < buckets * 2) {
      writeBound(this.out, upperBound)
      this.out.varint(Mode.ID_LIST).varint(count)
      for (let i = lower; i < upper; i++) this.out.varint(items.key(i)).bytes(items.id(i))
      return
    }
    const perBucket = Math.floor(count / buckets)
    const withExtra = count % buckets
    let current = lower
    for (let b = 0; b < buckets; b++) {
      const size = perBucket + (b < withExtra ? 1 : 0)
      const fingerprint = items.fingerprint(current, current + size)
      current += size
      const bound =
        current === upper
          ? upperBound
          : minimalBound(items.key(current - 1), items.id(current - 1), items.key(current), items.id(current))
      writeBound(this.out, bound)
      this.out.varint(Mode.FINGERPRINT).bytes(fingerprint)
    }
  }

  /**
   * Responder: writes our items of `[lower, upper)` as one id list ending at `upperBound`, or,
   * when they do not all fit, the ones that do, ending at a bound before the first left out.
   * Returns the index after the last item sent.
   */
  #sendIdList(lower: number, upper: number, upperBound: Bound): number {
    const { items, out } = this
    let end = lower
    let bytes = 0
    const room = this.options.frameSizeLimit - out.length - REMAINDER_BYTES - (MAX_BOUND_BYTES + 1 + 5)
    while (end < upper) {
      const itemBytes = varintLength(items.key(end)) + ID_BYTES
      if (bytes + itemBytes > room) break
      bytes += itemBytes
      end++
    }
    if (end === lower && end < upper) return lower
    const bound =
      end === upper
        ? upperBound
        : minimalBound(items.key(end - 1), items.id(end - 1), items.key(end), items.id(end))
    writeBound(out, bound)
    out.varint(Mode.ID_LIST).varint(end - lower)
    for (let i = lower; i < end; i++) out.varint(items.key(i)).bytes(items.id(i))
    return end
  }

  /** Reads an id list, checking that its items strictly increase and lie inside the range. */
  #readIdList(reader: Reader, upperBound: Bound): { key: number; id: Uint8Array }[] {
    const count = reader.varint()
    // Each item takes at least 1 + 32 bytes: a count the message cannot hold is a lie, refused
    // before allocating anything for it.
    if (count > Math.floor(reader.remaining / (1 + ID_BYTES))) {
      throw new SyncError(SyncErrorCode.TRUNCATED, `id list of ${count} items in ${reader.remaining} bytes`)
    }
    const list: { key: number; id: Uint8Array }[] = new Array(count)
    for (let i = 0; i < count; i++) {
      const key = reader.varint()
      if (key > MAX_KEY) throw new SyncError(SyncErrorCode.BAD_ID_LIST, `item key ${key} above ${MAX_KEY}`)
      const id = reader.bytes(ID_BYTES)
      if (i > 0) {
        const previous = list[i - 1]!
        if (compareItems(previous.key, previous.id, key, id) >= 0) {
          throw new SyncError(SyncErrorCode.BAD_ID_LIST, 'id list items must strictly increase')
        }
      } else if (compareItemToBound(key, id, 0, this.#prevBound) < 0) {
        throw new SyncError(SyncErrorCode.BAD_ID_LIST, 'id list item before its range')
      }
      list[i] = { key, id }
    }
    const last = list[count - 1]
    if (last && compareItemToBound(last.key, last.id, 0, upperBound) >= 0) {
      throw new SyncError(SyncErrorCode.BAD_ID_LIST, 'id list item after its range')
    }
    return list
  }

  /** Initiator: compares our items of `[lower, upper)` with the peer's list of the same range. */
  #diff(lower: number, upper: number, theirs: { key: number; id: Uint8Array }[]): void {
    const { items } = this
    let i = lower
    let j = 0
    while (i < upper || j < theirs.length) {
      if (j >= theirs.length) {
        this.have.push(items.item(i++))
        continue
      }
      const other = theirs[j]!
      if (i >= upper) {
        this.need.push({ key: other.key, id: toHex(other.id) })
        j++
        continue
      }
      const order = compareItems(items.key(i), items.id(i), other.key, other.id)
      if (order === 0) {
        i++
        j++
      } else if (order < 0) {
        this.have.push(items.item(i++))
      } else {
        this.need.push({ key: other.key, id: toHex(other.id) })
        j++
      }
    }
  }
}

function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false
  return true
}
