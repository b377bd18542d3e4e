/**
 * A set of keys kept in the order of a comparator: the keys in sorted leaves of at most
 * `maxLeaf` keys each, and what orders the last key of every leaf but the last in one array, so
 * a key is found by a binary search over those last keys, then one in its leaf: ≈ log2(n) comparisons,
 * as in a B+ tree, but two levels of plain arrays whatever n is (a leaf per 32–128 keys:
 * ≈ 1,600 leaves at 100k entries, 16,000 at 1M), no node objects, and a delete that moves the
 * keys of its leaf instead of walking a generic range edit. Every index of the mempool is one of these: the
 * pools' ranks, oracles by score, entries by density, offers by expiry.
 *
 * Beside every key the set keeps a number that orders like it (`orderOf`: `compare(a, b) < 0`
 * must imply `orderOf(a) <= orderOf(b)`), in arrays of numbers next to the keys', and the
 * searches compare those first: over 100k entries the keys are objects scattered over the
 * heap, and reading one per step of a search is most of its cost. Only keys of equal numbers
 * are compared with `compare`, so the order is exactly the comparator's.
 *
 * Keys the comparator finds equal are one key: adding one replaces the other. Iterators read
 * the set as they go: the set must not change while one is being read.
 */

/** The bounds of every set of one leaf (none): replaced, never written, on its first split. */
const NO_BOUNDS: number[] = []

/** Most keys in a leaf before it splits in two halves. */
const MAX_LEAF = 128

export class OrderedSet<K> {
  readonly #compare: (a: K, b: K) => number
  readonly #orderOf: (key: K) => number
  // A leaf below a quarter of `maxLeaf` is merged with a neighbour, so that deletes never
  // leave more leaves than keys / (maxLeaf / 4).
  readonly #maxLeaf: number
  // Most sets hold a few keys (an oracle's capabilities, a capability's offers): their arrays
  // are made on the first key, one slot long, where pushes into empty arrays would reserve 17.
  /** The leaves, in order; none is empty. */
  #leaves: K[][] = []
  /** The order of each key of each leaf, at the same places. */
  #orders: number[][] = []
  /**
   * The order of the last key of each leaf but the last (the key itself is read from the leaf
   * on a tie): a key above them all goes to the last leaf, so a set of one leaf needs none.
   */
  #lastOrders: number[] = NO_BOUNDS
  #size = 0

  /** `maxLeaf` is for tests, to split and merge leaves with a handful of keys. */
  constructor(compare: (a: K, b: K) => number, orderOf: (key: K) => number, maxLeaf = MAX_LEAF) {
    if (!Number.isInteger(maxLeaf) || maxLeaf < 4) throw new RangeError(`maxLeaf ${maxLeaf}: at least 4`)
    this.#compare = compare
    this.#orderOf = orderOf
    this.#maxLeaf = maxLeaf
  }

  get size(): number {
    return this.#size
  }

  /** The smallest key. */
  first(): K | undefined {
    return this.#leaves[0]?.[0]
  }

  /** The largest key. */
  last(): K | undefined {
    return this.#leaves.at(-1)?.at(-1)
  }

  /** The key at `index` in ascending order (0 the smallest): a walk over the leaves, for small sets. */
  keyAt(index: number): K | undefined {
    const leaves = this.#leaves
    for (let at = 0; at < leaves.length; at++) {
      const leaf = leaves[at]!
      if (index < leaf.length) return leaf[index]
      index -= leaf.length
    }
    return undefined
  }

