/**
 * The timer that purges expired offers runs only while the node holds offers: a node holding
 * none is never woken for it (an idle node's CPU, docs/performance.md), and one that holds an
 * offer still drops it at expiry with no admission to do it.
 */
import assert from 'node:assert/strict'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, describe, it } from 'node:test'
import pino from 'pino'
import { resolveConfig } from '../../../src/node/config.ts'
import { MegaNode } from '../../../src/node/node.ts'
import * as fx from '../../support/messages.ts'
import { validated } from '../../support/validated.ts'

const SKEW = 300
const dirs: string[] = []
after(() => Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true }))))

describe('offer purge timer', () => {
  it('sleeps while no offer is held, runs while one is, and purges it at expiry', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'mega-purge-'))
    dirs.push(dir)
    const offer = fx.offer()
    let now = offer.terms.expires - 100
    const node = new MegaNode(
      resolveConfig({
        dataDir: dir,
        http: { host: '127.0.0.1', port: 0 },
        mempool: { minBits: { oracle: 8, capability: 8, report: 8, offer: 8 }, clockSkewSeconds: SKEW },
        network: { enabled: false },
      }),
      { logger: pino({ level: 'silent' }), now: () => now },
    )
    await node.start()
    try {
      assert.equal(node.purging, false, 'no offer: no timer')
      for (const message of [fx.oracleAd(), fx.capabilityAd()]) node.submit(validated(message))
      assert.equal(node.purging, false, 'still no offer')
      assert.equal(node.submit(validated(offer)).status, 'added')
      assert.equal(node.purging, true, 'an offer held: the timer runs')
      now = offer.terms.expires + SKEW + 1
      const deadline = Date.now() + 5000
      while (node.mempool.offers.size > 0 && Date.now() < deadline)
        await new Promise((done) => setTimeout(done, 100))
      assert.equal(node.mempool.offers.size, 0, 'purged at expiry with no admission')
      assert.equal(node.purging, false, 'and the timer sleeps again')
    } finally {
      await node.stop()
    }
  })
})
