/**
 * The relay in one process: a node (network off) relays to an oracle endpoint that records the
 * address and headers of every request it gets, and a trader asks through the node.
 */
import assert from 'node:assert/strict'
import { mkdtemp, rm } from 'node:fs/promises'
import { createServer, type Server } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import type { FastifyInstance } from 'fastify'
import pino from 'pino'
import { NodeClient } from '../../../src/client/node-client.ts'
import { FactStore } from '../../../src/facts/fact-store.ts'
import { resolveConfig } from '../../../src/node/config.ts'
import { MegaNode } from '../../../src/node/node.ts'
import { buildEndpoint, type ServedCapability } from '../../../src/oracle/endpoint.ts'
import type { Commitment, FactRequest, OracleCapability } from '../../../src/protocol/messages/index.ts'
import { capabilitySigner, deriveCapabilitySecret } from '../../../src/protocol/oracle-attestation.ts'
import { publicKeyOf } from '../../../src/protocol/signature.ts'
import { TraderError } from '../../../src/trader/errors.ts'
import { isNotYet, Trader } from '../../../src/trader/trader.ts'
import * as fx from '../../support/messages.ts'

function capabilityKey(label: string) {
  const secretKey = deriveCapabilitySecret(fx.ORACLE.secretKey, label, 'bip340')
  return { scheme: 'bip340' as const, secretKey, publicKey: publicKeyOf('bip340', secretKey) }
}
const KEY = capabilityKey('winner')
const OFF_KEY = capabilityKey('switched-off')
const ARGS = fx.factRequest().args

interface Seen {
  address: string
  url: string
  headers: Record<string, unknown>
}

let dir: string
let endpoint: FastifyInstance
let node: MegaNode
let client: NodeClient
let ad: OracleCapability
const seen: Seen[] = []
/** Milliseconds the fact source takes: long enough for requests to overlap. */
let sourceDelay = 0

async function startNode(
  relay: Record<string, unknown>,
  dataDir: string,
  facts: Record<string, unknown> = {},
) {
  const config = resolveConfig({
    dataDir,
    http: { host: '127.0.0.1', port: 0 },
    mempool: { minBits: { oracle: 8, capability: 8, report: 8, offer: 8 } },
    network: { enabled: false },
    api: { dashboard: false, docs: false, rateLimitMax: 10_000 },
    relay,
    facts,
  })
  const started = new MegaNode(config, { logger: pino({ level: 'silent' }) })
  await started.start()
  return started
}

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mega-relay-'))
  let served: ServedCapability[] = []
  endpoint = await buildEndpoint(
    {
      oracle: fx.oracleAd(),
      capabilities: () => served,
      clock: Date.now,
    },
    { deadlineSeconds: 3600 },
  )
  // The oracle's access log: every request's peer address and headers, as the server got them.
  endpoint.server.on('request', (request) => {
    seen.push({
      address: request.socket.remoteAddress ?? '',
      url: request.url ?? '',
      headers: { ...request.headers },
    })
  })
  const url = await endpoint.listen({ host: '127.0.0.1', port: 0 })
  ad = fx.capabilityAd({ attestation: 'schnorr', endpoint: url }, fx.ORACLE, KEY)
  served = [
    {
      ad,
      secretKey: KEY.secretKey,
      source: async (request: FactRequest) => {
        await new Promise((done) => setTimeout(done, sourceDelay))
        if (request.args.home === request.args.away && request.args.home === 'CHE') return undefined
        return request.args.home === 'ARS' ? 'home' : 'away'
      },
    },
  ]
  // The relay leaves from an address of its own; the trader connects from 127.0.0.1.
  node = await startNode({ localAddress: '127.0.0.2', maxPerOraclePerMinute: 1000 }, join(dir, 'node'))
  client = new NodeClient({ url: node.url! })
  assert.equal((await client.post('oracle', fx.oracleAd())).status, 201)
  assert.equal((await client.post('capability', ad)).status, 201)
})

