import assert from 'node:assert/strict'
import { existsSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { DatabaseSync } from 'node:sqlite'
import { describe, it } from 'node:test'
import { admitValue } from '../../../src/mempool/pipeline.ts'
import { toRecord } from '../../../src/mempool/snapshot.ts'
import {
  floorsOf,
  MIGRATIONS,
  migrate,
  openMempoolStore,
  SCHEMA_VERSION,
  StoreErrorCode,
} from '../../../src/store/index.ts'
import { mempool, messageStream, tempDataDir } from '../../support/store.ts'

describe('MempoolStore', { timeout: 20_000 }, () => {
  it('creates the data directory and a private WAL database, NORMAL by default', (t) => {
    const dataDir = join(tempDataDir(t), 'nested', 'data')
    const store = openMempoolStore({ dataDir })
    t.after(() => store.close())
    assert.equal(store.path, join(dataDir, 'mega.sqlite'))
    assert.deepEqual(store.info(), {
      path: store.path,
      journalMode: 'wal',
      synchronous: 'NORMAL',
      walAutocheckpoint: 8192,
      schemaVersion: SCHEMA_VERSION,
    })
    assert.equal(statSync(dataDir).mode & 0o777, 0o700)
    assert.equal(statSync(store.path).mode & 0o777, 0o600)
    const { pool } = mempool()
    store.apply(admitValue(pool, messageStream()[0]).changes, floorsOf(pool))
    assert.equal(statSync(`${store.path}-wal`).mode & 0o777, 0o600, 'the WAL is as private')
  })

  it("uses synchronous=FULL for durability 'fsync'", (t) => {
    const store = openMempoolStore({ dataDir: tempDataDir(t), durability: 'fsync' })
    t.after(() => store.close())
    assert.equal(store.info().synchronous, 'FULL')
  })

  it('writes records that load back equal, and ignores empty changes', (t) => {
    const dataDir = tempDataDir(t)
    const store = openMempoolStore({ dataDir })
    const { pool } = mempool()
    for (const message of messageStream()) store.apply(admitValue(pool, message).changes, floorsOf(pool))
    store.apply({ put: [], removed: [] }, () => assert.fail('no floor is read for empty changes'))
    store.close()
    const reopened = openMempoolStore({ dataDir })
    t.after(() => reopened.close())
    const { records, corrupt } = reopened.load()
    assert.deepEqual(corrupt, [])
    const byKind = (kind: string) => records.filter((record) => record.kind === kind)
    const expected = [...pool.entries()].map(toRecord)
    for (const kind of ['capability', 'report']) {
      // Insertion order, as the mempool's maps hold them.
      assert.deepEqual(
        byKind(kind),
        expected.filter((record) => record.kind === kind),
        kind,
      )
    }
    const sort = (list: typeof records) => [...list].sort((a, b) => (a.key < b.key ? -1 : 1))
    assert.deepEqual(sort(records), sort(expected))
  })

  it('tells onCommit the time and entries of each committed batch, and nothing of an empty one', (t) => {
    const store = openMempoolStore({ dataDir: tempDataDir(t) })
    t.after(() => store.close())
    const commits: [number, number][] = []
    store.onCommit = (milliseconds, entries) => commits.push([milliseconds, entries])
    const { pool } = mempool()
    const [first, second] = messageStream()
    const batch = [admitValue(pool, first).changes, admitValue(pool, second).changes]
    store.applyAll(batch, floorsOf(pool))
    store.apply({ put: [], removed: [] }, floorsOf(pool))
    assert.equal(commits.length, 1)
    const [[milliseconds, entries]] = commits as [[number, number]]
    assert.ok(milliseconds > 0 && milliseconds < 10_000, `${milliseconds} ms`)
    const written = batch.reduce((sum, changes) => sum + changes.put.length + changes.removed.length, 0)
    assert.ok(written >= 2)
    assert.equal(entries, written)
  })

  it('lets one node at a time use a data directory', (t) => {
    const dataDir = tempDataDir(t)
    const store = openMempoolStore({ dataDir })
    assert.throws(() => openMempoolStore({ dataDir }), {
      name: 'StoreError',
      code: StoreErrorCode.STORE_LOCKED,
    })
    store.close()
    openMempoolStore({ dataDir }).close()
  })

  it('closes idempotently and refuses use after close', (t) => {
    const store = openMempoolStore({ dataDir: tempDataDir(t) })
    store.close()
    store.close()
    assert.equal(store.isOpen, false)
    assert.throws(() => store.load(), { code: StoreErrorCode.STORE_CLOSED })
    assert.throws(() => store.apply({ put: [], removed: [] }, () => undefined), {
      code: StoreErrorCode.STORE_CLOSED,
    })
  })

  it('numbers migrations 1, 2, 3 … and refuses a database from a newer node', (t) => {
    assert.deepEqual(
      MIGRATIONS.map((migration) => migration.version),
      MIGRATIONS.map((_, at) => at + 1),
    )
    const dataDir = tempDataDir(t)
    openMempoolStore({ dataDir }).close()
    const db = new DatabaseSync(join(dataDir, 'mega.sqlite'))
    assert.equal(migrate(db), SCHEMA_VERSION, 'migrating twice is a no-op')
    db.exec(`PRAGMA user_version = ${SCHEMA_VERSION + 1}`)
    db.close()
    assert.throws(() => openMempoolStore({ dataDir }), { code: StoreErrorCode.STORE_TOO_NEW })
  })

  it('backs up a running store into a database that opens with the same rows', (t) => {
    const dataDir = tempDataDir(t)
    const store = openMempoolStore({ dataDir })
    const { pool } = mempool()
    for (const message of messageStream().slice(0, 10))
      store.apply(admitValue(pool, message).changes, floorsOf(pool))
    const copyDir = join(dataDir, 'backup')
    openMempoolStore({ dataDir: copyDir }).close() // creates the directory; VACUUM INTO needs a new file
    store.backup(join(copyDir, 'copy.sqlite'))
    assert.ok(existsSync(join(copyDir, 'copy.sqlite')))
    const copy = openMempoolStore({ dataDir: copyDir, fileName: 'copy.sqlite' })
    t.after(() => copy.close())
    assert.deepEqual(copy.load(), store.load())
    store.close()
  })
})
