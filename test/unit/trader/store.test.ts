import assert from 'node:assert/strict'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, describe, it } from 'node:test'
import { messageId } from '../../../src/protocol/message.ts'
import { mineMessageSync } from '../../../src/protocol/message-pow.ts'
import type { OracleId } from '../../../src/protocol/messages/index.ts'
import { isTraderError } from '../../../src/trader/errors.ts'
import { defaultPolicy } from '../../../src/trader/policy.ts'
import { TraderStore } from '../../../src/trader/store.ts'
import { Trader } from '../../../src/trader/trader.ts'
import * as fx from '../../support/messages.ts'

const dirs: string[] = []
async function open() {
  const dir = await mkdtemp(join(tmpdir(), 'mega-trader-store-'))
  dirs.push(dir)
  return { dir, store: new TraderStore({ dataDir: dir }) }
}
/** A trader without nodes on a fresh data directory. */
async function openTrader(now?: () => number) {
  const { dir, store } = await open()
  store.close()
  return new Trader({ dataDir: dir, nodes: [], ...(now && { now }) })
}
after(async () => {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true })
})

describe('trader store', () => {
  it('keeps every kind across restarts, latest versions by seqNo then work', async () => {
    const { dir, store } = await open()
    const v1 = fx.oracleAd()
    const v2 = fx.oracleAd({ seqNo: 2 })
    const capability = fx.capabilityAd()
    const items = [
      v1,
      v2,
      capability,
      fx.report({ type: 'free-form', comment: 'x', links: [] }),
      fx.offer(),
      fx.commitment(1),
      fx.fact('home'),
      fx.manifest(),
    ]
    for (const message of items) assert.equal(store.put(message, { origin: 'http://node' }).status, 'added')
    assert.equal(store.put(fx.fact('home'), { own: true, origin: 'self' }).status, 'updated', 'now own')
    assert.equal(store.put(fx.fact('home'), { origin: 'http://node' }).status, 'kept')
    store.close()
    const again = new TraderStore({ dataDir: dir })
    assert.deepEqual(again.counts(), {
      oracle: 2,
      capability: 1,
      report: 1,
      offer: 1,
      commitment: 1,
      fact: 1,
      manifest: 1,
    })
    assert.equal(again.latest('oracle')[0]!.message.seqNo, 2)
    assert.equal(again.list('fact', { own: true }).length, 1)
    assert.equal(again.list('capability', { oracle: fx.ORACLE.publicKey }).length, 1)
    const stronger = mineMessageSync<OracleId>(v2, 10)
    assert.equal(again.put(stronger, { origin: 'x' }).status, 'updated')
    assert.equal((again.get(messageId(v2))!.message as OracleId).pow.bits, 10)
    again.close()
  })

  it('refuses hostile messages and writes nothing for them', async () => {
    const { store } = await open()
    const ad = fx.oracleAd()
    const hostile: [unknown, RegExp][] = [
      [{ ...ad, signature: '0'.repeat(128) }, /signature/],
      [{ ...ad, pubkey: 'nope' }, /\/pubkey/],
      [{ ...ad, pow: { ...ad.pow, bits: 30 } }, /POW/],
      [{ ...fx.fact('home'), answer: 'away' }, /SIGNATURE_INVALID/],
      [{ kind: 'node' }, /not a message the trader keeps/],
      [null, /not a message/],
      ['text', /not a message/],
    ]
    for (const [message, expected] of hostile) {
      assert.throws(
        () => store.put(message, { origin: 'http://evil' }),
        (error) =>
          isTraderError(error, 'MESSAGE_INVALID') &&
          expected.test(error.message) &&
          /http:\/\/evil/.test(error.message),
        String(expected),
      )
    }
    assert.deepEqual(store.counts(), {})
    assert.throws(() =>
      store.putAll([
        { message: ad, meta: { origin: 'a' } },
        { message: { ...ad, seqNo: -1 }, meta: { origin: 'a' } },
      ]),
    )
    assert.deepEqual(store.counts(), {}, 'putAll is all or nothing')
    store.close()
  })

  it('refuses another oracle advertising a capability key it does not hold, first or not', async () => {
    const { store } = await open()
    const genuine = fx.capabilityAd()
    const squatter = fx.capabilityAd({ keyProof: genuine.keyProof }, fx.OTHER_ORACLE, fx.CAPABILITY)
    assert.throws(
      () => store.put(squatter, { origin: 'http://evil' }),
      (error) =>
        isTraderError(error, 'MESSAGE_INVALID') && error.details.protocolCode === 'SIGNATURE_INVALID',
    )
    assert.equal(store.put(genuine, { origin: 'http://node' }).status, 'added')
    assert.deepEqual(
      store.list('capability', { capability: genuine.capabilityKey }).map((held) => held.message.oracle),
      [fx.ORACLE.publicKey],
      'the facts of this key are attributed to the oracle that holds it',
    )
    store.close()
  })

  it('exports and imports, all or nothing, with precise errors', async () => {
    const { store } = await open()
    store.put(fx.oracleAd(), { origin: 'http://node' })
    store.put(fx.fact('home'), { own: true, origin: 'http://oracle' })
    const exported = JSON.parse(JSON.stringify(store.export()))
    store.close()
    const { store: other } = await open()
    assert.deepEqual(other.import(exported), { added: 2, updated: 0, kept: 0 })
    assert.deepEqual(other.import(exported), { added: 0, updated: 0, kept: 2 })
    assert.equal(other.list('fact', { own: true }).length, 1)
    const { store: fresh } = await open()
    const bad: [unknown, RegExp, string][] = [
      [null, /not a trader export/, '/format'],
      [{ ...exported, version: 2 }, /version 2 is not supported/, '/version'],
      [{ ...exported, messages: {} }, /must be an array/, '/messages'],
      [{ ...exported, messages: [...exported.messages, 5] }, /\/messages\/2 must be/, '/messages/2'],
      [
        {
          ...exported,
          messages: [
            ...exported.messages,
            { own: false, origin: 'x', message: { ...fx.fact('away'), answer: 'draw' } },
          ],
        },
        /\/messages\/2: .*SIGNATURE_INVALID/,
        '/messages/2/message/signature',
      ],
    ]
    for (const [document, expected, path] of bad) {
      assert.throws(
        () => fresh.import(document),
        (error) =>
          isTraderError(error, 'IMPORT_INVALID') &&
          expected.test(error.message) &&
          error.details.path === path,
        String(expected),
      )
    }
    assert.deepEqual(fresh.counts(), {}, 'a failed import leaves the store as it was')
    other.close()
    fresh.close()
  })
})

