/**
 * @packageDocumentation
 * Persistence of the mempool (Node only): embedded SQLite (`node:sqlite`, WAL) under the data
 * directory. A restart restores exactly the same pools (ranks, scores, floors); a message the
 * node acknowledged after `apply()` returned survives kill -9. See docs/operations.md.
 *
 * @example
 * ```ts
 * const pool = new Mempool()
 * const { store, report } = openAndRestore(pool, { dataDir: './data' })
 * const { admission, changes } = pool.admit(message)
 * store.apply(changes, floorsOf(pool)) // committed: now acknowledge `admission`
 * store.close()
 * ```
 */
export * from './errors.ts'
export { type FloorLookup, floorsOf, touchedFloors } from './floors.ts'
export { MIGRATIONS, type Migration, migrate, SCHEMA_VERSION } from './migrations.ts'
export * from './options.ts'
export { openAndRestore, type RestoreReport, restoreMempool } from './restore.ts'
export type { CorruptRow } from './rows.ts'
export { type CommitListener, MempoolStore, openMempoolStore, type StoredSnapshot } from './sqlite-store.ts'
