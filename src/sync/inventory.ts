/**
 * The naive baseline: the initiator pages through the peer's whole inventory of `(key, id)`
 * items, then diffs it with its own. It costs O(n) bytes and n / page round trips whatever
 * the difference; bench/sync.ts measures range-based reconciliation against it.
 */
import { toHex } from '../protocol/index.ts'
import { compareItems, ID_BYTES, MAX_KEY } from './bound.ts'
import { Reader, varintLength, Writer } from './bytes.ts'
import { SyncError, SyncErrorCode } from './errors.ts'
import { fromHexId } from './ids.ts'
import type { SortedItems, SyncItem } from './storage.ts'

/** Most items a peer may ask for in one page. */
export const MAX_INVENTORY_PAGE = 65_536

export interface InventoryRequest {
  /** Items strictly after this one; the first page when absent. */
  after?: SyncItem | undefined
  /** Items wanted at most. */
  limit: number
}

export interface InventoryPage {
  items: SyncItem[]
  /** Whether items follow the last one of this page. */
  more: boolean
}

/** `varint limit ‖ u8 hasCursor ‖ [varint key ‖ id]`. */
export function encodeInventoryRequest(request: InventoryRequest): Uint8Array {
  const out = new Writer(48).varint(request.limit)
  if (!request.after) return out.byte(0).finish()
  return out.byte(1).varint(request.after.key).bytes(fromHexId(request.after.id)).finish()
}

export function decodeInventoryRequest(bytes: Uint8Array): InventoryRequest {
  const reader = new Reader(bytes)
  const limit = reader.varint()
  if (limit < 1 || limit > MAX_INVENTORY_PAGE) {
    throw new SyncError(SyncErrorCode.TOO_LARGE, `inventory page of ${limit} items (1-${MAX_INVENTORY_PAGE})`)
  }
  const flag = reader.byte()
  if (flag > 1) throw new SyncError(SyncErrorCode.BAD_FRAME, `inventory cursor flag ${flag}`)
  let after: SyncItem | undefined
  if (flag === 1) {
    const key = reader.varint()
    if (key > MAX_KEY) throw new SyncError(SyncErrorCode.BAD_ID_LIST, `item key ${key} above ${MAX_KEY}`)
    after = { key, id: toHex(reader.bytes(ID_BYTES)) }
  }
  reader.end()
  return { after, limit }
}

/** Our page for a request: at most `limit` items and `maxBytes` bytes. */
export function inventoryPage(items: SortedItems, request: InventoryRequest, maxBytes: number): Uint8Array {
  let start = 0
  if (request.after) {
    const after = fromHexId(request.after.id)
    // First item strictly after the cursor.
    let low = 0
    let high = items.size
    while (low < high) {
      const middle = (low + high) >>> 1
      if (compareItems(items.key(middle), items.id(middle), request.after.key, after) <= 0) low = middle + 1
      else high = middle
    }
    start = low
  }
  let end = start
  let bytes = 5 + 1
  while (end < items.size && end - start < request.limit) {
    const itemBytes = varintLength(items.key(end)) + ID_BYTES
    if (bytes + itemBytes > maxBytes && end > start) break
    bytes += itemBytes
    end++
  }
  const out = new Writer(bytes).varint(end - start)
  for (let i = start; i < end; i++) out.varint(items.key(i)).bytes(items.id(i))
  return out.byte(end < items.size ? 1 : 0).finish()
}

/**
 * Reads a page, checking it holds at most `limit` items, strictly increasing and after the
 * cursor.
 */
export function decodeInventoryPage(bytes: Uint8Array, request: InventoryRequest): InventoryPage {
  const reader = new Reader(bytes)
  const count = reader.varint()
  if (count > request.limit)
    throw new SyncError(SyncErrorCode.TOO_LARGE, `page of ${count} items (asked ${request.limit})`)
  if (count > Math.floor(reader.remaining / (1 + ID_BYTES))) {
    throw new SyncError(SyncErrorCode.TRUNCATED, `page of ${count} items in ${reader.remaining} bytes`)
  }
  const items: SyncItem[] = new Array(count)
  let previousKey = request.after?.key ?? -1
  let previousId = request.after ? fromHexId(request.after.id) : new Uint8Array(ID_BYTES)
  for (let i = 0; i < count; i++) {
    const key = reader.varint()
    if (key > MAX_KEY) throw new SyncError(SyncErrorCode.BAD_ID_LIST, `item key ${key} above ${MAX_KEY}`)
    const id = reader.bytes(ID_BYTES)
    if (previousKey >= 0 && compareItems(previousKey, previousId, key, id) >= 0) {
      throw new SyncError(
        SyncErrorCode.BAD_ID_LIST,
        'inventory items must strictly increase after the cursor',
      )
    }
    items[i] = { key, id: toHex(id) }
    previousKey = key
    previousId = id
  }
  const more = reader.byte()
  if (more > 1) throw new SyncError(SyncErrorCode.BAD_FRAME, `inventory "more" flag ${more}`)
  reader.end()
  return { items, more: more === 1 }
}

/** What we hold that a sorted list lacks (`have`) and what it holds that we lack (`need`). */
export function diffSorted(
  ours: SortedItems,
  theirs: readonly SyncItem[],
): { have: SyncItem[]; need: SyncItem[] } {
  const have: SyncItem[] = []
  const need: SyncItem[] = []
  let i = 0
  let j = 0
  while (i < ours.size || j < theirs.length) {
    if (j >= theirs.length) {
      have.push(ours.item(i++))
      continue
    }
    const other = theirs[j]!
    if (i >= ours.size) {
      need.push(other)
      j++
      continue
    }
    const key = ours.key(i)
    const order = key !== other.key ? key - other.key : compareHex(ours.hexId(i), other.id)
    if (order === 0) {
      i++
      j++
    } else if (order < 0) {
      have.push(ours.item(i++))
    } else {
      need.push(other)
      j++
    }
  }
  return { have, need }
}

function compareHex(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0
}
