/**
 * Startup: the stored snapshot back into an empty mempool, then the store tidied to match
 * (dependants whose parent is gone, floors of pools that no longer exist).
 */
import { type Mempool, restoreSnapshot } from '../mempool/index.ts'
import { floorsOf } from './floors.ts'
import type { MempoolStoreInit } from './options.ts'
import type { CorruptRow } from './rows.ts'
import { type MempoolStore, openMempoolStore } from './sqlite-store.ts'

/** What a restore did, for the startup log. */
export interface RestoreReport {
  /** Entries restored into the mempool. */
  entries: number
  /** Floors read (before pruning). */
  floors: number
  /** Rows dropped because they did not decode (deleted from the store). */
  corrupt: CorruptRow[]
  /** Capabilities, reports and offers whose parent was missing, and expired offers (deleted from the store). */
  orphans: number
  /** Floor rows of pools that no longer exist (deleted). */
  prunedFloors: number
  milliseconds: number
}

/** Restores `pool` (empty) from `store` and deletes what the restore could not use. */
export function restoreMempool(pool: Mempool, store: MempoolStore): RestoreReport {
  const started = performance.now()
  const { records, floors, corrupt } = store.load()
  const leftovers = restoreSnapshot(pool, records, floors)
  store.remove(leftovers.removed)
  const prunedFloors = store.pruneFloors(floorsOf(pool))
  return {
    entries: records.length - leftovers.removed.length,
    floors: Object.keys(floors).length,
    corrupt,
    orphans: leftovers.removed.length,
    prunedFloors,
    milliseconds: performance.now() - started,
  }
}

/** Opens the store under `init.dataDir` and restores `pool` from it; closes the store on failure. */
export function openAndRestore(
  pool: Mempool,
  init: MempoolStoreInit = {},
): { store: MempoolStore; report: RestoreReport } {
  const store = openMempoolStore(init)
  try {
    return { store, report: restoreMempool(pool, store) }
  } catch (error) {
    store.close()
    throw error
  }
}
