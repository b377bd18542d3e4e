/**
 * Numbered schema migrations, tracked in SQLite's `PRAGMA user_version`. A number is never
 * reused: a migration that turns out wrong is followed by a new one, never edited, and a
 * dropped one leaves its number as a comment (Lodestar's `buckets.ts` rule).
 */
import type { DatabaseSync } from 'node:sqlite'
import { StoreError, StoreErrorCode } from './errors.ts'

export interface Migration {
  /** 1, 2, 3 … in order; the schema version after it ran. */
  version: number
  description: string
  sql: string
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    description: 'entries (one row per mempool entry) and floors (one row per raised pool floor)',
    // `record` is the JSON of an EntryRecord; `parent` is the oracle of a capability or report
    // and the capability of an offer, so a removal names the pool whose floor it may raise.
    // A rowid table (not WITHOUT ROWID): rows are ~1-2 KB, and upserts keep the rowid, so
    // `ORDER BY rowid` gives back the mempool's insertion order.
    sql: `
      CREATE TABLE entries (
        kind TEXT NOT NULL,
        key TEXT NOT NULL,
        id TEXT NOT NULL,
        parent TEXT,
        record TEXT NOT NULL,
        PRIMARY KEY (kind, key)
      ) STRICT;
      CREATE TABLE floors (
        name TEXT PRIMARY KEY,
        bits REAL NOT NULL,
        updated_at REAL NOT NULL
      ) STRICT, WITHOUT ROWID;
    `,
  },
]

/** The schema version this code writes. */
export const SCHEMA_VERSION = MIGRATIONS.at(-1)!.version

/** Schema version of an open database. */
function schemaVersion(db: DatabaseSync): number {
  return Number(db.prepare('PRAGMA user_version').get()!['user_version'])
}

/**
 * Brings the database to {@link SCHEMA_VERSION}, one transaction per migration. Throws
 * `STORE_TOO_NEW` when the database comes from a newer version of the node.
 */
export function migrate(db: DatabaseSync, migrations: readonly Migration[] = MIGRATIONS): number {
  const current = schemaVersion(db)
  const known = migrations.at(-1)?.version ?? 0
  if (current > known) {
    throw new StoreError(
      StoreErrorCode.STORE_TOO_NEW,
      `the database has schema version ${current}; this node knows up to ${known}`,
      { version: current, known },
    )
  }
  for (const migration of migrations) {
    if (migration.version <= current) continue
    db.exec('BEGIN IMMEDIATE')
    try {
      db.exec(migration.sql)
      db.exec(`PRAGMA user_version = ${Number(migration.version)}`)
      db.exec('COMMIT')
    } catch (error) {
      db.exec('ROLLBACK')
      throw error
    }
  }
  return schemaVersion(db)
}
