/**
 * Hostile or malformed data from nodes and oracle endpoints: rejected with a clear message, and
 * the trader store keeps only what checks out. Fake servers on loopback play the hostile side;
 * the CLI runs in process.
 */
import assert from 'node:assert/strict'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import type { Commitment, Fact, FactRequest, OracleCapability } from '../../../src/protocol/messages/index.ts'
import { sign } from '../../../src/protocol/sign.ts'
import { TraderStore } from '../../../src/trader/store.ts'
import * as fx from '../../support/messages.ts'
import { runCli as run } from '../../support/run-cli.ts'

type Handler = (request: IncomingMessage, body: string, response: ServerResponse) => void

async function serve(handler: Handler): Promise<{ url: string; server: Server }> {
  const server = createServer((request, response) => {
    let body = ''
    request.on('data', (chunk) => (body += chunk))
    request.on('end', () => handler(request, body, response))
  })
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done))
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server }
}

function send(response: ServerResponse, status: number, body: unknown) {
  response.writeHead(status, { 'content-type': 'application/json' })
  response.end(typeof body === 'string' ? body : JSON.stringify(body))
}

const servers: Server[] = []
let dir: string
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mega-trader-hostile-'))
})
after(async () => {
  for (const server of servers) server.close()
  await rm(dir, { recursive: true, force: true })
})

describe('hostile nodes', () => {
  it('messages with bad signatures or wrong types are left out, each named; the rest is kept', async () => {
    const ad = fx.oracleAd()
    const capability = fx.capabilityAd()
    const report = fx.report({ type: 'free-form', comment: 'x', links: [] })
    const { url, server } = await serve((request, _body, response) => {
      const path = request.url!.split('?')[0]
      if (path === '/oracles') return send(response, 200, { items: [{ key: ad.pubkey }] })
      if (path === `/oracles/${ad.pubkey}`)
        return send(response, 200, {
          ad,
          capabilities: [
            { message: { ...capability, signature: '1'.repeat(128) } },
            { message: { ...capability, answers: 5 } },
            { message: capability },
          ],
        })
      if (path === '/reports')
        return send(response, 200, { items: [{ message: { ...report, pow: { ...report.pow, bits: 40 } } }] })
      send(response, 404, {})
    })
    servers.push(server)
    const data = join(dir, 'nodes')
    const result = await run(['trader', 'oracles', '--data', data, '--node', url, '--json'])
    assert.equal(result.code, 0, result.err)
    assert.match(
      result.err,
      /rejected from .*\/oracles\/[0-9a-f]{64}: capability \/signature.*SIGNATURE_INVALID/,
    )
    assert.match(result.err, /rejected from .*: capability \/answers must be array/)
    assert.match(result.err, /rejected from .*\/reports\?oracle=.*: report .*POW/)
    const { oracles } = JSON.parse(result.out) as {
      oracles: { key: string; capabilityBits: number[]; reports: unknown[] }[]
    }
    assert.deepEqual(
      oracles.map((o) => [o.key, o.capabilityBits, o.reports.length]),
      [[ad.pubkey, [capability.pow.bits], 0]],
    )
    const store = new TraderStore({ dataDir: data })
    assert.deepEqual(store.counts(), { oracle: 1, capability: 1 })
    store.close()
  })

  it('a response that is not what the API promises stops with a precise error', async () => {
    const cases: [unknown, RegExp][] = [
      ['<html>', /non-JSON/],
      [{ items: 'x' }, /NODE_RESPONSE_INVALID/],
      [{ items: [{ key: 'nope' }] }, /not 64 hex digits/],
    ]
    for (const [body, expected] of cases) {
      const { url, server } = await serve((_request, _body, response) => send(response, 200, body))
      servers.push(server)
      const result = await run(['trader', 'oracles', '--data', join(dir, 'bad'), '--node', url])
      assert.equal(result.code, 1, String(expected))
      assert.match(result.err, expected)
    }
    // With several nodes, one broken node is reported and the others are still used.
    const { url: broken, server: brokenServer } = await serve((_request, _body, response) =>
      send(response, 200, '<html>'),
    )
    const { url: empty, server: emptyServer } = await serve((_request, _body, response) =>
      send(response, 200, { items: [] }),
    )
    servers.push(brokenServer, emptyServer)
    const mixed = await run([
      'trader',
      'oracles',
      '--data',
      join(dir, 'bad'),
      '--node',
      broken,
      '--node',
      empty,
    ])
    assert.equal(mixed.code, 0, mixed.err)
    assert.match(mixed.err, new RegExp(`rejected from ${broken}: .*non-JSON`))

    // A node that never stops talking: read up to the limit, no further.
    const { url: flood, server: flooding } = await serve((_request, _body, response) => {
      response.writeHead(200, { 'content-type': 'application/json' })
      const chunk = Buffer.alloc(1024 * 1024, 0x20)
      let sent = 0
      const pump = () => {
        while (sent < 64 && response.write(chunk)) sent++
        if (sent < 64) response.once('drain', pump)
        else response.end()
      }
      response.on('error', () => {})
      pump()
    })
    servers.push(flooding)
    const flooded = await run(['trader', 'oracles', '--data', join(dir, 'bad'), '--node', flood])
    assert.equal(flooded.code, 1)
    assert.match(flooded.err, /answered more than 16777216 bytes/)
    const unreachable = await run([
      'trader',
      'oracles',
      '--data',
      join(dir, 'bad'),
      '--node',
      'http://127.0.0.1:9',
    ])
    assert.equal(unreachable.code, 1)
    assert.match(unreachable.err, /cannot reach the node at http:\/\/127.0.0.1:9/)
  })
})

