/**
 * REST contract: every response the API gives (successes and problems) validates against
 * the schema the generated OpenAPI document declares for its path, method, status and media
 * type, and every documented operation is exercised.
 */
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import type { FastifyInstance, LightMyRequestResponse } from 'fastify'
import { Compile } from 'typebox/schema'
import { FactPool } from '../../../src/facts/fact-pool.ts'
import { Relay } from '../../../src/facts/relay.ts'
import { buildEndpoint } from '../../../src/oracle/endpoint.ts'
import { messageId } from '../../../src/protocol/message.ts'
import { body, STUB_NETWORK, type TestApi, testApi } from '../../support/api.ts'
import * as fx from '../../support/messages.ts'

// biome-ignore lint/suspicious/noExplicitAny: parsed JSON of any shape, checked by the schemas
type Json = Record<string, any>

/** `#/components/schemas/X` → `X`, so typebox resolves refs from a context of components. */
function byName<T>(node: T): T {
  if (Array.isArray(node)) return node.map(byName) as T
  if (node === null || typeof node !== 'object') return node
  const out: Json = {}
  for (const [key, value] of Object.entries(node))
    out[key] =
      key === '$ref' && typeof value === 'string' ? value.replace('#/components/schemas/', '') : byName(value)
  return out as T
}

