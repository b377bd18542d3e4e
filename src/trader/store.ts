/**
 * The trader store: one SQLite database (`trader.db`, node:sqlite) in the trader's data
 * directory, the trader's golden source. It keeps every message collected from nodes and
 * endpoints (oracle ads, capabilities, reports, disputes, offers, manifests) and the trader's
 * own (commitments, facts, reports, offers), each checked before it is written, so hostile
 * input from a node, an endpoint or an import file never lands in it. Survives restarts;
 * export and import move it between machines.
 */
import { closeSync, mkdirSync, openSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { DatabaseSync } from 'node:sqlite'
import { entityKey, type Message, type MessageByKind, messageId } from '../protocol/index.ts'
import { TraderError, TraderErrorCode } from './errors.ts'
import {
  capabilityOf,
  checkStorable,
  latestOf,
  type MessageStore,
  oracleOf,
  type PutResult,
  type Stored,
  type StoredKind,
  type StoredMeta,
} from './message-store.ts'

/** Name of the export format; {@link EXPORT_VERSION} its version. */
export const EXPORT_FORMAT = 'mega-trader-export'
export const EXPORT_VERSION = 1

export {
  type PutResult,
  STORED_KINDS,
  type Stored,
  type StoredMeta,
} from './message-store.ts'

export interface TraderStoreInit {
  /** Directory of `trader.db`. */
  dataDir: string
  /** Clock in Unix seconds. @default Date.now()/1000 */
  now?: () => number
}

const SCHEMA_VERSION = 1
const SCHEMA = `
  CREATE TABLE messages (
    id TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    entity TEXT NOT NULL,
    oracle TEXT,
    capability TEXT,
    seq INTEGER,
    bits INTEGER,
    own INTEGER NOT NULL,
    origin TEXT NOT NULL,
    body TEXT NOT NULL,
    added_at INTEGER NOT NULL
  ) STRICT;
  CREATE INDEX messages_kind ON messages (kind, oracle);
  CREATE INDEX messages_entity ON messages (entity);
  CREATE INDEX messages_capability ON messages (capability);
`

export class TraderStore implements MessageStore {
  /** Absolute path of the database file. */
  readonly path: string
  readonly #db: DatabaseSync
  readonly #now: () => number

  constructor(init: TraderStoreInit) {
    const dir = resolve(init.dataDir)
    this.path = join(dir, 'trader.db')
    this.#now = init.now ?? (() => Math.floor(Date.now() / 1000))
    try {
      mkdirSync(dir, { recursive: true, mode: 0o700 })
      closeSync(openSync(this.path, 'a', 0o600))
      this.#db = new DatabaseSync(this.path)
      this.#db.exec('PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA busy_timeout = 5000')
      const { user_version: version } = this.#db.prepare('PRAGMA user_version').get() as {
        user_version: number
      }
      if (version > SCHEMA_VERSION) {
        throw new TraderError(
          TraderErrorCode.STORE_FAILED,
          `${this.path} was written by a newer version (schema ${version}, this one knows ${SCHEMA_VERSION})`,
        )
      }
      if (version === 0) this.#db.exec(`BEGIN; ${SCHEMA} PRAGMA user_version = ${SCHEMA_VERSION}; COMMIT;`)
    } catch (error) {
      if (error instanceof TraderError) throw error
      throw new TraderError(
        TraderErrorCode.STORE_FAILED,
        `cannot open the trader store ${this.path}: ${(error as Error).message}`,
        { path: this.path },
        { cause: error },
      )
    }
  }

  /**
   * Checks `message` (schema, rules, signatures, work) and stores it. Throws `MESSAGE_INVALID`
   * and stores nothing when a check fails. The same content with more work replaces the held
   * copy; a message once own stays own.
   */
  put(message: unknown, meta: StoredMeta): PutResult {
    return this.#write(checkStorable(message, meta.origin), meta)
  }

  putAll(items: readonly { message: unknown; meta: StoredMeta }[]): PutResult[] {
    return this.transaction(() => items.map(({ message, meta }) => this.put(message, meta)))
  }

  /** Runs `work` in one transaction; a throw rolls everything back. */
  transaction<T>(work: () => T): T {
    this.#db.exec('BEGIN IMMEDIATE')
    try {
      const result = work()
      this.#db.exec('COMMIT')
      return result
    } catch (error) {
      this.#db.exec('ROLLBACK')
      throw error
    }
  }

  #write(message: Message, meta: StoredMeta): PutResult {
    const id = messageId(message)
    const bits = (message as { pow?: { bits: number } }).pow?.bits ?? null
    const own = meta.own ? 1 : 0
    const held = this.#db.prepare('SELECT bits, own FROM messages WHERE id = ?').get(id) as
      | { bits: number | null; own: number }
      | undefined
    if (!held) {
      this.#db
        .prepare(
          `INSERT INTO messages (id, kind, entity, oracle, capability, seq, bits, own, origin, body, added_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        )
        .run(
          id,
          message.kind,
          entityKey(message),
          oracleOf(message) ?? null,
          capabilityOf(message) ?? null,
          (message as { seqNo?: number }).seqNo ?? null,
          bits,
          own,
          meta.origin,
          JSON.stringify(message),
          this.#now(),
        )
      return { id, status: 'added' }
    }
    const moreWork = bits !== null && (held.bits ?? -1) < bits
    if (!moreWork && held.own >= own) return { id, status: 'kept' }
    if (moreWork) {
      this.#db
        .prepare('UPDATE messages SET bits = ?, body = ? WHERE id = ?')
        .run(bits, JSON.stringify(message), id)
    }
    if (own > held.own) this.#db.prepare('UPDATE messages SET own = 1 WHERE id = ?').run(id)
    return { id, status: 'updated' }
  }

  /** One stored message by id. */
  get(id: string): Stored | undefined {
    const row = this.#db.prepare('SELECT * FROM messages WHERE id = ?').get(id) as Row | undefined
    return row && fromRow(row)
  }

  /** Stored messages of `kind`, oldest first, optionally only one oracle's, one capability's, one entity's or own. */
  list<K extends StoredKind>(
    kind: K,
    filter: { oracle?: string; capability?: string; entity?: string; own?: boolean } = {},
  ): Stored<MessageByKind[K]>[] {
    const where = ['kind = ?']
    const params: (string | number)[] = [kind]
    if (filter.oracle !== undefined) where.push('oracle = ?') && params.push(filter.oracle)
    if (filter.capability !== undefined) where.push('capability = ?') && params.push(filter.capability)
    if (filter.entity !== undefined) where.push('entity = ?') && params.push(filter.entity)
    if (filter.own !== undefined) where.push('own = ?') && params.push(filter.own ? 1 : 0)
    const rows = this.#db
      .prepare(`SELECT * FROM messages WHERE ${where.join(' AND ')} ORDER BY rowid`)
      .all(...params) as unknown as Row[]
    return rows.map((row) => fromRow(row) as Stored<MessageByKind[K]>)
  }

  /**
   * The latest version of each entity of `kind` (highest `seqNo`, then most work): the ad an
   * oracle or capability stands by now, the furthest stage of an offer.
   */
  latest<K extends 'oracle' | 'capability' | 'offer'>(
    kind: K,
    filter: { oracle?: string; capability?: string } = {},
  ): Stored<MessageByKind[K]>[] {
    return latestOf(this.list(kind, filter))
  }

  /** Counts of stored messages per kind. */
  counts(): Record<string, number> {
    const rows = this.#db.prepare('SELECT kind, count(*) AS n FROM messages GROUP BY kind').all() as {
      kind: string
      n: number
    }[]
    return Object.fromEntries(rows.map((row) => [row.kind, row.n]))
  }

  /** Everything stored, as a JSON-ready export document. */
  export(): TraderExport {
    const rows = this.#db.prepare('SELECT * FROM messages ORDER BY rowid').all() as unknown as Row[]
    return {
      format: EXPORT_FORMAT,
      version: EXPORT_VERSION,
      exportedAt: this.#now(),
      messages: rows.map((row) => ({
        own: row.own === 1,
        origin: row.origin,
        message: JSON.parse(row.body) as Message,
      })),
    }
  }

  /**
   * Imports an export document (parsed JSON): every message is checked, and the whole import is
   * one transaction, so one bad message leaves the store as it was. Throws `IMPORT_INVALID`
   * naming the message at fault.
   */
  import(document: unknown): { added: number; updated: number; kept: number } {
    const doc = document as Partial<TraderExport> | null
    if (typeof doc !== 'object' || doc === null || Array.isArray(doc) || doc.format !== EXPORT_FORMAT) {
      throw new TraderError(
        TraderErrorCode.IMPORT_INVALID,
        `not a trader export: "format" must be "${EXPORT_FORMAT}"`,
        {
          path: '/format',
        },
      )
    }
    if (doc.version !== EXPORT_VERSION) {
      throw new TraderError(
        TraderErrorCode.IMPORT_INVALID,
        `export version ${JSON.stringify(doc.version)} is not supported (this version reads ${EXPORT_VERSION})`,
        { path: '/version' },
      )
    }
    if (!Array.isArray(doc.messages)) {
      throw new TraderError(TraderErrorCode.IMPORT_INVALID, '"messages" must be an array', {
        path: '/messages',
      })
    }
    const counts = { added: 0, updated: 0, kept: 0 }
    this.transaction(() => {
      for (const [index, item] of doc.messages!.entries()) {
        const entry = item as Partial<TraderExport['messages'][number]> | null
        if (typeof entry !== 'object' || entry === null || !('message' in entry)) {
          throw new TraderError(
            TraderErrorCode.IMPORT_INVALID,
            `/messages/${index} must be {own, origin, message}`,
            {
              path: `/messages/${index}`,
            },
          )
        }
        try {
          const origin = typeof entry.origin === 'string' ? entry.origin.slice(0, 512) : 'import'
          counts[this.put(entry.message, { own: entry.own === true, origin }).status]++
        } catch (error) {
          if (!(error instanceof TraderError)) throw error
          throw new TraderError(TraderErrorCode.IMPORT_INVALID, `/messages/${index}: ${error.message}`, {
            ...error.details,
            path: `/messages/${index}/message${error.details.path ?? ''}`,
          })
        }
      }
    })
    return counts
  }

  close(): void {
    if (this.#db.isOpen) this.#db.close()
  }
}

/** An export document. */
export interface TraderExport {
  format: typeof EXPORT_FORMAT
  version: typeof EXPORT_VERSION
  exportedAt: number
  messages: { own: boolean; origin: string; message: Message }[]
}

interface Row {
  id: string
  kind: string
  own: number
  origin: string
  body: string
  added_at: number
}

function fromRow(row: Row): Stored {
  return {
    id: row.id,
    message: JSON.parse(row.body) as Message,
    own: row.own === 1,
    origin: row.origin,
    addedAt: row.added_at,
  }
}
