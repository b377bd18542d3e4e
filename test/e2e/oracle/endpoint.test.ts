import assert from 'node:assert/strict'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import type { FastifyInstance } from 'fastify'
import { type EndpointError, OracleEndpointClient } from '../../../src/client/endpoint-client.ts'
import { buildEndpoint } from '../../../src/oracle/endpoint.ts'
import { factSource } from '../../../src/oracle/sources.ts'
import { digitPoint, toDigits } from '../../../src/protocol/digits.ts'
import type { Commitment } from '../../../src/protocol/messages/index.ts'
import { deriveCapabilitySecret, outcomePoint } from '../../../src/protocol/oracle-attestation.ts'
import { signatureScalarPoint } from '../../../src/protocol/schnorr-nonce.ts'
import { sign } from '../../../src/protocol/sign.ts'
import { publicKeyOf } from '../../../src/protocol/signature.ts'
import * as fx from '../../support/messages.ts'

const ROOT = fx.ORACLE.secretKey
function capabilityKey(label: string) {
  const secretKey = deriveCapabilitySecret(ROOT, label, 'bip340')
  return { scheme: 'bip340' as const, secretKey, publicKey: publicKeyOf('bip340', secretKey) }
}
const SCHNORR = capabilityKey('winner')
const HASHLOCK = capabilityKey('winner-hashlock')
const PAID = capabilityKey('winner-paid')
const schnorrAd = fx.capabilityAd({ attestation: 'schnorr' }, fx.ORACLE, SCHNORR)
const hashlockAd = fx.capabilityAd({ attestation: 'hashlock' }, fx.ORACLE, HASHLOCK)
const paidAd = fx.capabilityAd({ attestation: 'signature' }, fx.ORACLE, PAID)
const PRICE = capabilityKey('price')
const priceAd = fx.capabilityAd({ attestation: 'schnorr-digits', digits: 8, answers: [] }, fx.ORACLE, PRICE)

let dir: string
let app: FastifyInstance
let url: string
let client: OracleEndpointClient

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mega-endpoint-'))
  const facts = join(dir, 'facts.json')
  await writeFile(
    facts,
    JSON.stringify({
      facts: [
        { args: { home: 'ARS', away: 'CHE', date: '2026-11-21' }, answer: 'home' },
        { args: { home: 'CHE', away: 'ARS', date: '2026-11-21' }, answer: 'a-lie-outside-the-answers' },
        { args: { home: 'ARS', away: 'ARS', date: '2026-11-21' }, answer: null },
      ],
    }),
  )
  const source = factSource({ type: 'file', path: facts })
  const prices = join(dir, 'prices.json')
  await writeFile(
    prices,
    JSON.stringify({
      facts: [
        { args: { home: 'ARS', away: 'CHE', date: '2026-11-21' }, answer: 200 },
        { args: { home: 'CHE', away: 'ARS', date: '2026-11-21' }, answer: 256 },
        { args: { home: 'ARS', away: 'ARS', date: '2026-11-21' }, answer: '0200' },
      ],
    }),
  )
  app = await buildEndpoint(
    {
      oracle: fx.oracleAd(),
      capabilities: [
        { ad: schnorrAd, secretKey: SCHNORR.secretKey, source },
        { ad: hashlockAd, secretKey: HASHLOCK.secretKey, source },
        { ad: paidAd, secretKey: PAID.secretKey, source },
        { ad: priceAd, secretKey: PRICE.secretKey, source: factSource({ type: 'file', path: prices }) },
      ],
      manifest: fx.manifest(fx.ORACLE, [schnorrAd]),
      paymentCheck: async (request, capability) =>
        capability.capabilityKey !== PAID.publicKey || request.invoice === 'paid-invoice'
          ? { paid: true }
          : { paid: false, reason: 'no paid invoice' },
    },
    { deadlineSeconds: 3600 },
  )
  url = await app.listen({ host: '127.0.0.1', port: 0 })
  client = new OracleEndpointClient({ url })
})
after(async () => {
  await app?.close()
  await rm(dir, { recursive: true, force: true })
})

async function post(path: string, body: string, type = 'application/json') {
  const response = await fetch(`${url}${path}`, { method: 'POST', body, headers: { 'content-type': type } })
  return { status: response.status, body: (await response.json()) as { code?: string; path?: string } }
}

