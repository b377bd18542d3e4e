/**
 * Persistence of the fact pool: one SQLite table in its own file (`facts.sqlite` in the data
 * directory), apart from the mempool's database, because it is a cache with its own budget and
 * lifecycle: losing it loses no acknowledged message. Rows are the messages' JSON and when
 * they were last used; on start the pool re-checks each one (a row that no longer passes, or
 * whose capability the node no longer holds, is deleted).
 */
import { mkdirSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { DatabaseSync } from 'node:sqlite'
import { type Migration, migrate } from '../store/index.ts'
import type { FactAdmission, FactPool } from './fact-pool.ts'

const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    description: 'facts: one row per commitment or fact the pool holds',
    sql: `
      CREATE TABLE facts (
        id TEXT PRIMARY KEY,
        used_at REAL NOT NULL,
        message TEXT NOT NULL
      ) STRICT, WITHOUT ROWID;
    `,
  },
]

export class FactStore {
  readonly path: string
  readonly #db: DatabaseSync

  constructor(dataDir: string, fileName = 'facts.sqlite') {
    const dir = resolve(dataDir)
    mkdirSync(dir, { recursive: true, mode: 0o700 })
    this.path = join(dir, fileName)
    this.#db = new DatabaseSync(this.path)
    this.#db.exec('PRAGMA journal_mode = WAL')
    this.#db.exec('PRAGMA synchronous = NORMAL')
    migrate(this.#db, MIGRATIONS)
  }

  /**
   * Loads every row into `pool`, least recently used first (so the pool's recency order comes
   * back), and deletes the rows it refuses. Returns how many were restored and dropped.
   */
  restore(pool: FactPool): { restored: number; dropped: number } {
    const rows = this.#db.prepare('SELECT id, used_at, message FROM facts ORDER BY used_at').all()
    let restored = 0
    const dropped: string[] = []
    for (const row of rows) {
      let value: unknown
      try {
        value = JSON.parse(String(row['message']))
      } catch {
        dropped.push(String(row['id']))
        continue
      }
      const admission = pool.add(value, Number(row['used_at']))
      if (admission.status === 'added' && admission.id === row['id']) restored++
      else dropped.push(String(row['id']))
      this.apply(
        admission.changes.removed.length > 0 ? { put: [], removed: admission.changes.removed } : undefined,
      )
    }
    this.apply({ put: [], removed: dropped })
    return { restored, dropped: dropped.length }
  }

  /** Writes one admission's changes in one transaction. */
  apply(changes: FactAdmission['changes'] | undefined): void {
    if (!changes || (changes.put.length === 0 && changes.removed.length === 0)) return
    const put = this.#db.prepare(
      'INSERT INTO facts (id, used_at, message) VALUES (?, ?, ?) ON CONFLICT (id) DO UPDATE SET used_at = excluded.used_at',
    )
    const remove = this.#db.prepare('DELETE FROM facts WHERE id = ?')
    this.#db.exec('BEGIN')
    try {
      for (const id of changes.removed) remove.run(id)
      for (const record of changes.put) put.run(record.id, record.usedAt, JSON.stringify(record.message))
      this.#db.exec('COMMIT')
    } catch (error) {
      this.#db.exec('ROLLBACK')
      throw error
    }
  }

  /** Rows held (tests, stats). */
  count(): number {
    return Number(this.#db.prepare('SELECT count(*) AS n FROM facts').get()!['n'])
  }

  close(): void {
    if (this.#db.isOpen) this.#db.close()
  }
}