describe('hostile oracle endpoints', () => {
  const args = ['--arg', 'home=ARS', '--arg', 'away=CHE', '--arg', 'date=2026-11-21']
  let behaviour: (route: string, body: string) => [number, unknown]
  let capability: OracleCapability
  let data: string

  before(async () => {
    const { url, server } = await serve((request, body, response) => {
      const [status, answer] = behaviour(request.url!, body)
      send(response, status, answer)
    })
    servers.push(server)
    capability = fx.capabilityAd({ attestation: 'signature', endpoint: `${url}/mega` })
    data = join(dir, 'ask')
    const file = join(dir, 'ask.json')
    const messages = [fx.oracleAd(), capability].map((message) => ({ own: false, origin: 'test', message }))
    await writeFile(
      file,
      JSON.stringify({ format: 'mega-trader-export', version: 1, exportedAt: 0, messages }),
    )
    assert.equal((await run(['trader', 'import', file, '--data', data])).code, 0)
  })

  const commit = (request: FactRequest, deadline = Math.floor(Date.now() / 1000) + 3600): Commitment =>
    sign<Commitment>(
      { kind: 'commitment', scheme: 'bip340', request, attestation: { type: 'signature' }, deadline },
      fx.CAPABILITY.secretKey,
    )
  const fact = (request: FactRequest, answer: string): Fact =>
    sign<Fact>({ kind: 'fact', scheme: 'bip340', request, answer }, fx.CAPABILITY.secretKey)
  const ask = () =>
    run(['trader', 'ask', fx.CAPABILITY.publicKey, ...args, '--data', data, '--node', 'http://127.0.0.1:9'])

  it('gets a verified commitment and fact from a well-behaved endpoint', async () => {
    behaviour = (route, body) => {
      if (route === '/mega/commitment') return [200, commit(JSON.parse(body))]
      return [200, fact((JSON.parse(body) as Commitment).request, 'home')]
    }
    const result = await ask()
    assert.equal(result.code, 0, result.err)
    assert.match(result.out, /fact verified: "home"/)
  })

  it('refuses bad signatures, other requests, wrong types, answers outside the capability, non-JSON', async () => {
    const cases: [typeof behaviour, RegExp][] = [
      [
        (_route, body) => [200, { ...commit(JSON.parse(body)), signature: '2'.repeat(128) }],
        /commitment: \/signature: bip340 signature does not match.*\[ENDPOINT_INVALID\]/,
      ],
      [
        (_route, body) => [
          200,
          commit({ ...JSON.parse(body), args: { home: 'CHE', away: 'ARS', date: '2026-11-21' } }),
        ],
        /the commitment is for another request/,
      ],
      [(_route, body) => [200, { ...commit(JSON.parse(body)), deadline: 'soon' }], /commitment: \/deadline/],
      [(_route, body) => [200, commit(JSON.parse(body), 1000)], /deadline has passed/],
      [() => [200, '{"kind":'], /non-JSON content.*ENDPOINT_UNREACHABLE/],
      [
        () => [200, `"${'x'.repeat(2 * 1024 * 1024)}"`],
        /answered more than 1048576 bytes.*ENDPOINT_UNREACHABLE/,
      ],
      [() => [500, { detail: 'boom' }], /commitment: 500 UNKNOWN boom.*\[ENDPOINT_UNREACHABLE\]/],
      [
        () => [502, { code: 'SOURCE_ANSWER_CHANGED', detail: 'already answered home' }],
        /502 SOURCE_ANSWER_CHANGED already answered home \[SOURCE_ANSWER_CHANGED\]\n$/,
      ],
      [
        (route, body) =>
          route.endsWith('/commitment')
            ? [200, commit(JSON.parse(body))]
            : [200, fact((JSON.parse(body) as Commitment).request, 'maybe')],
        /the answer is not one of the capability’s/,
      ],
      [
        (route, body) =>
          route.endsWith('/commitment')
            ? [200, commit(JSON.parse(body))]
            : [200, { ...fact((JSON.parse(body) as Commitment).request, 'home'), answer: 'away' }],
        /fact: \/signature: bip340 signature does not match/,
      ],
      [
        (route, body) =>
          route.endsWith('/commitment')
            ? [200, commit(JSON.parse(body))]
            : [200, { kind: 'fact', answer: 7 }],
        /fact: \//,
      ],
    ]
    for (const [next, expected] of cases) {
      behaviour = next
      const before = new TraderStore({ dataDir: data })
      const counts = before.counts()
      before.close()
      const result = await ask()
      assert.equal(result.code, 1, `${expected}: ${result.out}`)
      assert.match(result.err, expected)
      const store = new TraderStore({ dataDir: data })
      const fresh = store.counts()
      store.close()
      assert.equal(fresh.fact, counts.fact, 'no invalid fact stored')
    }
  })

  it('a fact not known yet is no error: the trader can fetch it later', async () => {
    let ready = false
    behaviour = (route, body) => {
      if (route.endsWith('/commitment')) return [200, commit(JSON.parse(body))]
      return ready
        ? [200, fact((JSON.parse(body) as Commitment).request, 'draw')]
        : [425, { detail: 'not decided yet', code: 'FACT_NOT_READY' }]
    }
    const first = await run([
      'trader',
      'ask',
      fx.CAPABILITY.publicKey,
      ...args,
      '--data',
      data,
      '--node',
      'http://127.0.0.1:9',
      '--json',
    ])
    assert.equal(first.code, 0, first.err)
    const { commitmentId, fact: notYet } = JSON.parse(first.out) as {
      commitmentId: string
      fact: { status: number; detail: string }
    }
    assert.equal(notYet.status, 425)
    assert.match(notYet.detail, /FACT_NOT_READY not decided yet/)
    ready = true
    const later = await run(['trader', 'fact', commitmentId, '--data', data, '--node', 'http://127.0.0.1:9'])
    assert.equal(later.code, 0, later.err)
    assert.match(later.out, /fact verified: "draw"/)
  })
})
