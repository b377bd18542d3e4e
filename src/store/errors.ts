/**
 * Coded errors of the store. Callers and tests match on `code`, never on the message text.
 */
import { CodedError } from '../protocol/index.ts'

/** Stable error codes of the store. */
export const StoreErrorCode = {
  /** Another process (or connection) holds the database: one node per data directory. */
  STORE_LOCKED: 'STORE_LOCKED',
  /** The database was written by a newer version (its schema version is unknown here). */
  STORE_TOO_NEW: 'STORE_TOO_NEW',
  /** The data directory or database file could not be opened or created. */
  STORE_OPEN_FAILED: 'STORE_OPEN_FAILED',
  /** The store was used after `close()`. */
  STORE_CLOSED: 'STORE_CLOSED',
} as const

/** One of the {@link StoreErrorCode} values. */
export type StoreErrorCode = (typeof StoreErrorCode)[keyof typeof StoreErrorCode]

/**
 * The one error class of the store.
 *
 * Thrown when the database cannot be opened, migrated or used; `details` carries the facts
 * (`{ path }`, `{ version, known }`), `cause` the SQLite error when there is one.
 */
export class StoreError extends CodedError<StoreErrorCode> {
  static override name = 'StoreError'
  override readonly name = 'StoreError'
}