describe('REST contract against /openapi.json', () => {
  let api: TestApi
  let doc: Json
  let context: Json
  let endpoint: FastifyInstance
  const exercised = new Set<string>()

  function operationOf(method: string, url: string): [string, Json] {
    const path = url.split('?')[0]!
    for (const [template, operations] of Object.entries(doc.paths as Json)) {
      const pattern = new RegExp(`^${template.replace(/\{[^}]+\}/g, '[^/]+')}$`)
      if (pattern.test(path) && operations[method]) return [`${method} ${template}`, operations[method]]
    }
    assert.fail(`${method} ${path} is not in the document`)
  }

  /** Asserts `response` matches the documented schema; returns its body. */
  function conforms(method: string, url: string, response: LightMyRequestResponse): Json {
    const [name, operation] = operationOf(method.toLowerCase(), url)
    exercised.add(name)
    const documented = operation.responses[String(response.statusCode)]
    assert.ok(documented, `${name} documents status ${response.statusCode}: ${response.body}`)
    const mediaType = String(response.headers['content-type']).split(';')[0]!
    const schema = documented.content?.[mediaType]?.schema
    assert.ok(schema, `${name} ${response.statusCode} documents ${mediaType}`)
    const validator = Compile(context, byName(schema))
    const value = JSON.parse(response.body)
    const [ok, errors] = validator.Errors(value)
    assert.ok(
      ok,
      `${name} ${response.statusCode}: ${JSON.stringify(errors.slice(0, 3))} in ${response.body.slice(0, 300)}`,
    )
    return value
  }

  async function get(url: string): Promise<Json> {
    return conforms('GET', url, await api.get(url))
  }

  async function post(url: string, message: unknown): Promise<Json> {
    return conforms('POST', url, await api.post(url, message))
  }

  before(async () => {
    // The oracle the relay asks, reached through `inject` (no socket).
    const capability = fx.capabilityAd({ attestation: 'signature' })
    endpoint = await buildEndpoint({
      capabilities: [{ ad: capability, secretKey: fx.CAPABILITY.secretKey, source: async () => 'home' }],
    })
    const viaInject: typeof fetch = async (input, init) => {
      const url = new URL(String(input))
      const response = await endpoint.inject({
        method: init?.method as 'POST',
        url: url.pathname.replace(/^\/mega/, ''),
        headers: { 'content-type': 'application/json' },
        payload: String(init?.body ?? ''),
      })
      return new Response(response.body, {
        status: response.statusCode,
        headers: { 'content-type': 'application/json' },
      })
    }
    const capabilityOf = (key: string) => api.mempool.capabilities.get(key)?.message
    const pool = new FactPool({}, { capabilityOf })
    api = await testApi(
      { rateLimit: { max: 1000, timeWindow: 60_000 } },
      { maxOracles: 3 },
      {
        network: STUB_NETWORK,
        facts: { pool, add: (value) => pool.add(value) },
        relay: new Relay(
          {},
          { capabilityOf, pool, record: (message) => pool.add(message), fetch: viaInject },
        ),
      },
    )
    doc = body(await api.get('/openapi.json'))
    context = byName(doc.components.schemas)
  })

  it('is an OpenAPI 3.1 document whose components are the protocol’s message schemas', () => {
    assert.equal(doc.openapi, '3.1.0')
    for (const name of [
      'OracleId',
      'OracleCapability',
      'Report',
      'Dispute',
      'Offer',
      'Pow',
      'Fact',
      'Problem',
    ])
      assert.ok(doc.components.schemas[name], name)
    assert.deepEqual(doc.paths['/oracle'].post.requestBody.content['application/json'].schema, {
      $ref: '#/components/schemas/OracleId',
    })
  })

  it('catches a response that breaks its schema (the check is real)', () => {
    const page = Compile(context, byName({ $ref: '#/components/schemas/OraclePage' }))
    assert.equal(page.Check({ items: [] }), true)
    assert.equal(page.Check({ items: [{ key: 'k' }] }), false)
    assert.equal(page.Check({ items: [], extra: 1 }), false)
    const report = Compile(context, { $ref: 'Report' })
    assert.equal(report.Check(fx.report({ type: 'free-form', comment: 'c', links: [] })), true)
    assert.equal(
      report.Check({ ...fx.report({ type: 'free-form', comment: 'c', links: [] }), oracle: 'x' }),
      false,
    )
  })

  it('every POST outcome conforms', async () => {
    const capability = fx.capabilityAd({ attestation: 'signature' })
    const missing = fx.report({ type: 'fact-missing', capability, commitment: fx.commitment(1_849_990_000) })
    const conflict = fx.report(
      { type: 'fact-conflict', capability, facts: [fx.fact('home'), fx.fact('away')] },
      fx.REPORTER,
      9,
    )
    assert.equal((await post('/oracle', fx.oracleAd({}, fx.ORACLE, 12))).status, 'added')
    assert.equal((await post('/oracle', fx.oracleAd({}, fx.ORACLE, 12))).status, 'duplicate')
    assert.equal((await post('/capability', capability)).status, 'added')
    assert.equal((await post('/report', missing)).status, 'added')
    assert.equal((await post('/report', conflict)).status, 'added')
    assert.equal((await post('/dispute', fx.dispute(messageId(missing)))).status, 'updated')
    assert.equal((await post('/offer', fx.offer())).status, 'added')
    assert.equal((await post('/offer', fx.acceptedOffer())).status, 'updated')
    for (const seed of [31, 32]) await post('/oracle', fx.oracleAd({}, fx.testKey('ed25519', seed), 10))
    assert.equal((await post('/oracle', fx.oracleAd({}, fx.testKey('ed25519', 33), 8))).code, 'LOW_POW')
    assert.equal((await post('/oracle', { ...fx.oracleAd(), seqNo: -1 })).code, 'SCHEMA_VIOLATION')
    assert.equal((await post('/dispute', fx.dispute('d'.repeat(64)))).code, 'UNKNOWN_REPORT')
    assert.equal((await post('/offer', '{"kind"')).code, 'BAD_JSON')
    assert.equal((await post('/capability', { pad: 'x'.repeat(200_000) })).code, 'TOO_LARGE')
  })

  it('every GET conforms, with filters, paging and errors', async () => {
    const key = fx.ORACLE.publicKey
    const oracles = await get('/oracles?limit=1')
    assert.equal(oracles.items.length, 1)
    assert.ok(oracles.next)
    assert.equal((await get(`/oracles?limit=1&cursor=${oracles.next}`)).items.length, 1)
    await get('/oracles?tag=sports&minScore=9&text=match')
    const detail = await get(`/oracles/${key}`)
    assert.equal(detail.reports.length, 2)
    await get('/capabilities')
    await get(`/capabilities?oracle=${key}&tag=sports&text=who`)
    const reports = await get(`/reports?oracle=${key}`)
    assert.ok(
      reports.items.some((r: Json) => r.dispute),
      'a disputed report carries its dispute',
    )
    await get('/reports?type=fact-conflict&limit=1')
    assert.equal((await get(`/offers?capability=${fx.CAPABILITY.publicKey}`)).items[0].stage, 'accepted')
    await get('/offers?stage=open')
    const stats = await get('/stats')
    assert.equal(stats.mempool.counters.status.added, 7)
    assert.equal(stats.network.gossip.rejected, 1)
    const peers = await get('/peers')
    assert.equal(peers.items[0].direction, 'outbound')
    await get('/health')
    assert.equal((await get(`/oracles/${'e'.repeat(64)}`)).code, 'NOT_FOUND')
    assert.equal((await get('/oracles/nothex')).code, 'BAD_REQUEST')
    assert.equal((await get('/oracles?cursor=offers.1.2')).code, 'BAD_CURSOR')
    assert.equal((await get('/oracles?limit=0')).code, 'BAD_REQUEST')
    assert.equal((await get('/offers?stage=sold')).code, 'BAD_REQUEST')
    assert.equal((await get('/reports?colour=red')).code, 'BAD_REQUEST')
  })

  it('every relay and fact pool outcome conforms', async () => {
    const request = fx.factRequest()
    const commitment = await post('/relay/commitment', request)
    assert.equal(commitment.kind, 'commitment')
    assert.equal((await post('/relay/commitment', { ...request, args: {} })).code, 'REQUEST_INVALID')
    assert.equal(
      (await post('/relay/commitment', fx.factRequest(fx.OTHER_CAPABILITY))).code,
      'CAPABILITY_NOT_HELD',
    )
    assert.equal((await post('/relay/fact', commitment)).answer, 'home')
    assert.equal((await post('/relay/fact', { ...commitment, deadline: 1 })).code, 'SIGNATURE_INVALID')
    assert.equal((await post('/fact-record', fx.fact('away'))).status, 'added')
    assert.equal((await post('/fact-record', fx.fact('away'))).status, 'duplicate')
    assert.equal((await post('/fact-record', fx.oracleAd())).code, 'UNKNOWN_KIND')
    const held = await get(
      `/facts?capability=${fx.CAPABILITY.publicKey}&args=${encodeURIComponent(JSON.stringify(request.args))}`,
    )
    assert.equal(held.facts.length, 2)
    assert.equal(held.commitments.length, 1)
    assert.equal((await get(`/facts?capability=${fx.CAPABILITY.publicKey}&args=[1]`)).code, 'BAD_REQUEST')
    const conflicts = await get('/facts/conflicts')
    assert.deepEqual(
      conflicts.items.map((c: Json) => c.type),
      ['equivocation'],
    )
    assert.equal((await get(`/facts/conflicts?oracle=${fx.ORACLE.publicKey}`)).items.length, 1)
    assert.deepEqual((await get(`/facts/conflicts?oracle=${fx.OTHER_ORACLE.publicKey}`)).items, [])
    assert.equal((await get('/facts/conflicts?oracle=nothex')).code, 'BAD_REQUEST')
    const stats = await get('/stats')
    assert.equal(stats.facts.conflicts, 1)
    await endpoint.close()
  })

  it('exercised every documented operation (but the event stream)', () => {
    const documented = Object.entries(doc.paths as Json).flatMap(([path, operations]) =>
      Object.keys(operations).map((method) => `${method} ${path}`),
    )
    assert.deepEqual(
      documented.filter((name) => !exercised.has(name)),
      ['get /events'],
    )
  })

  after(() => api.app.close())
})