describe('domain verification', () => {
  it('an oracle is domain-verified when the trader fetched its manifest from the domain its ad points at', async () => {
    const trader = await openTrader()
    const manifest = fx.manifest()
    trader.store.put(manifest.oracle, { origin: 'http://node' })
    const policy = { ...defaultPolicy, domainVerifiedOnly: true }
    assert.equal(trader.rank(policy)[0]!.excluded, 'not domain-verified')
    trader.store.put(manifest, { origin: 'http://node' })
    assert.equal(trader.rank(policy)[0]!.excluded, 'not domain-verified', 'not fetched from the domain by us')
    trader.store.put(manifest, { own: true, origin: manifest.oracle.manifestUri! })
    const [ranked] = trader.rank(policy)
    assert.equal(ranked!.excluded, undefined)
    assert.equal(ranked!.domain, 'oracle.example')
    trader.close()
  })
})

describe('detection over the store', () => {
  it('finds a conflict between a fact the trader holds and one the oracle published in a dispute', async () => {
    const trader = await openTrader(() => 1_800_000_000)
    trader.store.put(fx.capabilityAd(), { origin: 'http://node' })
    trader.store.put(fx.fact('home'), { own: true, origin: 'http://oracle' })
    const missing = fx.report({
      type: 'fact-missing',
      capability: fx.capabilityAd(),
      commitment: fx.commitment(1_000),
    })
    trader.store.put(missing, { origin: 'http://node' })
    assert.deepEqual(trader.detect(), [])
    trader.store.put(fx.dispute(messageId(missing), 'away'), { origin: 'http://node' })
    const proposals = trader.detect()
    assert.deepEqual(
      proposals.map((p) => [p.content.type, p.verdict]),
      [['fact-conflict', 'verified']],
    )
    trader.close()
  })
})