describe('oracle endpoint over HTTP', () => {
  it('serves verified capabilities with the oracle ad', async () => {
    const { oracle, items } = await client.capabilities()
    assert.equal(oracle?.pubkey, fx.ORACLE.publicKey)
    assert.deepEqual(
      items.map((item) => item.capabilityKey),
      [SCHNORR.publicKey, HASHLOCK.publicKey, PAID.publicKey, PRICE.publicKey],
    )
  })

  it('a trader gets a Schnorr commitment and fact and checks s·G = R + e·P', async () => {
    const request = fx.factRequest(SCHNORR)
    const commitment = await client.commitment(request, schnorrAd)
    assert.equal(commitment.attestation.type, 'schnorr')
    const expected = outcomePoint(commitment, 'home')
    const fact = await client.fact(commitment, schnorrAd)
    assert.equal(fact.answer, 'home')
    assert.equal(signatureScalarPoint(fact.signature), expected)
    // Stateless: asking again gives the same nonce and the very same fact.
    const again = await client.commitment(request, schnorrAd)
    assert.deepEqual(again.attestation, commitment.attestation)
    assert.deepEqual(await client.fact(again, schnorrAd), fact)
  })

  it('numeric: one nonce per digit, one signature per digit, each s_i·G its digit point', async () => {
    const commitment = await client.commitment(fx.factRequest(PRICE), priceAd)
    const nonces = (commitment.attestation as { nonces: string[] }).nonces
    assert.equal(nonces.length, 8)
    const fact = await client.fact(commitment, priceAd)
    assert.equal(fact.answer, '200')
    for (const [i, bit] of toDigits(200, 8).entries()) {
      assert.equal(signatureScalarPoint(fact.digitSignatures![i]!), digitPoint(commitment, i, bit))
    }
    assert.deepEqual(await client.fact(commitment, priceAd), fact)
  })

  it('numeric: refuses a source value out of range or not in canonical decimal', async () => {
    for (const args of [
      { home: 'CHE', away: 'ARS', date: '2026-11-21' },
      { home: 'ARS', away: 'ARS', date: '2026-11-21' },
    ]) {
      const commitment = await client.commitment({ ...fx.factRequest(PRICE), args }, priceAd)
      const refused = await post('/fact', JSON.stringify(commitment))
      assert.deepEqual([refused.status, refused.body.code], [502, 'SOURCE_ANSWER_INVALID'])
    }
  })

  it('hash-lock: the fact reveals the committed preimage of its answer', async () => {
    const commitment = await client.commitment(fx.factRequest(HASHLOCK), hashlockAd)
    const fact = await client.fact(commitment, hashlockAd)
    assert.equal(fact.answer, 'home')
    assert.match(fact.preimage ?? '', /^[0-9a-f]{64}$/)
  })

  it('checks payment before committing', async () => {
    await assert.rejects(client.commitment(fx.factRequest(PAID), paidAd), (error: EndpointError) => {
      assert.equal(error.details.status, 402)
      assert.equal(error.details.problemCode, 'PAYMENT_REQUIRED')
      return true
    })
    const paid = await client.commitment({ ...fx.factRequest(PAID), invoice: 'paid-invoice' }, paidAd)
    assert.equal(paid.request.invoice, 'paid-invoice')
  })

  it('refuses a fact outside the answers, and an answer not known yet', async () => {
    const swapped = { ...fx.factRequest(SCHNORR), args: { home: 'CHE', away: 'ARS', date: '2026-11-21' } }
    const commitment = await client.commitment(swapped, schnorrAd)
    const lie = await post('/fact', JSON.stringify(commitment))
    assert.deepEqual([lie.status, lie.body.code], [502, 'SOURCE_ANSWER_INVALID'])
    const unknown = await client.commitment({ ...swapped, args: { ...swapped.args, home: 'ARS' } }, schnorrAd)
    const early = await post('/fact', JSON.stringify(unknown))
    assert.deepEqual([early.status, early.body.code], [409, 'FACT_NOT_READY'])
  })

  it('serves the manifest at /.well-known/mega-oracle.json', async () => {
    const verdict = await client.manifest({ domain: 'oracle.example' })
    assert.equal(verdict.status, 'domain-verified')
  })

  it('answers hostile requests with 4xx and keeps serving', async () => {
    const request = fx.factRequest(SCHNORR)
    const commitment: Commitment = await client.commitment(request, schnorrAd)
    const forgedBySomeoneElse = sign<Commitment>(
      { ...commitment, request: fx.factRequest(fx.CAPABILITY) },
      fx.CAPABILITY.secretKey,
    )
    const tampered = { ...commitment, deadline: commitment.deadline + 1 }
    const cases: [string, string, string, number, string][] = [
      ['bad JSON', '/commitment', '{"capability":', 400, 'BAD_JSON'],
      ['not an object', '/commitment', '[]', 422, 'SCHEMA_VIOLATION'],
      ['unknown field', '/commitment', JSON.stringify({ ...request, extra: 1 }), 422, 'SCHEMA_VIOLATION'],
      [
        'wrong capability',
        '/commitment',
        JSON.stringify(fx.factRequest(fx.OTHER_CAPABILITY)),
        404,
        'UNKNOWN_CAPABILITY',
      ],
      [
        'out-of-range argument',
        '/commitment',
        JSON.stringify({ ...request, args: { ...request.args, home: 'RMA' } }),
        422,
        'REQUEST_INVALID',
      ],
      [
        'unknown argument',
        '/commitment',
        JSON.stringify({ ...request, args: { ...request.args, x: 'y' } }),
        422,
        'REQUEST_INVALID',
      ],
      [
        'missing argument',
        '/commitment',
        JSON.stringify({ ...request, args: { home: 'ARS' } }),
        422,
        'REQUEST_INVALID',
      ],
      [
        'oversized body',
        '/commitment',
        JSON.stringify({ ...request, invoice: 'x'.repeat(70_000) }),
        413,
        'TOO_LARGE',
      ],
      [
        'forged commitment (other key)',
        '/fact',
        JSON.stringify(forgedBySomeoneElse),
        404,
        'UNKNOWN_CAPABILITY',
      ],
      ['tampered commitment', '/fact', JSON.stringify(tampered), 422, 'COMMITMENT_INVALID'],
      ['a request where a commitment belongs', '/fact', JSON.stringify(request), 422, 'UNKNOWN_KIND'],
    ]
    for (const [name, path, body, status, code] of cases) {
      const response = await post(path, body)
      assert.deepEqual([response.status, response.body.code], [status, code], name)
    }
    const text = await post('/commitment', JSON.stringify(request), 'text/plain')
    assert.equal(text.status, 415)
    assert.equal((await fetch(`${url}/nowhere`)).status, 404)
    assert.equal((await client.capabilities()).items.length, 4, 'still serving')
  })
})