  /** Whether a key equal to `key` is held. */
  has(key: K): boolean {
    const order = this.#orderOf(key)
    const at = this.#leafOf(key, order)
    if (at === this.#leaves.length) return false
    const index = this.#indexIn(at, key, order)
    return this.#holds(at, index, key, order)
  }

  /** Adds `key`, or replaces the equal key held. Returns whether the key is new. */
  add(key: K): boolean {
    const leaves = this.#leaves
    const order = this.#orderOf(key)
    if (leaves.length === 0) {
      this.#leaves = [[key]]
      this.#orders = [[order]]
      this.#size = 1
      return true
    }
    const at = this.#leafOf(key, order)
    const leaf = leaves[at]!
    const index = this.#indexIn(at, key, order)
    if (this.#holds(at, index, key, order)) {
      leaf[index] = key
      return false
    }
    insertAt(leaf, index, key)
    insertAt(this.#orders[at]!, index, order)
    if (index === leaf.length - 1 && at < leaves.length - 1) this.#lastOrders[at] = order
    this.#size++
    if (leaf.length > this.#maxLeaf) this.#split(at)
    return true
  }

  /** Removes the key equal to `key`. Returns whether one was held. */
  delete(key: K): boolean {
    const leaves = this.#leaves
    const order = this.#orderOf(key)
    const at = this.#leafOf(key, order)
    if (at === leaves.length) return false
    const index = this.#indexIn(at, key, order)
    if (!this.#holds(at, index, key, order)) return false
    const leaf = leaves[at]!
    const orders = this.#orders[at]!
    removeAt(leaf, index)
    removeAt(orders, index)
    this.#size--
    if (leaf.length === 0) {
      // The last leaf has no bound: without it, the one before becomes the last.
      if (leaves.length > 1) this.#lastOrders.splice(at < leaves.length - 1 ? at : at - 1, 1)
      leaves.splice(at, 1)
      this.#orders.splice(at, 1)
      return true
    }
    if (index === leaf.length && at < leaves.length - 1) this.#lastOrders[at] = orders[index - 1]!
    if (leaf.length < this.#maxLeaf >> 2 && leaves.length > 1)
      this.#merge(at < leaves.length - 1 ? at : at - 1)
    return true
  }

  /** Keys in ascending order, from the first not below `from` (from the smallest without it). */
  *ascending(from?: K): IterableIterator<K> {
    const leaves = this.#leaves
    let at = 0
    let index = 0
    if (from !== undefined) {
      const order = this.#orderOf(from)
      at = this.#leafOf(from, order)
      if (at < leaves.length) index = this.#indexIn(at, from, order)
    }
    for (; at < leaves.length; at++, index = 0) {
      const leaf = leaves[at]!
      for (; index < leaf.length; index++) yield leaf[index]!
    }
  }

  /** Keys in descending order, from the last below `below` (from the largest without it). */
  *descending(below?: K): IterableIterator<K> {
    const leaves = this.#leaves
    let at = leaves.length - 1
    let index = at < 0 ? -1 : leaves[at]!.length - 1
    if (below !== undefined) {
      const order = this.#orderOf(below)
      const found = this.#leafOf(below, order)
      // Keys below it end right before the first key not below it.
      if (found < leaves.length) {
        at = found
        index = this.#indexIn(at, below, order) - 1
      }
    }
    for (; at >= 0; at--) {
      const leaf = leaves[at]!
      if (index >= leaf.length) index = leaf.length - 1
      for (; index >= 0; index--) yield leaf[index]!
      index = Number.POSITIVE_INFINITY
    }
  }

  /**
   * The first leaf whose last key is not below `key`, else the last leaf (0 in an empty set):
   * a key above every key is after the last leaf's keys, where the search in it ends.
   */
  #leafOf(key: K, order: number): number {
    const lastOrders = this.#lastOrders
    let low = 0
    let high = lastOrders.length
    while (low < high) {
      const middle = (low + high) >>> 1
      const other = lastOrders[middle]!
      if (other < order || (other === order && this.#before(this.#leaves[middle]!.at(-1)!, key)))
        low = middle + 1
      else high = middle
    }
    return low
  }

  /** The position of the first key of leaf `at` not below `key`. */
  #indexIn(at: number, key: K, order: number): number {
    const orders = this.#orders[at]!
    let low = 0
    let high = orders.length
    while (low < high) {
      const middle = (low + high) >>> 1
      const other = orders[middle]!
      if (other < order || (other === order && this.#before(this.#leaves[at]![middle]!, key)))
        low = middle + 1
      else high = middle
    }
    return low
  }

  /** Whether `held` comes before `key`; not when it is `key` itself (a delete of the held key reads none). */
  #before(held: K, key: K): boolean {
    return held !== key && this.#compare(held, key) < 0
  }

  /** Whether the key at `index` of leaf `at` equals `key`. */
  #holds(at: number, index: number, key: K, order: number): boolean {
    const orders = this.#orders[at]!
    if (index >= orders.length || orders[index] !== order) return false
    const held = this.#leaves[at]![index]!
    return held === key || this.#compare(held, key) === 0
  }

  /** Splits leaf `at` in two halves. */
  #split(at: number): void {
    const leaf = this.#leaves[at]!
    const orders = this.#orders[at]!
    const half = leaf.length >> 1
    // Both halves are new arrays of their length: the leaf's own has grown by half again and
    // more, and a half kept in it would hold that room for good.
    this.#leaves[at] = leaf.slice(0, half)
    this.#orders[at] = orders.slice(0, half)
    this.#leaves.splice(at + 1, 0, leaf.slice(half))
    this.#orders.splice(at + 1, 0, orders.slice(half))
    // The left half's bound goes before the split leaf's (none when it was the last).
    if (this.#lastOrders === NO_BOUNDS) this.#lastOrders = [orders[half - 1]!]
    else this.#lastOrders.splice(at, 0, orders[half - 1]!)
  }

  /** Merges leaf `at + 1` into leaf `at`, splitting the result again when it is too large. */
  #merge(at: number): void {
    const left = this.#leaves[at]!
    const leftOrders = this.#orders[at]!
    const right = this.#leaves[at + 1]!
    const rightOrders = this.#orders[at + 1]!
    for (let i = 0; i < right.length; i++) {
      left.push(right[i]!)
      leftOrders.push(rightOrders[i]!)
    }
    this.#leaves.splice(at + 1, 1)
    this.#orders.splice(at + 1, 1)
    this.#lastOrders.splice(at, 1)
    if (left.length > this.#maxLeaf) this.#split(at)
  }
}

// A leaf's keys move by a loop: `splice` would allocate the array of what it removed.
function insertAt<T>(array: T[], index: number, value: T): void {
  let at = array.length
  array.push(value)
  for (; at > index; at--) array[at] = array[at - 1]!
  array[index] = value
}

function removeAt<T>(array: T[], index: number): void {
  const last = array.length - 1
  for (let at = index; at < last; at++) array[at] = array[at + 1]!
  array.pop()
}
