/**
 * Bid verification (`mempool.bids`): a running node asks an external verifier (HTTP hook or
 * command) in the background, never during admission, and re-ranks the ad when it answers.
 */
import assert from 'node:assert/strict'
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import pino from 'pino'
import { NodeClient } from '../../../src/client/node-client.ts'
import { type BidsConfig, BidVerifications, bidCheckOf, defaultBidsConfig } from '../../../src/node/bids.ts'
import { resolveConfig } from '../../../src/node/config.ts'
import { MegaNode } from '../../../src/node/node.ts'
import type { Bid } from '../../../src/protocol/messages/index.ts'
import * as fx from '../../support/messages.ts'

const BIDDER = fx.testKey('ed25519', 21)
const STRONG = fx.testKey('ed25519', 22)
const STRONGER = fx.testKey('ed25519', 23)
const PAID: Bid = { amount: 1000, paymentType: 'lightning', proof: 'lnbc-paid' }

let dir: string
let hook: Server
let hookUrl: string
/** Bodies the verifier received. */
const asked: { oracle: string; bid: Bid }[] = []

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mega-bids-'))
  // The verifier: pays what a proof ending in "-paid" offers, refuses everything else.
  hook = createServer((request, response) => {
    let body = ''
    request.on('data', (chunk) => (body += chunk))
    request.on('end', () => {
      const asking = JSON.parse(body) as { oracle: string; bid: Bid }
      asked.push(asking)
      const paid = asking.bid.proof.endsWith('-paid')
      response.writeHead(paid ? 200 : 402, { 'content-type': 'application/json' })
      response.end(JSON.stringify(paid ? { amount: String(asking.bid.amount) } : { error: 'unpaid' }))
    })
  })
  await new Promise<void>((listening) => hook.listen(0, '127.0.0.1', listening))
  hookUrl = `http://127.0.0.1:${(hook.address() as AddressInfo).port}/verify-bid`
})
after(async () => {
  await new Promise((closed) => hook.close(closed))
  await rm(dir, { recursive: true, force: true })
})

async function startNode(name: string, bids?: Partial<BidsConfig>) {
  const config = resolveConfig({
    dataDir: join(dir, name),
    http: { host: '127.0.0.1', port: 0 },
    mempool: {
      minBits: { oracle: 8, capability: 8, report: 8, offer: 8 },
      maxOracles: 2,
      ...(bids && { bids }),
    },
    network: { enabled: false },
  })
  const node = new MegaNode(config, { logger: pino({ level: 'silent' }) })
  await node.start()
  return { node, client: new NodeClient({ url: node.url! }) }
}

async function bidOf(client: NodeClient, key: string): Promise<string | undefined> {
  const { status, body } = await client.get(`oracles/${key}`)
  return status === 200 ? (body as { bid: string }).bid : undefined
}

