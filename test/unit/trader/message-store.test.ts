/**
 * The in-memory store (the browser trader's) against the SQLite one (the CLI's): the same
 * sequence of puts gives the same outcomes, the same listings and the same latest versions,
 * and both refuse what fails a check.
 */
import assert from 'node:assert/strict'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, describe, it } from 'node:test'
import { mineMessageSync } from '../../../src/protocol/message-pow.ts'
import type { OracleId } from '../../../src/protocol/messages/index.ts'
import { isTraderError } from '../../../src/trader/errors.ts'
import { MemoryStore, type MessageStore, type Stored } from '../../../src/trader/message-store.ts'
import { TraderStore } from '../../../src/trader/store.ts'
import * as fx from '../../support/messages.ts'

const dirs: string[] = []
after(async () => {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true })
})

const view = (stored: Stored[]) =>
  stored.map(({ id, own, origin, message }) => ({ id, own, origin, message }))

describe('MemoryStore follows the trader store rules', () => {
  it('gives the SQLite store’s outcomes, listings and latest versions', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'mega-message-store-'))
    dirs.push(dir)
    const sqlite = new TraderStore({ dataDir: dir, now: () => 1 })
    const persisted: string[] = []
    const memory = new MemoryStore({ now: () => 1, onKeep: (stored) => persisted.push(stored.id) })
    const v1 = fx.oracleAd()
    const v1more = mineMessageSync<OracleId>({ ...v1, pow: undefined } as never, 12)
    const v2 = fx.oracleAd({ seqNo: 2 })
    const puts: [unknown, { own?: boolean; origin: string }][] = [
      [v1, { origin: 'node' }],
      [v1, { origin: 'node' }],
      [v1more, { origin: 'node' }],
      [v2, { origin: 'node' }],
      [fx.capabilityAd(), { origin: 'node' }],
      [fx.commitment(2_000_000_000), { own: true, origin: 'endpoint' }],
      [fx.fact('home'), { origin: 'endpoint' }],
      [fx.fact('home'), { own: true, origin: 'endpoint' }],
      [fx.offer(), { own: true, origin: 'self' }],
    ]
    const outcomes = (store: MessageStore) => puts.map(([message, meta]) => store.put(message, meta).status)
    const first = outcomes(memory)
    assert.deepEqual(first, outcomes(sqlite))
    assert.deepEqual(first, [
      'added',
      'kept',
      'updated',
      'added',
      'added',
      'added',
      'added',
      'updated',
      'added',
    ])
    assert.deepEqual(outcomes(memory), Array(puts.length).fill('kept'), 'a second round changes nothing')
    for (const kind of ['oracle', 'capability', 'commitment', 'fact', 'offer'] as const) {
      assert.deepEqual(view(memory.list(kind)), view(sqlite.list(kind)), kind)
      assert.deepEqual(view(memory.list(kind, { own: true })), view(sqlite.list(kind, { own: true })), kind)
    }
    assert.deepEqual(view(memory.latest('oracle')), view(sqlite.latest('oracle')))
    assert.equal(memory.latest('oracle')[0]!.message.seqNo, 2)
    assert.equal(memory.list('oracle', { oracle: fx.ORACLE.publicKey }).length, 2)
    const kept = ['oracle', 'capability', 'commitment', 'fact', 'offer'] as const
    assert.deepEqual(
      new Set(persisted),
      new Set(kept.flatMap((kind) => memory.list(kind).map((s) => s.id))),
      'every message kept handed to onKeep',
    )
    assert.equal(persisted.length, first.filter((status) => status !== 'kept').length)

    const forged = { ...v2, seqNo: 3 }
    for (const store of [memory, sqlite] as MessageStore[])
      assert.throws(
        () => store.put(forged, { origin: 'node' }),
        (e) => isTraderError(e, 'MESSAGE_INVALID'),
      )
    sqlite.close()
  })
})
