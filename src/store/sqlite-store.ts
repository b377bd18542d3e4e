/**
 * The mempool's store: one SQLite database (node:sqlite, WAL) under the data directory.
 *
 * Every admission's changes are written in one transaction before the node acknowledges the
 * message, so an acknowledged message survives kill -9 (see {@link Durability} for power
 * loss). The connection holds the database in EXCLUSIVE locking mode: a second node on the
 * same data directory fails with `STORE_LOCKED` instead of interleaving writes.
 */
import { closeSync, mkdirSync, openSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { DatabaseSync, type StatementSync } from 'node:sqlite'
import { type Changes, type EntryRecord, type FloorRecords, toRecord } from '../mempool/index.ts'
import { StoreError, StoreErrorCode } from './errors.ts'
import { type FloorLookup, isEmptyFloor, touchedFloors } from './floors.ts'
import { migrate } from './migrations.ts'
import { type Durability, defaultStoreOptions, type MempoolStoreInit } from './options.ts'
import { type CorruptRow, decodeEntryRow, type EntryRow, parentOf } from './rows.ts'

/** What {@link MempoolStore.load} found: the snapshot to restore and the rows it dropped. */
export interface StoredSnapshot {
  records: EntryRecord[]
  floors: FloorRecords
  /** Rows that could not be used; they were deleted. */
  corrupt: CorruptRow[]
}

const FLOOR_NAME = /^(oracles|offers|(capabilities|reports|offers):[0-9a-f]{1,128})$/
/**
 * WAL pages between checkpoints (SQLite's default: 1000, 4 MiB). Each checkpoint copies the WAL
 * into the database and syncs both files, on the thread that commits; a sync of 100k entries
 * writes ~100 MiB, so the default checkpoints ~25 times in its path. 8192 pages (32 MiB) cuts
 * that eightfold (≈ 15% of the store's CPU there) for a WAL file of at most ~32 MiB. Commits
 * are as durable as before: a checkpoint only moves what is already committed.
 */
const WAL_CHECKPOINT_PAGES = 8192
// SQLITE_BUSY, SQLITE_LOCKED: another connection holds the database.
const BUSY_CODES = new Set([5, 6])

/** Told of each batch {@link MempoolStore.applyAll} committed: its time and how many entries it wrote. */
export type CommitListener = (milliseconds: number, entries: number) => void

export class MempoolStore {
  /** Absolute path of the database file. */
  readonly path: string
  readonly durability: Durability
  /** Called after each committed batch (metrics): the store itself keeps no timings. */
  onCommit: CommitListener | undefined
  readonly #db: DatabaseSync
  readonly #checkPow: boolean
  readonly #sql: Record<
    | 'begin'
    | 'commit'
    | 'rollback'
    | 'putEntry'
    | 'deleteEntry'
    | 'deleteRow'
    | 'putFloor'
    | 'deleteFloor'
    | 'entries'
    | 'floors',
    StatementSync
  >

  constructor(init: MempoolStoreInit = {}) {
    const options = { ...defaultStoreOptions, ...init }
    this.durability = options.durability
    this.#checkPow = options.checkPowOnLoad
    const dir = resolve(options.dataDir)
    this.path = join(dir, options.fileName)
    try {
      mkdirSync(dir, { recursive: true, mode: 0o700 })
      // Create the file ourselves so it is 0600 (SQLite gives its -wal file the same mode).
      closeSync(openSync(this.path, 'a', 0o600))
    } catch (error) {
      throw new StoreError(
        StoreErrorCode.STORE_OPEN_FAILED,
        `cannot create ${this.path}`,
        { path: this.path },
        {
          cause: error,
        },
      )
    }
    this.#db = openDatabase(this.path, options.durability)
    const db = this.#db
    this.#sql = {
      begin: db.prepare('BEGIN'),
      commit: db.prepare('COMMIT'),
      rollback: db.prepare('ROLLBACK'),
      putEntry: db.prepare(
        `INSERT INTO entries (kind, key, id, parent, record) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (kind, key) DO UPDATE SET id = excluded.id, parent = excluded.parent, record = excluded.record`,
      ),
      deleteEntry: db.prepare('DELETE FROM entries WHERE kind = ? AND key = ? RETURNING parent'),
      deleteRow: db.prepare('DELETE FROM entries WHERE rowid = ?'),
      // The WHERE skips the page write when a floor did not move.
      putFloor: db.prepare(
        `INSERT INTO floors (name, bits, updated_at) VALUES (?, ?, ?)
         ON CONFLICT (name) DO UPDATE SET bits = excluded.bits, updated_at = excluded.updated_at
         WHERE bits != excluded.bits OR updated_at != excluded.updated_at`,
      ),
      deleteFloor: db.prepare('DELETE FROM floors WHERE name = ?'),
      entries: db.prepare('SELECT rowid, kind, key, id, record FROM entries ORDER BY rowid'),
      floors: db.prepare('SELECT name, bits, updated_at FROM floors ORDER BY name'),
    }
  }

  /** False once {@link close} ran. */
  get isOpen(): boolean {
    return this.#db.isOpen
  }

  /**
   * Reads every entry and floor. Rows that do not decode (bad JSON, schema-invalid message,
   * columns that disagree with the record, failed PoW) are skipped, reported and deleted.
   */
  load(): StoredSnapshot {
    this.#assertOpen()
    const records: EntryRecord[] = []
    const floors: FloorRecords = {}
    const corrupt: CorruptRow[] = []
    const badRows: number[] = []
    for (const row of this.#sql.entries.iterate()) {
      const decoded = decodeEntryRow(row as unknown as EntryRow, this.#checkPow)
      if (decoded.ok) records.push(decoded.record)
      else {
        corrupt.push({ table: 'entries', name: `${row['kind']}:${row['key']}`, reason: decoded.reason })
        badRows.push(Number(row['rowid']))
      }
    }
    const badFloors: string[] = []
    for (const row of this.#sql.floors.iterate()) {
      const name = String(row['name'])
      const bits = row['bits'] as number
      const updatedAt = row['updated_at'] as number
      if (FLOOR_NAME.test(name) && Number.isFinite(bits) && bits >= 0 && Number.isFinite(updatedAt)) {
        floors[name] = { bits, updatedAt }
      } else {
        corrupt.push({ table: 'floors', name, reason: 'bad name, bits or updated_at' })
        badFloors.push(name)
      }
    }
    if (corrupt.length > 0) {
      this.#transaction(() => {
        for (const rowid of badRows) this.#sql.deleteRow.run(rowid)
        for (const name of badFloors) this.#sql.deleteFloor.run(name)
      })
    }
    return { records, floors, corrupt }
  }

  /**
   * Writes one admission's changes in one transaction: the put entries (as records), then the
   * removed ones deleted (an entry put and then evicted by the byte budget ends deleted), then
   * every floor the changes may have moved, read from `floors` (`floorsOf(pool)`); a floor
   * whose pool is gone or was never raised is deleted. Returns when the commit is done: only
   * then may the node acknowledge the message. No-op for empty changes.
   */
  apply(changes: Changes, floors: FloorLookup): void {
    this.applyAll([changes], floors)
  }

  /**
   * The changes of several admissions, in their order, in one transaction: for a batch nobody
   * waits on one by one (a page of synced messages), one commit instead of one per message.
   * Floors are written once, as they stand after the last.
   */
  applyAll(batch: readonly Changes[], floors: FloorLookup): void {
    this.#assertOpen()
    if (batch.every((changes) => changes.put.length === 0 && changes.removed.length === 0)) return
    const { putEntry, deleteEntry } = this.#sql
    const started = performance.now()
    let entries = 0
    this.#transaction(() => {
      const touched = new Set<string>()
      for (const changes of batch) {
        entries += changes.put.length + changes.removed.length
        for (const entry of changes.put) {
          const record = toRecord(entry)
          putEntry.run(record.kind, record.key, record.id, parentOf(entry), JSON.stringify(record))
        }
        const parents = changes.removed.map(({ kind, key }) => {
          const row = deleteEntry.get(kind, key)
          return row ? (row['parent'] as string | null) : null
        })
        for (const name of touchedFloors(changes, parents)) touched.add(name)
      }
      for (const name of touched) this.#writeFloor(name, floors(name))
    })
    this.onCommit?.(performance.now() - started, entries)
  }

  /** Deletes entries (e.g. the leftovers of a restore) in one transaction. */
  remove(removed: Changes['removed']): void {
    this.#assertOpen()
    if (removed.length === 0) return
    this.#transaction(() => {
      for (const { kind, key } of removed) this.#sql.deleteEntry.get(kind, key)
    })
  }

  /**
   * Rewrites every stored floor from `floors`: deletes those whose pool no longer exists or was
   * never raised. One pass over the floors table (at startup, after a restore). Returns how
   * many rows it deleted.
   */
  pruneFloors(floors: FloorLookup): number {
    this.#assertOpen()
    let deleted = 0
    this.#transaction(() => {
      for (const row of this.#sql.floors.all()) {
        const name = String(row['name'])
        const state = floors(name)
        if (!state || isEmptyFloor(state)) {
          this.#sql.deleteFloor.run(name)
          deleted++
        } else this.#writeFloor(name, state)
      }
    })
    return deleted
  }

  /** The settings in force, as SQLite reports them (for /health, logs and tests). */
  info(): {
    path: string
    journalMode: string
    synchronous: 'NORMAL' | 'FULL'
    walAutocheckpoint: number
    schemaVersion: number
  } {
    this.#assertOpen()
    const pragma = (name: string) => this.#db.prepare(`PRAGMA ${name}`).get()![name]
    return {
      path: this.path,
      journalMode: String(pragma('journal_mode')),
      // 1 = NORMAL, 2 = FULL (https://sqlite.org/pragma.html#pragma_synchronous)
      synchronous: Number(pragma('synchronous')) === 2 ? 'FULL' : 'NORMAL',
      walAutocheckpoint: Number(pragma('wal_autocheckpoint')),
      schemaVersion: Number(pragma('user_version')),
    }
  }

  /** Rows held, for stats and tests. */
  counts(): { entries: number; floors: number } {
    this.#assertOpen()
    const count = (table: string) =>
      Number(this.#db.prepare(`SELECT count(*) AS n FROM ${table}`).get()!['n'])
    return { entries: count('entries'), floors: count('floors') }
  }

  /**
   * Writes a consistent, compacted copy of the database to `path` (which must not exist) with
   * `VACUUM INTO`, while the node keeps running; the copy is a complete database to restore from.
   */
  backup(path: string): void {
    this.#assertOpen()
    this.#db.prepare('VACUUM INTO ?').run(resolve(path))
  }

  /** Closes the database (checkpointing the WAL). Idempotent. */
  close(): void {
    if (this.#db.isOpen) this.#db.close()
  }

  #writeFloor(name: string, state: { bits: number; updatedAt: number } | undefined): void {
    if (!state || isEmptyFloor(state)) this.#sql.deleteFloor.run(name)
    else this.#sql.putFloor.run(name, state.bits, state.updatedAt)
  }

  #transaction(write: () => void): void {
    this.#sql.begin.run()
    try {
      write()
      this.#sql.commit.run()
    } catch (error) {
      if (this.#db.isTransaction) this.#sql.rollback.run()
      throw error
    }
  }

  #assertOpen(): void {
    if (!this.#db.isOpen) throw new StoreError(StoreErrorCode.STORE_CLOSED, 'the store is closed')
  }
}

