/**
 * Quorums and synonyms through a node: `mega trader` publishes a 2-of-3 offer with scoped
 * synonyms, matches the mirror worded by another oracle, and settles it.
 */
import assert from 'node:assert/strict'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import pino from 'pino'
import { NodeClient } from '../../../src/client/node-client.ts'
import { resolveConfig } from '../../../src/node/config.ts'
import { MegaNode } from '../../../src/node/node.ts'
import type { Offer } from '../../../src/protocol/messages/index.ts'
import { TraderStore } from '../../../src/trader/store.ts'
import * as fx from '../../support/messages.ts'
import { capabilities, facts, K1, K2, K3, NOW } from '../../support/quorum.ts'
import { runCli } from '../../support/run-cli.ts'
import { offerFlags } from './helpers.ts'

describe('mega trader offer, match and settle with a quorum, through a node', () => {
  let dir: string
  let node: MegaNode
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'mega-quorum-cli-'))
    const config = resolveConfig({
      dataDir: join(dir, 'node'),
      http: { host: '127.0.0.1', port: 0 },
      mempool: { minBits: { oracle: 8, capability: 8, report: 8, offer: 8 } },
      network: { enabled: false },
    })
    node = new MegaNode(config, { logger: pino({ level: 'silent' }) })
    await node.start()
    const oracles = [
      fx.oracleAd(),
      fx.oracleAd({}, fx.OTHER_ORACLE),
      fx.oracleAd({}, fx.testKey('ed25519', 10)),
    ]
    for (const message of [...oracles, ...capabilities]) {
      const { status } = await new NodeClient({ url: node.url! }).post(message.kind as 'oracle', message)
      assert.ok(status < 300, message.kind)
    }
  })
  after(async () => {
    await node.stop()
    await rm(dir, { recursive: true, force: true })
  })

  it('publishes 2-of-3 offers with scoped synonyms, matches the mirror worded by another oracle, settles', async () => {
    const trader =
      (name: string) =>
      async (...args: string[]) => {
        const result = await runCli(['trader', ...args, '--data', join(dir, name), '--node', node.url!])
        return { ...result, json: () => JSON.parse(result.out) }
      }
    const alice = trader('alice')
    const bob = trader('bob')
    for (const name of ['alice', 'bob'])
      assert.equal((await runCli(['trader', 'init', '--data', join(dir, name)])).code, 0)
    const request = (key: fx.TestKey) => `${key.publicKey}:home=ARS,away=CHE,date=2026-11-21`
    const words = (key: fx.TestKey, pairs: [string, string][]) =>
      pairs.flatMap(([ours, theirs]) => ['--synonym', `${key.publicKey}:${ours}=${theirs}`])
    const common = [
      '--arg',
      'home=ARS',
      '--arg',
      'away=CHE',
      '--arg',
      'date=2026-11-21',
      '--chain',
      'bitcoin',
    ]
    const offered = await alice(
      'offer',
      K1.publicKey,
      ...common,
      '--quorum',
      request(K2),
      '--quorum',
      request(K3),
      '--threshold',
      '2',
      ...words(K2, [
        ['home', 'hosts'],
        ['away', 'visitors'],
        ['draw', 'tie'],
      ]),
      ...words(K3, [
        ['home', '1'],
        ['away', '2'],
        ['draw', 'X'],
      ]),
      '--bet',
      'home',
      ...offerFlags({ amount: '100', acceptorAmount: '150', contact: 'nostr:alice', bits: '8' }),
    )
    assert.equal(offered.code, 0, offered.err)
    const { key, offer: published } = offered.json() as { key: string; offer: Offer }
    assert.equal(published.terms.threshold, 2)
    assert.deepEqual(published.terms.synonyms![0], {
      answer: 'home',
      synonyms: ['hosts'],
      capability: K2.publicKey,
    })
    // Bob bets in the second oracle's words, with the first and third mapped into them.
    const mirror = await bob(
      'offer',
      K2.publicKey,
      ...common,
      '--quorum',
      request(K3),
      '--quorum',
      request(K1),
      '--threshold',
      '2',
      ...words(K1, [
        ['hosts', 'home'],
        ['visitors', 'away'],
        ['tie', 'draw'],
      ]),
      ...words(K3, [
        ['hosts', '1'],
        ['visitors', '2'],
        ['tie', 'X'],
      ]),
      '--bet',
      'visitors,tie',
      ...offerFlags({ amount: '150', acceptorAmount: '100', contact: 'nostr:bob', bits: '8' }),
    )
    assert.equal(mirror.code, 0, mirror.err)
    const matched = await bob('match', '--json')
    assert.equal(matched.code, 0, matched.err)
    assert.deepEqual(
      (matched.json() as { matches: { key: string; oddsRatio: number }[] }).matches.map((m) => [
        m.key,
        m.oddsRatio,
      ]),
      [[key, 1]],
    )

    const store = new TraderStore({ dataDir: join(dir, 'bob'), now: () => NOW })
    for (const fact of facts('away', 'hosts', '1')) store.put(fact, { own: true, origin: 'test' })
    store.close()
    const settled = await bob('settle', key, '--json')
    assert.equal(settled.code, 0, settled.err)
    assert.deepEqual((({ status, outcome, winner }) => ({ status, outcome, winner }))(settled.json()), {
      status: 'settled',
      outcome: 'home',
      winner: 'originator',
    })
  })
})