async function until(what: string, check: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + 10_000
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`)
    await new Promise((done) => setTimeout(done, 50))
  }
}

/**
 * Fills a pool of two with the bidding ad (8 bits) and a stronger unbid one (12 bits), then
 * offers a third, stronger still (13 bits): the pool evicts whichever ranks lowest.
 */
async function crowd(client: NodeClient) {
  assert.equal((await client.post('oracle', fx.oracleAd({ bid: PAID }, BIDDER, 8))).status, 201)
  return {
    rest: async () => {
      assert.equal((await client.post('oracle', fx.oracleAd({}, STRONG, 12))).status, 201)
      assert.equal((await client.post('oracle', fx.oracleAd({}, STRONGER, 13))).status, 201)
    },
  }
}

describe('bid verification on a running node', () => {
  it('admits at bid 0, verifies in the background, then ranks the ad above stronger unbid ones', async () => {
    const { node, client } = await startNode('verified', { verifier: 'http', url: hookUrl })
    try {
      const { rest } = await crowd(client)
      await until('the bid is verified', async () => (await bidOf(client, BIDDER.publicKey)) === '1000')
      assert.deepEqual(asked, [{ oracle: BIDDER.publicKey, bid: PAID }])
      await rest()
      assert.equal(await bidOf(client, BIDDER.publicKey), '1000', 'kept: it ranks first')
      assert.equal(await bidOf(client, STRONG.publicKey), undefined, 'evicted: unbid and weaker')
      assert.equal(await bidOf(client, STRONGER.publicKey), '0')
      // An update with the same bid ranks from the cache at once: the verifier is not asked again.
      const update = await client.post('oracle', fx.oracleAd({ bid: PAID, seqNo: 2 }, BIDDER, 8))
      assert.equal((update.body as { status: string }).status, 'updated')
      assert.equal(await bidOf(client, BIDDER.publicKey), '1000')
      assert.equal(asked.length, 1)
    } finally {
      await node.stop()
    }
    // The verified rank was persisted: a restart restores it without asking again.
    const again = await startNode('verified', { verifier: 'http', url: hookUrl })
    try {
      assert.equal(await bidOf(again.client, BIDDER.publicKey), '1000')
      assert.equal(asked.length, 1)
    } finally {
      await again.node.stop()
    }
    // Switched off, the verifier's earlier verdicts no longer count: unverified bids are 0.
    const off = await startNode('verified')
    try {
      assert.equal(await bidOf(off.client, BIDDER.publicKey), '0')
    } finally {
      await off.node.stop()
    }
  })

  it('counts every bid 0 with the default configuration', async () => {
    const before = asked.length
    const { node, client } = await startNode('default')
    try {
      assert.equal(node.bids, undefined)
      const { rest } = await crowd(client)
      assert.equal(await bidOf(client, BIDDER.publicKey), '0')
      await rest()
      assert.equal(await bidOf(client, BIDDER.publicKey), undefined, 'evicted: the weakest')
      assert.equal(await bidOf(client, STRONG.publicKey), '0')
      assert.equal(asked.length, before)
    } finally {
      await node.stop()
    }
  })

  it('leaves a refused bid at 0', async () => {
    const { node, client } = await startNode('refused', { verifier: 'http', url: hookUrl })
    try {
      const unpaid = { ...PAID, proof: 'lnbc-forged' }
      assert.equal((await client.post('oracle', fx.oracleAd({ bid: unpaid }, BIDDER, 8))).status, 201)
      await until('the verifier answered', async () => node.bids!.stats.refused === 1)
      assert.equal(await bidOf(client, BIDDER.publicKey), '0')
    } finally {
      await node.stop()
    }
  })
})

describe('bid verifier', () => {
  const config: BidsConfig = { ...defaultBidsConfig, verifier: 'command', timeoutMs: 2_000 }

  it('runs a command with the bid as argv: exit 0 pays the printed amount (at most the bid), else 0', async () => {
    const script = join(dir, 'verify-bid.sh')
    await writeFile(
      script,
      [
        '#!/bin/sh',
        // argv: oracle=… amount=… paymentType=… proof=…
        'case "$4" in',
        '  proof=half) echo 500 ;;',
        '  proof=more) echo 99999 ;;',
        '  proof=all) ;;',
        '  proof=slow) sleep 5 ;;',
        '  *) exit 1 ;;',
        'esac',
      ].join('\n'),
    )
    await chmod(script, 0o755)
    const check = bidCheckOf({ ...config, command: [script] })!
    const bid = (proof: string): Bid => ({ amount: 1000, paymentType: 'lightning', proof })
    assert.equal(await check(bid('half'), BIDDER.publicKey), 500n)
    assert.equal(await check(bid('all'), BIDDER.publicKey), 1000n)
    assert.equal(await check(bid('nope'), BIDDER.publicKey), 0n)
    await assert.rejects(check(bid('slow'), BIDDER.publicKey), /timed out/)

    const resolved: string[] = []
    const verifier = new BidVerifications({
      check,
      config: { ...config, concurrency: 1, queueSize: 2 },
      onResolved: (_oracle, { proof }) => resolved.push(proof),
    })
    for (const proof of ['half', 'more', 'nope', 'all']) verifier.request(bid(proof), BIDDER.publicKey)
    assert.equal(verifier.verify(bid('half'), BIDDER.publicKey), 0n, 'not verified yet: 0, never waits')
    assert.equal(verifier.stats.dropped, 1, 'one running, two waiting, the fourth dropped')
    await until('the queue drained', async () => verifier.backlog === 0)
    assert.deepEqual(resolved, ['half', 'more', 'nope'])
    assert.equal(verifier.verify(bid('half'), BIDDER.publicKey), 500n)
    assert.equal(verifier.verify(bid('more'), BIDDER.publicKey), 1000n, 'capped at the amount the ad offers')
    assert.equal(verifier.verify(bid('nope'), BIDDER.publicKey), 0n)
    assert.equal(verifier.verify(bid('half'), STRONG.publicKey), 0n, 'a proof counts for its oracle only')
    verifier.request(bid('half'), BIDDER.publicKey)
    assert.equal(verifier.backlog, 0, 'cached: not verified again')

    // A verifier that does not answer in time leaves 0 and is reported, not waited for.
    const failures: string[] = []
    const slow = new BidVerifications({
      check: bidCheckOf({ ...config, command: [script], timeoutMs: 200 })!,
      config,
      onResolved: () => {},
      onFailure: (_oracle, error) => failures.push((error as Error).message),
    })
    slow.request(bid('slow'), BIDDER.publicKey)
    await until('the verification failed', async () => slow.backlog === 0)
    assert.equal(slow.stats.failed, 1)
    assert.match(failures[0]!, /timed out after 200 ms/)
    assert.equal(slow.verify(bid('slow'), BIDDER.publicKey), 0n)
  })
})
