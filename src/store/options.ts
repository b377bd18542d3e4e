/**
 * Options of the store. Plain data; every option optional; defaults below say why.
 */

/**
 * How hard a commit tries to reach the disk.
 * - `normal`: WAL with `synchronous=NORMAL`. A committed transaction survives a crash of the
 *   process (kill -9, OOM): it is in the WAL file in the OS page cache before `apply()`
 *   returns. Power loss or an OS crash can lose the last transactions (never corrupts).
 * - `fsync`: `synchronous=FULL`. The WAL is fsynced at every commit, so a commit also
 *   survives power loss, at the cost of one fsync per admission.
 */
export type Durability = 'normal' | 'fsync'

export interface MempoolStoreInit {
  /** Directory of the database (created with mode 0700 if missing). @default './data' */
  dataDir?: string
  /** Database file name inside `dataDir`. @default 'mega.sqlite' */
  fileName?: string
  /** See {@link Durability}. @default 'normal' */
  durability?: Durability
  /**
   * Re-check each stored message's PoW on load (one hash per entry) besides its schema.
   * A row that fails is dropped like any corrupt row. @default true
   */
  checkPowOnLoad?: boolean
}

/** Defaults: `./data` as in design §11 (`npm start` works with no config). */
export const defaultStoreOptions: Required<MempoolStoreInit> = {
  dataDir: './data',
  fileName: 'mega.sqlite',
  durability: 'normal',
  checkPowOnLoad: true,
}
