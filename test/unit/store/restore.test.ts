import assert from 'node:assert/strict'
import { DatabaseSync } from 'node:sqlite'
import { describe, it } from 'node:test'
import { admitValue } from '../../../src/mempool/pipeline.ts'
import { floorRecords, toRecord } from '../../../src/mempool/snapshot.ts'
import { messageId } from '../../../src/protocol/message.ts'
import { mineMessageSync } from '../../../src/protocol/message-pow.ts'
import type { Offer } from '../../../src/protocol/messages/index.ts'
import { sign } from '../../../src/protocol/sign.ts'
import { floorsOf, openAndRestore, openMempoolStore } from '../../../src/store/index.ts'
import * as fx from '../../support/messages.ts'
import { mempool, messageStream, NOW, stateOf, TIGHT, tempDataDir } from '../../support/store.ts'

describe('restore from the store', { timeout: 30_000 }, () => {
  for (const maxBytes of [undefined, 9000, 7000]) {
    it(`restarts into exactly the same pools, again and again (maxBytes ${maxBytes ?? 'default'})`, (t) => {
      const dataDir = tempDataDir(t)
      const options = { ...TIGHT, ...(maxBytes && { maxBytes }) }
      const reference = mempool(options)
      let node = mempool(options)
      let store = openMempoolStore({ dataDir })
      let restarts = 0
      messageStream().forEach((message, at) => {
        const expected = admitValue(reference.pool, message).admission
        const { admission, changes } = admitValue(node.pool, message)
        assert.deepEqual(admission, expected, `message ${at}: same outcome as a node never restarted`)
        store.apply(changes, floorsOf(node.pool))
        if (at % 7 === 6) {
          store.close()
          reference.advance(45)
          node = mempool(options, NOW + 45 * ++restarts)
          const restored = openAndRestore(node.pool, { dataDir })
          store = restored.store
          assert.deepEqual(restored.report.corrupt, [])
          assert.equal(restored.report.orphans, 0)
          assert.equal(restored.report.prunedFloors, 0, 'no stale floor rows were left behind')
          assert.deepEqual(stateOf(node.pool), stateOf(reference.pool), `restart after message ${at}`)
          assert.equal(store.counts().entries, restored.report.entries)
        }
      })
      assert.ok(restarts >= 5)
      const raised = Object.values(floorRecords(reference.pool)).filter((floor) => floor.bits > 0)
      assert.ok(raised.length >= 4, 'the stream raised the floors of several pools')
      store.close()
    })
  }

  it('restores the same pools when admissions are written in batches (applyAll, in order)', (t) => {
    const dataDir = tempDataDir(t)
    const reference = mempool(TIGHT)
    const node = mempool(TIGHT)
    const store = openMempoolStore({ dataDir })
    const messages = messageStream()
    let removed = 0
    for (let from = 0; from < messages.length; from += 5) {
      const batch = messages.slice(from, from + 5).map((message) => {
        admitValue(reference.pool, message)
        return admitValue(node.pool, message).changes
      })
      removed += batch.reduce((sum, changes) => sum + changes.removed.length, 0)
      store.applyAll(batch, floorsOf(node.pool))
    }
    assert.ok(removed > 0, 'batches put and removed entries')
    store.close()
    const restarted = mempool(TIGHT)
    const restored = openAndRestore(restarted.pool, { dataDir })
    t.after(() => restored.store.close())
    assert.equal(restored.report.orphans, 0)
    assert.deepEqual(stateOf(restarted.pool), stateOf(reference.pool))
  })

  it('forgets what was evicted, with its dependants (an evicted oracle takes its capability)', (t) => {
    const dataDir = tempDataDir(t)
    const { pool } = mempool({ ...TIGHT, maxOracles: 1 })
    const store = openMempoolStore({ dataDir })
    const admit = (message: unknown) => {
      const result = admitValue(pool, message)
      store.apply(result.changes, floorsOf(pool))
      return result
    }
    const weak = fx.testKey('ed25519', 70)
    admit(fx.oracleAd({}, weak, 8))
    admit(fx.capabilityAd({}, weak, fx.testKey('bip340', 71), 8))
    assert.deepEqual(store.counts(), { entries: 2, floors: 0 })
    const { changes } = admit(fx.oracleAd({}, fx.ORACLE, 12))
    assert.deepEqual(changes.removed.map(({ kind }) => kind).sort(), ['capability', 'oracle'])
    store.close()

    const restarted = mempool({ ...TIGHT, maxOracles: 1 })
    const { store: reopened } = openAndRestore(restarted.pool, { dataDir })
    t.after(() => reopened.close())
    assert.deepEqual(
      [...restarted.pool.entries()].map((entry) => entry.kind),
      ['oracle'],
    )
    assert.equal(restarted.pool.oracles.get(fx.ORACLE.publicKey)?.key, fx.ORACLE.publicKey)
    assert.equal(restarted.pool.capabilities.size, 0)
    assert.deepEqual(reopened.counts(), { entries: 1, floors: 1 })
    assert.deepEqual(floorRecords(restarted.pool), floorRecords(pool))
  })

  it('keeps the floor of a capability whose offers were all evicted', (t) => {
    const dataDir = tempDataDir(t)
    const options = { ...TIGHT, maxOffers: 2, maxOffersPerCapability: 1 }
    const { pool } = mempool(options)
    const store = openMempoolStore({ dataDir })
    const messages = [
      fx.oracleAd({}, fx.ORACLE, 12),
      fx.capabilityAd({}, fx.ORACLE, fx.CAPABILITY, 10),
      fx.capabilityAd({}, fx.ORACLE, fx.OTHER_CAPABILITY, 10),
      fx.offer(fx.testKey('bip340', 80), 8),
      fx.offer(fx.testKey('bip340', 81), 9), // evicts the first: raises offers:<CAPABILITY>
      offerOn(fx.OTHER_CAPABILITY, fx.testKey('bip340', 82), 10),
      offerOn(fx.OTHER_CAPABILITY, fx.testKey('bip340', 83), 11), // global pool: evicts the 9-bit one
    ]
    for (const message of messages) store.apply(admitValue(pool, message).changes, floorsOf(pool))
    const emptied = pool.offersByCapability.get(fx.CAPABILITY.publicKey)
    assert.equal(emptied?.size, 0)
    assert.ok(emptied.floor.state().bits > 0, 'the test emptied a pool with a raised floor')
    store.close()
    const restarted = mempool(options)
    const { store: reopened, report } = openAndRestore(restarted.pool, { dataDir })
    t.after(() => reopened.close())
    assert.equal(report.prunedFloors, 0)
    assert.deepEqual(stateOf(restarted.pool), stateOf(pool))
  })

  it('keeps a report amended by a dispute amended', (t) => {
    const dataDir = tempDataDir(t)
    const { pool } = mempool()
    const store = openMempoolStore({ dataDir })
    const capability = fx.capabilityAd({ attestation: 'signature' })
    const missing = fx.report({ type: 'fact-missing', capability, commitment: fx.commitment(NOW - 3600) })
    for (const message of [fx.oracleAd(), capability, missing, fx.dispute(messageId(missing))]) {
      store.apply(admitValue(pool, message).changes, floorsOf(pool))
    }
    store.close()
    const restarted = mempool()
    openAndRestore(restarted.pool, { dataDir }).store.close()
    const report = restarted.pool.reports.get(messageId(missing))
    assert.equal(report?.counts, false)
    assert.deepEqual(report?.dispute, fx.dispute(messageId(missing)))
    assert.deepEqual(stateOf(restarted.pool), stateOf(pool))
  })

  it('skips, reports and deletes corrupt rows and orphans, and restores the rest', (t) => {
    const dataDir = tempDataDir(t)
    const { pool } = mempool()
    const store = openMempoolStore({ dataDir })
    for (const message of [fx.oracleAd(), fx.capabilityAd(), fx.offer()])
      store.apply(admitValue(pool, message).changes, floorsOf(pool))
    const path = store.path
    store.close()

    const db = new DatabaseSync(path)
    const insert = db.prepare('INSERT INTO entries (kind, key, id, parent, record) VALUES (?, ?, ?, ?, ?)')
    const good = toRecord(pool.oracles.get(fx.ORACLE.publicKey)!)
    const other = fx.oracleAd({}, fx.OTHER_ORACLE)
    const otherRecord = { ...good, key: other.pubkey, id: messageId(other), message: other }
    const row = (
      record: { kind: string; key: string; id: string; [field: string]: unknown },
      json = JSON.stringify(record),
    ) => insert.run(record.kind, record.key, record.id, null, json)
    row({ ...otherRecord, key: 'aa'.repeat(32) }, '{"kind": "oracle", ') // bad JSON
    row({ ...otherRecord, key: 'bb'.repeat(32), message: { ...other, tags: 'sports' } }) // schema
    row({ ...otherRecord, key: 'cc'.repeat(32) }) // key is not the message's
    row({ ...otherRecord, message: { ...other, pow: { ...other.pow, nonce: 'ffffffffffffffff' } } }) // PoW
    row({ ...otherRecord, kind: 'banana' }) // unknown kind
    const orphan = fx.capabilityAd({}, fx.REPORTER, fx.OTHER_CAPABILITY)
    row({
      ...toRecord(pool.capabilities.get(fx.CAPABILITY.publicKey)!),
      key: orphan.capabilityKey,
      message: orphan,
    })
    db.prepare('INSERT INTO floors (name, bits, updated_at) VALUES (?, ?, ?)').run('nonsense', 3, 1)
    db.prepare('INSERT INTO floors (name, bits, updated_at) VALUES (?, ?, ?)').run(
      `reports:${'dd'.repeat(32)}`,
      3,
      1,
    )
    db.close()

    const restarted = mempool()
    const { store: reopened, report } = openAndRestore(restarted.pool, { dataDir })
    t.after(() => reopened.close())
    assert.equal(report.corrupt.length, 6, JSON.stringify(report.corrupt))
    assert.deepEqual(
      report.corrupt.map((row) => row.table),
      ['entries', 'entries', 'entries', 'entries', 'entries', 'floors'],
    )
    assert.match(report.corrupt[0]!.reason, /JSON/)
    assert.match(report.corrupt[1]!.reason, /SCHEMA_VIOLATION/)
    assert.match(report.corrupt[3]!.reason, /pow/)
    assert.equal(report.orphans, 1, 'the capability of an oracle not held')
    assert.equal(report.prunedFloors, 1, 'the floor of a pool that does not exist')
    assert.deepEqual(stateOf(restarted.pool), stateOf(pool))
    assert.deepEqual(reopened.counts(), { entries: 3, floors: 0 }, 'bad rows were deleted')
    assert.deepEqual(reopened.load().corrupt, [])
  })
})

/** fx.offer() on another capability (same params and answers as the fixture's). */
function offerOn(capability: fx.TestKey, originator: fx.TestKey, bits: number): Offer {
  const { pow: _pow, signature: _signature, ...draft } = fx.offer(originator, 8)
  const terms = { ...draft.terms, question: fx.factRequest(capability) }
  return mineMessageSync<Offer>(sign<Offer>({ ...draft, terms }, originator.secretKey, fx.ZERO_AUX), bits)
}
