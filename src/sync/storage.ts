/**
 * A sorted, immutable snapshot of the items to reconcile, with prefix sums of item hashes so
 * that any range's fingerprint costs one subtraction and one SHA-256.
 *
 * Building it sorts the items and hashes each once (≈ 1 µs per item here); a node keeps a
 * snapshot while its contents are unchanged and rebuilds it after admissions (see
 * `src/network/sync-source.ts`).
 */

import { type Bound, compareItemToBound, ID_BYTES, MAX_KEY } from './bound.ts'
import { addHash, addStep, fingerprintOf, itemHash, LIMBS, subtractToBytes } from './fingerprint.ts'
import { fromHexId } from './ids.ts'

/** One item: an ordering key and a 32-byte id, as lowercase hex. */
export interface SyncItem {
  key: number
  id: string
}

export class SortedItems {
  /** Number of items. */
  readonly size: number
  readonly #keys: Uint32Array
  /** Ids back to back, 32 bytes each. */
  readonly #ids: Uint8Array
  readonly #hexIds: string[]
  /** Prefix sums of item hashes: limbs `[8i, 8i + 8)` hold the sum of items `0 … i − 1`. */
  readonly #sums: Uint32Array
  #byId: Map<string, number> | undefined

  private constructor(sorted: SyncItem[], previous: SortedItems | undefined) {
    const size = sorted.length
    this.size = size
    this.#keys = new Uint32Array(size)
    this.#ids = new Uint8Array(size * ID_BYTES)
    this.#hexIds = new Array<string>(size)
    const sums = new Uint32Array((size + 1) * LIMBS)
    this.#sums = sums
    for (let i = 0; i < size; i++) {
      const { key, id } = sorted[i]!
      const bytes = fromHexId(id)
      this.#keys[i] = key
      this.#ids.set(bytes, i * ID_BYTES)
      this.#hexIds[i] = id
      sums.copyWithin((i + 1) * LIMBS, i * LIMBS, (i + 1) * LIMBS)
      // An item the previous snapshot held: its hash is the step of that snapshot's sums.
      const j = previous ? previous.#indexOf(id) : undefined
      if (j !== undefined && previous!.#keys[j] === key)
        addStep(sums, (i + 1) * LIMBS, previous!.#sums, j * LIMBS)
      else addHash(sums, (i + 1) * LIMBS, itemHash(key, bytes))
    }
  }

  /**
   * Sorts items by `(key, id)` and drops exact duplicates. Throws a RangeError for a key
   * outside 0 … 2^32 − 2 and a ProtocolError for an id that is not 32 bytes of lowercase hex.
   * Items that `previous` holds under the same key reuse its hashes (a rebuild after a few
   * admissions hashes only what is new).
   */
  static from(items: Iterable<SyncItem>, previous?: SortedItems): SortedItems {
    // Group by key, then sort each group's ids as strings (lowercase hex sorts like its bytes):
    // V8's default string sort beats a comparator on objects several times over.
    const byKey = new Map<number, string[]>()
    for (const { key, id } of items) {
      if (!Number.isInteger(key) || key < 0 || key > MAX_KEY)
        throw new RangeError(`item key out of range: ${key}`)
      let ids = byKey.get(key)
      if (!ids) {
        ids = []
        byKey.set(key, ids)
      }
      ids.push(id)
    }
    const sorted: SyncItem[] = []
    for (const key of [...byKey.keys()].sort((a, b) => a - b)) {
      const ids = byKey.get(key)!.sort()
      for (let i = 0; i < ids.length; i++)
        if (i === 0 || ids[i] !== ids[i - 1]) sorted.push({ key, id: ids[i]! })
    }
    return new SortedItems(sorted, previous)
  }

  key(index: number): number {
    return this.#keys[index]!
  }

  /** Id of item `index` (a view into the snapshot: do not modify). */
  id(index: number): Uint8Array {
    return this.#ids.subarray(index * ID_BYTES, (index + 1) * ID_BYTES)
  }

  hexId(index: number): string {
    return this.#hexIds[index]!
  }

  item(index: number): SyncItem {
    return { key: this.#keys[index]!, id: this.#hexIds[index]! }
  }

  /** The first index in `[from, size)` whose item is at or after `bound` (size when none). */
  lowerBound(bound: Bound, from = 0): number {
    let low = from
    let high = this.size
    while (low < high) {
      const middle = (low + high) >>> 1
      if (compareItemToBound(this.#keys[middle]!, this.#ids, middle * ID_BYTES, bound) < 0) low = middle + 1
      else high = middle
    }
    return low
  }

  /** Fingerprint of items `[lower, upper)`. */
  fingerprint(lower: number, upper: number): Uint8Array {
    return fingerprintOf(subtractToBytes(this.#sums, upper * LIMBS, this.#sums, lower * LIMBS), upper - lower)
  }

  /** The lowest key this snapshot holds `id` (hex) with, or undefined. */
  keyOf(id: string): number | undefined {
    const index = this.#indexOf(id)
    return index === undefined ? undefined : this.#keys[index]
  }

  /** Index of `id` under its lowest key (built on first use). */
  #indexOf(id: string): number | undefined {
    if (!this.#byId) {
      this.#byId = new Map()
      // Walk backwards so the lowest key (first in order) wins.
      for (let i = this.size - 1; i >= 0; i--) this.#byId.set(this.#hexIds[i]!, i)
    }
    return this.#byId.get(id)
  }

  /** Every item, in order. */
  *[Symbol.iterator](): IterableIterator<SyncItem> {
    for (let i = 0; i < this.size; i++) yield this.item(i)
  }
}

/** Order of items: by key, then by id (lowercase hex compares like the bytes). */
export function compareSyncItems(a: SyncItem, b: SyncItem): number {
  if (a.key !== b.key) return a.key - b.key
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0
}