after(async () => {
  await node?.stop()
  await endpoint?.close()
  await rm(dir, { recursive: true, force: true })
})

function trader(name: string, via: string[], fetchImpl?: typeof fetch) {
  return new Trader({
    dataDir: join(dir, name),
    nodes: [node.url!],
    via,
    ...(fetchImpl && { fetch: fetchImpl }),
  })
}

function relayPost(path: string, body: unknown) {
  return fetch(`${node.url}/relay/${path}`, {
    method: 'POST',
    body: typeof body === 'string' ? body : JSON.stringify(body),
    headers: { 'content-type': 'application/json' },
  })
}

const upstream = () => seen.filter((entry) => entry.url === '/commitment' || entry.url === '/fact')

describe('relay', () => {
  it('asks the oracle for a trader, which sees only the node’s address and none of the trader’s headers', async () => {
    // The trader's own fetch adds a header that would identify it, were it passed on.
    const identifying: typeof fetch = (input, init) =>
      fetch(input, {
        ...init,
        headers: { ...(init?.headers as object), 'x-trader': 'alice', cookie: 'id=alice' },
      })
    const alice = trader('alice', [node.url!], identifying)
    try {
      const before = upstream().length
      const { commitment, fact } = await alice.ask(ad.capabilityKey, ARGS)
      assert.equal(commitment.request.capability, ad.capabilityKey)
      assert.equal((fact as { answer: string }).answer, 'home')
      const calls = upstream().slice(before)
      assert.deepEqual(
        calls.map((call) => call.url),
        ['/commitment', '/fact'],
      )
      for (const call of calls) {
        assert.equal(call.address, '127.0.0.2', 'the node’s egress address, not the trader’s')
        assert.deepEqual(Object.keys(call.headers).sort(), [
          'connection',
          'content-length',
          'content-type',
          'host',
        ])
      }
    } finally {
      alice.close()
    }
  })

  it('serves a second trader’s identical request from the fact pool, without reaching the oracle', async () => {
    const bob = trader('bob', [node.url!])
    try {
      const before = upstream().length
      const { fact } = await bob.ask(ad.capabilityKey, ARGS)
      assert.equal((fact as { answer: string }).answer, 'home')
      assert.equal(upstream().length, before, 'the oracle was not asked')
      const stats = (await client.get('stats')).body as { relay: { oracle: number; pool: number } }
      assert.deepEqual(
        [stats.relay.oracle, stats.relay.pool],
        [2, 2],
        'alice’s from the oracle, bob’s from the pool',
      )
      const facts = (await client.get('facts', { capability: ad.capabilityKey, args: JSON.stringify(ARGS) }))
        .body as { facts: unknown[]; commitments: unknown[] }
      assert.equal(facts.facts.length, 1)
      assert.equal(facts.commitments.length, 1)
    } finally {
      bob.close()
    }
  })

  it('sends identical requests in flight at once to the oracle once', async () => {
    const request = { capability: ad.capabilityKey, args: { ...ARGS, home: 'CHE', away: 'ARS' } }
    const commitment = (await (await relayPost('commitment', request)).json()) as Commitment
    sourceDelay = 300
    try {
      const before = upstream().length
      const responses = await Promise.all([1, 2, 3].map(() => relayPost('fact', commitment)))
      assert.deepEqual(
        responses.map((r) => r.status),
        [200, 200, 200],
      )
      assert.deepEqual(responses.map((r) => r.headers.get('x-mega-source')).sort(), [
        'oracle',
        'shared',
        'shared',
      ])
      assert.equal(upstream().length - before, 1)
    } finally {
      sourceDelay = 0
    }
  })

  it('lets a trader catch a relay that tampers with the oracle’s answer', async () => {
    // A hostile relay: forwards to the honest one, then changes the answer it returns.
    const tamper: Server = createServer(async (request, response) => {
      const chunks: Buffer[] = []
      for await (const chunk of request) chunks.push(chunk as Buffer)
      const upstreamResponse = await fetch(`${node.url}${request.url}`, {
        method: 'POST',
        body: Buffer.concat(chunks),
        headers: { 'content-type': 'application/json' },
      })
      const body = (await upstreamResponse.json()) as Record<string, unknown>
      if (body.kind === 'fact') body.answer = body.answer === 'home' ? 'away' : 'home'
      response.writeHead(upstreamResponse.status, { 'content-type': 'application/json' })
      response.end(JSON.stringify(body))
    })
    await new Promise<void>((done) => tamper.listen(0, '127.0.0.1', done))
    const address = tamper.address() as { port: number }
    const carol = trader('carol', [`http://127.0.0.1:${address.port}`])
    try {
      await assert.rejects(carol.ask(ad.capabilityKey, ARGS), (error: unknown) => {
        assert.ok(error instanceof TraderError)
        assert.equal(error.code, 'ENDPOINT_INVALID')
        return true
      })
      assert.equal(carol.store.list('fact').length, 0, 'nothing tampered is stored')
    } finally {
      carol.close()
      await new Promise((done) => tamper.close(done))
    }
  })
})