/** Opens (creating and migrating if needed) the store under `init.dataDir`. */
export function openMempoolStore(init: MempoolStoreInit = {}): MempoolStore {
  return new MempoolStore(init)
}

/** Opens the file in EXCLUSIVE WAL mode with the durability asked, migrated and locked. */
function openDatabase(path: string, durability: Durability): DatabaseSync {
  let db: DatabaseSync | undefined
  try {
    db = new DatabaseSync(path, { timeout: 0 })
    // EXCLUSIVE before the first WAL access: no shared-memory index, one process only.
    db.exec('PRAGMA locking_mode = EXCLUSIVE')
    const mode = db.prepare('PRAGMA journal_mode = WAL').get()?.['journal_mode']
    if (mode !== 'wal')
      throw new StoreError(StoreErrorCode.STORE_OPEN_FAILED, `WAL refused (${mode})`, { path })
    db.exec(`PRAGMA synchronous = ${durability === 'fsync' ? 'FULL' : 'NORMAL'}`)
    db.exec(`PRAGMA wal_autocheckpoint = ${WAL_CHECKPOINT_PAGES}`)
    migrate(db)
    // Take the write lock now (migrations may have had nothing to do): held until close().
    db.exec('BEGIN IMMEDIATE; COMMIT')
    return db
  } catch (error) {
    if (db?.isOpen) db.close()
    throw openError(error, path)
  }
}

function openError(error: unknown, path: string): Error {
  if (error instanceof StoreError) return error
  const errcode = (error as { errcode?: number }).errcode
  if (errcode !== undefined && BUSY_CODES.has(errcode)) {
    return new StoreError(
      StoreErrorCode.STORE_LOCKED,
      `${path} is in use by another node (one node per data directory)`,
      { path },
      { cause: error },
    )
  }
  return new StoreError(StoreErrorCode.STORE_OPEN_FAILED, `cannot open ${path}`, { path }, { cause: error })
}
