/**
 * Which pool floors an admission may have moved, found from its changes alone (never a scan
 * of all pools), and where to read their current state.
 *
 * A floor rises only when its pool evicts: by capacity, when something is put into that pool,
 * or by the byte budget, which raises the floor of the pool the evicted entry came from. So
 * the floors to write after an admission are the global `oracles` and `offers`, the pools the
 * put entries went into, and the pools the removed entries came from; a removed oracle's or
 * capability's own pools are gone, and their rows are deleted.
 */
import type { Changes, FloorState, Mempool } from '../mempool/index.ts'

/** The current state of a pool's floor by name, or undefined when that pool no longer exists. */
export type FloorLookup = (name: string) => FloorState | undefined

/** Reads floors from a live mempool, by the names of `floorRecords` (snapshot.ts). */
export function floorsOf(pool: Mempool): FloorLookup {
  return (name) => {
    if (name === 'oracles') return pool.oracles.floor.state()
    if (name === 'offers') return pool.offers.floor.state()
    const colon = name.indexOf(':')
    const family = name.slice(0, colon)
    const key = name.slice(colon + 1)
    switch (family) {
      case 'capabilities':
        return pool.oracles.get(key)?.capabilities.floor.state()
      case 'reports':
        return pool.oracles.get(key)?.reports.floor.state()
      case 'offers':
        return pool.offersByCapability.get(key)?.floor.state()
      default:
        return undefined
    }
  }
}

/**
 * Names of the floors `changes` may have moved. `parents` gives the parent (oracle or
 * capability) of each removed entry, as the store recorded it, in the order of `removed`.
 */
export function touchedFloors(changes: Changes, parents: readonly (string | null)[]): Set<string> {
  const names = new Set(['oracles', 'offers'])
  for (const entry of changes.put) {
    if (entry.kind === 'capability') names.add(`capabilities:${entry.oracle}`)
    else if (entry.kind === 'report') names.add(`reports:${entry.oracle}`)
    else if (entry.kind === 'offer') names.add(`offers:${entry.capability}`)
  }
  changes.removed.forEach(({ kind, key }, at) => {
    const parent = parents[at]
    if (kind === 'oracle') {
      names.add(`capabilities:${key}`)
      names.add(`reports:${key}`)
    } else if (kind === 'capability') {
      names.add(`offers:${key}`)
      if (parent) names.add(`capabilities:${parent}`)
    } else if (kind === 'report') {
      if (parent) names.add(`reports:${parent}`)
    } else if (parent) names.add(`offers:${parent}`)
  })
  return names
}

/** True for the state of a floor that was never raised: nothing to store. */
export function isEmptyFloor(state: FloorState): boolean {
  return state.bits === 0 && state.updatedAt === 0
}