describe('relay against hostile clients', () => {
  it('never forwards an oversize, malformed or invalid request, nor one for a capability it does not hold', async () => {
    const before = upstream().length
    const signer = capabilitySigner(ad, KEY.secretKey)
    const good = signer.commit({ capability: ad.capabilityKey, args: ARGS }, 2_000_000_000)
    const off = fx.capabilityAd(
      { attestation: 'schnorr', endpoint: ad.endpoint, off: true, seqNo: 2 },
      fx.ORACLE,
      OFF_KEY,
    )
    assert.equal((await client.post('capability', off)).status, 201)
    const cases: [string, unknown, number, string][] = [
      [
        'commitment',
        { capability: ad.capabilityKey, args: ARGS, invoice: 'x'.repeat(70_000) },
        413,
        'TOO_LARGE',
      ],
      ['commitment', '{"capability":', 400, 'BAD_JSON'],
      [
        'commitment',
        { capability: ad.capabilityKey, args: { ...ARGS, date: '1999-01-01' } },
        422,
        'REQUEST_INVALID',
      ],
      ['commitment', { capability: ad.capabilityKey, args: ARGS, extra: 1 }, 422, 'SCHEMA_VIOLATION'],
      ['commitment', fx.factRequest(fx.OTHER_CAPABILITY), 404, 'CAPABILITY_NOT_HELD'],
      ['commitment', { capability: off.capabilityKey, args: ARGS }, 410, 'CAPABILITY_OFF'],
      ['fact', { ...good, deadline: good.deadline + 1 }, 422, 'SIGNATURE_INVALID'],
      ['fact', fx.commitment(2_000_000_000, fx.OTHER_CAPABILITY), 404, 'CAPABILITY_NOT_HELD'],
      ['fact', fx.factRequest(), 422, 'UNKNOWN_KIND'],
    ]
    for (const [path, body, status, code] of cases) {
      const response = await relayPost(path, body)
      const problem = (await response.json()) as { code: string }
      assert.equal(response.status, status, `${path} ${code}`)
      assert.equal(problem.code, code)
      assert.match(response.headers.get('content-type') ?? '', /problem\+json/)
    }
    assert.equal(upstream().length, before, 'none reached the oracle')
    const stats = (await client.get('stats')).body as {
      relay: { refused: number }
      facts: { records: number }
    }
    // The body limit and the JSON parser refuse the first two before the relay sees them.
    assert.ok(stats.relay.refused >= cases.length - 2, 'counted in /stats')
    assert.ok(stats.facts.records >= 2)
  })

  it('passes the oracle’s own refusal on with its status and code', async () => {
    const dave = trader('dave', [node.url!])
    try {
      const { fact } = await dave.ask(ad.capabilityKey, { ...ARGS, home: 'CHE', away: 'CHE' })
      assert.ok(isNotYet(fact), 'the trader reads the relayed 409 FACT_NOT_READY as from the oracle')
      assert.equal(fact.status, 409)
    } finally {
      dave.close()
    }
  })

  it('never pools nor serves from the pool a request with an invoice', async () => {
    const request = {
      capability: ad.capabilityKey,
      args: { ...ARGS, away: 'ARS', home: 'ARS' },
      invoice: 'one',
    }
    for (const _ of [1, 2]) {
      const before = upstream().length
      const response = await relayPost('commitment', request)
      assert.equal(response.status, 200)
      assert.equal(response.headers.get('x-mega-source'), 'oracle')
      assert.equal(upstream().length - before, 1)
    }
  })

  it('caps requests in flight per client, and calls per oracle per minute', async () => {
    const dataDir = join(dir, 'capped')
    const capped = await startNode({ maxInFlightPerClient: 2, maxPerOraclePerMinute: 3 }, dataDir)
    try {
      const cappedClient = new NodeClient({ url: capped.url! })
      await cappedClient.post('oracle', fx.oracleAd())
      await cappedClient.post('capability', ad)
      const post = (body: unknown) =>
        fetch(`${capped.url}/relay/fact`, {
          method: 'POST',
          body: JSON.stringify(body),
          headers: { 'content-type': 'application/json' },
        })
      const signer = capabilitySigner(ad, KEY.secretKey)
      const distinct = (n: number) =>
        signer.commit({ capability: ad.capabilityKey, args: ARGS, invoice: `flood-${n}` }, 2_000_000_000)
      sourceDelay = 300
      const before = upstream().length
      const flood = await Promise.all([0, 1, 2, 3, 4, 5].map((n) => post(distinct(n))))
      const statuses = flood.map((r) => r.status)
      assert.equal(statuses.filter((s) => s === 200).length, 2, `two in flight per client: ${statuses}`)
      assert.equal(statuses.filter((s) => s === 503).length, 4)
      assert.equal(flood.find((r) => r.status === 503)?.headers.get('retry-after'), '1')
      sourceDelay = 0
      const more = []
      for (const n of [6, 7, 8]) more.push((await post(distinct(n))).status)
      assert.deepEqual(more, [200, 503, 503], 'three calls to the oracle per minute')
      const problem = (await (await post(distinct(9))).json()) as { code: string }
      assert.equal(problem.code, 'RELAY_BUSY')
      assert.equal(upstream().length - before, 3, 'the oracle saw no more than the caps allow')
    } finally {
      sourceDelay = 0
      await capped.stop()
    }
  })

  it('keeps the fact pool within its budget under a flood of valid facts, on disk too', async () => {
    const dataDir = join(dir, 'flooded')
    const flooded = await startNode({}, dataDir, { maxPerCapability: 10, maxRecords: 15 })
    try {
      const floodedClient = new NodeClient({ url: flooded.url! })
      await floodedClient.post('oracle', fx.oracleAd())
      await floodedClient.post('capability', ad)
      const signer = capabilitySigner(ad, KEY.secretKey)
      for (let n = 0; n < 40; n++) {
        const fact = signer.attest(
          { capability: ad.capabilityKey, args: ARGS, invoice: `flood-${n}` },
          'home',
        )
        assert.equal((await floodedClient.post('fact-record' as never, fact)).status, 201)
      }
      assert.equal(flooded.facts.size, 10)
    } finally {
      await flooded.stop()
    }
    const store = new FactStore(dataDir)
    try {
      assert.equal(store.count(), 10, 'evicted records are deleted from disk')
    } finally {
      store.close()
    }
  })

  it('refuses clients of other hosts by default, and can be switched off', async () => {
    await assert.rejects(node.relay.commitment(fx.factRequest(), '192.0.2.7'), { code: 'RELAY_FORBIDDEN' })
    const off = await startNode({ clients: 'none' }, join(dir, 'off'))
    try {
      const response = await fetch(`${off.url}/relay/commitment`, {
        method: 'POST',
        body: JSON.stringify(fx.factRequest()),
        headers: { 'content-type': 'application/json' },
      })
      assert.equal(response.status, 404)
    } finally {
      await off.stop()
    }
  })
})
