import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { messageId } from '../../../src/protocol/message.ts'
import { body, testApi } from '../../support/api.ts'
import * as fx from '../../support/messages.ts'

const PROBLEM = /^application\/problem\+json/

describe('POST outcomes and statuses', () => {
  it('answers 201 added, 200 duplicate, 200 updated with the admission', async (t) => {
    const api = await testApi()
    t.after(() => api.app.close())
    const ad = fx.oracleAd()
    const added = await api.post('/oracle', ad)
    assert.equal(added.statusCode, 201)
    assert.deepEqual(body(added), { status: 'added', kind: 'oracle', id: messageId(ad) })
    const again = await api.post('/oracle', ad)
    assert.equal(again.statusCode, 200)
    assert.equal(body(again).status, 'duplicate')
    const newer = await api.post('/oracle', fx.oracleAd({ seqNo: 2, tags: ['news'] }))
    assert.equal(newer.statusCode, 200)
    assert.equal(body(newer).status, 'updated')
  })

  it('takes every kind at its own route: capability, report, dispute, offer stages', async (t) => {
    const api = await testApi()
    t.after(() => api.app.close())
    assert.equal((await api.post('/oracle', fx.oracleAd({}, fx.ORACLE, 10))).statusCode, 201)
    const capability = fx.capabilityAd({ attestation: 'signature' })
    assert.equal((await api.post('/capability', capability)).statusCode, 201)
    const missing = fx.report({ type: 'fact-missing', capability, commitment: fx.commitment(1_849_990_000) })
    const report = await api.post('/report', missing)
    assert.equal(report.statusCode, 201)
    assert.equal(body(report).kind, 'report')
    const dispute = await api.post('/dispute', fx.dispute(messageId(missing)))
    assert.equal(dispute.statusCode, 200, dispute.body)
    assert.deepEqual([body(dispute).status, body(dispute).kind], ['updated', 'dispute'])
    assert.equal((await api.post('/offer', fx.offer())).statusCode, 201)
    assert.equal((await api.post('/offer', fx.acceptedOffer())).statusCode, 200)
  })

  it('answers 202 for a valid message left to other shards', async (t) => {
    const api = await testApi({}, { shard: { index: 0, count: 2 } })
    t.after(() => api.app.close())
    await api.post('/oracle', fx.oracleAd())
    const statuses = new Set<number>()
    for (let i = 0; i < 8; i++)
      statuses.add(
        (await api.post('/report', fx.report({ type: 'free-form', comment: `c${i}`, links: [] }, null)))
          .statusCode,
      )
    assert.deepEqual([...statuses].sort(), [201, 202])
  })

  it('answers 409 for low PoW with the floor and the bits that would enter', async (t) => {
    const api = await testApi({}, { maxOracles: 1 })
    t.after(() => api.app.close())
    assert.equal((await api.post('/oracle', fx.oracleAd({}, fx.ORACLE, 10))).statusCode, 201)
    const weak = await api.post('/oracle', fx.oracleAd({}, fx.OTHER_ORACLE, 8))
    assert.equal(weak.statusCode, 409)
    assert.match(String(weak.headers['content-type']), PROBLEM)
    const problem = body(weak)
    assert.equal(problem.code, 'LOW_POW')
    assert.equal(problem.status, 409)
    assert.equal(problem.kind, 'oracle')
    assert.equal(typeof problem.floorBits, 'number')
    assert.equal(problem.requiredBits, 11, 'must beat the weakest entry, 10 bits')
  })

  it('answers 422 for a broken rule, with the code and the JSON path', async (t) => {
    const api = await testApi()
    t.after(() => api.app.close())
    const unknown = await api.post('/capability', fx.capabilityAd())
    assert.equal(unknown.statusCode, 422)
    assert.deepEqual([body(unknown).code, body(unknown).path], ['UNKNOWN_ORACLE', '/oracle'])
    const ad = fx.oracleAd()
    const badType = await api.post('/oracle', { ...ad, seqNo: 'one' })
    assert.equal(badType.statusCode, 422)
    assert.deepEqual([body(badType).code, body(badType).path], ['SCHEMA_VIOLATION', '/seqNo'])
    const tampered = await api.post('/oracle', { ...ad, tags: ['tampered'] })
    assert.equal(tampered.statusCode, 422)
    assert.equal(body(tampered).code, 'SIGNATURE_INVALID')
    assert.equal(api.mempool.oracles.size, 0)
  })

  it('refuses a squatter of a capability key (422 SIGNATURE_INVALID) and admits the genuine ad after it', async (t) => {
    const api = await testApi()
    t.after(() => api.app.close())
    assert.equal((await api.post('/oracle', fx.oracleAd())).statusCode, 201)
    assert.equal((await api.post('/oracle', fx.oracleAd({}, fx.OTHER_ORACLE))).statusCode, 201)
    const genuine = fx.capabilityAd({ attestation: 'signature' })
    // The squatter copies the genuine ad, proof included, under its own identity and work.
    const squatter = fx.capabilityAd(
      { attestation: 'signature', keyProof: genuine.keyProof },
      fx.OTHER_ORACLE,
      fx.CAPABILITY,
    )
    const refused = await api.post('/capability', squatter)
    assert.equal(refused.statusCode, 422)
    assert.deepEqual([body(refused).code, body(refused).path], ['SIGNATURE_INVALID', '/keyProof'])
    const admitted = await api.post('/capability', genuine)
    assert.equal(admitted.statusCode, 201, admitted.body)
    assert.equal(api.mempool.capabilities.get(genuine.capabilityKey)?.oracle, fx.ORACLE.publicKey)
  })

  it('refuses a message of another kind at a route, naming the kind expected', async (t) => {
    const api = await testApi()
    t.after(() => api.app.close())
    const response = await api.post('/oracle', fx.report({ type: 'free-form', comment: 'x', links: [] }))
    assert.equal(response.statusCode, 422)
    const problem = body(response)
    assert.equal(problem.code, 'UNKNOWN_KIND')
    assert.equal(problem.path, '/kind')
    assert.match(String(problem.detail), /"oracle"/)
    assert.equal((await api.post('/offer', fx.commitment(1))).statusCode, 422)
  })

  it('answers 400 for malformed JSON, 413 over the body limit, 415 for another media type', async (t) => {
    const api = await testApi({ bodyLimit: 4096 })
    t.after(() => api.app.close())
    const truncated = await api.post('/oracle', JSON.stringify(fx.oracleAd()).slice(0, 50))
    assert.equal(truncated.statusCode, 400)
    assert.equal(body(truncated).code, 'BAD_JSON')
    const empty = await api.post('/oracle', '')
    assert.equal(empty.statusCode, 400)
    const large = await api.post('/oracle', { ...fx.oracleAd(), pad: 'x'.repeat(5000) })
    assert.equal(large.statusCode, 413)
    assert.equal(body(large).code, 'TOO_LARGE')
    const text = await api.app.inject({
      method: 'POST',
      url: '/oracle',
      headers: { 'content-type': 'text/plain' },
      payload: JSON.stringify(fx.oracleAd()),
    })
    assert.equal(text.statusCode, 415)
    assert.equal(body(text).code, 'UNSUPPORTED_MEDIA_TYPE')
  })

  it('rate-limits POSTs per address across routes (429 with Retry-After), not GETs', async (t) => {
    const api = await testApi({ rateLimit: { max: 3, timeWindow: 60_000 } })
    t.after(() => api.app.close())
    const statuses: number[] = []
    for (const url of ['/oracle', '/capability', '/report', '/offer'])
      statuses.push((await api.post(url, { kind: 'nothing' })).statusCode)
    assert.deepEqual(statuses, [422, 422, 422, 429])
    const limited = await api.post('/dispute', {})
    assert.equal(limited.statusCode, 429)
    assert.equal(body(limited).code, 'RATE_LIMITED')
    assert.ok(limited.headers['retry-after'])
    assert.equal((await api.get('/health')).statusCode, 200)
  })

  it('hands schema-valid messages to the injected submit and reports its failure as 500', async (t) => {
    const seen: string[] = []
    const api = await testApi(
      {},
      {},
      {
        submit: ({ kind }) => {
          seen.push(kind)
          if (kind === 'offer') throw new Error('disk full')
          return { status: 'skipped', kind }
        },
      },
    )
    t.after(() => api.app.close())
    assert.equal((await api.post('/oracle', fx.oracleAd())).statusCode, 202)
    assert.equal((await api.post('/oracle', { kind: 'oracle' })).statusCode, 422, 'never reaches submit')
    const failed = await api.post('/offer', fx.offer())
    assert.equal(failed.statusCode, 500)
    assert.deepEqual([body(failed).code, body(failed).detail], ['INTERNAL', 'internal error'])
    assert.deepEqual(seen, ['oracle', 'offer'])
  })
})
