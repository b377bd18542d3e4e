import assert from 'node:assert/strict'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, describe, it } from 'node:test'
import { FactPool } from '../../../src/facts/fact-pool.ts'
import { FactStore } from '../../../src/facts/fact-store.ts'
import { messageId } from '../../../src/protocol/message.ts'
import type { Fact, OracleCapability } from '../../../src/protocol/messages/index.ts'
import { capabilitySigner } from '../../../src/protocol/oracle-attestation.ts'
import { verifyReportEvidence } from '../../../src/protocol/verify-report.ts'
import * as fx from '../../support/messages.ts'

const ad = fx.capabilityAd({ attestation: 'schnorr' })
const otherAd = fx.capabilityAd({ attestation: 'schnorr' }, fx.ORACLE, fx.OTHER_CAPABILITY)
const signer = capabilitySigner(ad, fx.CAPABILITY.secretKey)
const otherSigner = capabilitySigner(otherAd, fx.OTHER_CAPABILITY.secretKey)
const request = fx.factRequest()
const held = new Map<string, OracleCapability>([
  [ad.capabilityKey, ad],
  [otherAd.capabilityKey, otherAd],
])

function pool(options = {}, reported = () => false) {
  let clock = 1_000
  return new FactPool(options, { capabilityOf: (key) => held.get(key), reported, now: () => clock++ })
}

/** A distinct fact of the one question (distinct by invoice), always answering `answer`. */
function factNumber(n: number, answer = 'home', by = signer): Fact {
  return by.attest(
    { ...fx.factRequest(by === signer ? fx.CAPABILITY : fx.OTHER_CAPABILITY), invoice: `i${n}` },
    answer,
  )
}

const dirs: string[] = []
after(async () => {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true })
})

describe('fact pool admission', () => {
  it('keeps a fact signed by a held capability key and finds it by question', () => {
    const facts = pool()
    const fact = signer.attest(request, 'home')
    const added = facts.add(fact)
    assert.equal(added.status, 'added')
    assert.equal(added.id, messageId(fact))
    assert.deepEqual(
      added.changes.put.map((record) => record.id),
      [added.id],
    )
    assert.equal(facts.add(fact).status, 'duplicate')
    assert.deepEqual(
      facts.find({ capability: ad.capabilityKey, args: request.args }).map((record) => record.message),
      [fact],
    )
    assert.deepEqual(facts.find({ capability: ad.capabilityKey, args: { ...request.args, home: 'CHE' } }), [])
  })

  it('refuses what it cannot check, with the code and path', () => {
    const facts = pool()
    const stranger = fx.fact('home', fx.REPORTER, fx.factRequest(fx.REPORTER))
    const cases: [unknown, string, string | undefined][] = [
      [fx.oracleAd(), 'UNKNOWN_KIND', '/kind'],
      [{ kind: 'fact', answer: 'home' }, 'SCHEMA_VIOLATION', undefined],
      [stranger, 'CAPABILITY_NOT_HELD', '/request/capability'],
      [
        fx.fact('home', fx.CAPABILITY, { ...request, args: { ...request.args, date: '2030-01-01' } }),
        'REQUEST_INVALID',
        '/request/args/date',
      ],
      [fx.fact('a-lie', fx.CAPABILITY), 'ANSWER_INVALID', '/answer'],
      [{ ...signer.attest(request, 'home'), answer: 'away' }, 'SIGNATURE_INVALID', undefined],
    ]
    for (const [value, code, path] of cases) {
      const admission = facts.add(value)
      assert.equal(admission.status, 'invalid', code)
      assert.equal(admission.reason?.code, code)
      if (path) assert.equal(admission.reason?.path, path)
    }
    assert.equal(facts.size, 0)
  })
})

describe('conflicts', () => {
  it('catches two answers of one capability key to one question, with a report nodes verify', () => {
    const facts = pool()
    const events: unknown[] = []
    facts.addEventListener('fact:conflict', (event) => events.push((event as CustomEvent).detail.conflict))
    facts.add(signer.attest(request, 'home'))
    // Another invoice: the same question all the same.
    const second = facts.add(signer.attest({ ...request, invoice: 'paid' }, 'away'))
    assert.equal(second.conflicts.length, 1)
    const [conflict] = facts.conflicts()
    assert.equal(conflict?.type, 'equivocation')
    assert.equal(conflict?.pinned, true)
    assert.equal(events.length, 1)
    const verdict = verifyReportEvidence(
      { kind: 'report', oracle: conflict!.report.oracle, content: conflict!.report.content } as never,
      { now: 0 },
    )
    assert.deepEqual(verdict, { ok: true, value: 'verified' })
    // Another question is no conflict, whatever the answer.
    const other = { ...request, args: { ...request.args, home: 'CHE', away: 'ARS' } }
    assert.equal(facts.add(signer.attest(other, 'draw')).conflicts.length, 0)
  })

  it('catches a fact that does not keep its commitment’s nonce: fact-missing once the deadline passed', () => {
    const facts = pool()
    const commitment = signer.commit(request, 2_000_000_000)
    // Signed by the capability key, but with a nonce of its own, not the committed R.
    const unkept = fx.fact('home')
    facts.add(commitment)
    const added = facts.add(unkept)
    assert.equal(added.conflicts[0]?.type, 'broken-commitment')
    const [conflict] = facts.conflicts()
    assert.equal(conflict!.reportableFrom, 2_000_000_001)
    const report = { kind: 'report', oracle: conflict!.report.oracle, content: conflict!.report.content }
    assert.equal(
      verifyReportEvidence(report as never, { now: 2_000_000_000 }).ok,
      false,
      'before the deadline',
    )
    assert.deepEqual(verifyReportEvidence(report as never, { now: 2_000_000_001 }), {
      ok: true,
      value: 'verified',
    })
    // The kept fact forms no conflict with it.
    assert.equal(facts.add(signer.attest(request, 'home')).conflicts.length, 0)
  })
})

describe('budget and eviction', () => {
  it('stays within its count per capability and in all, evicting the least recently used', () => {
    const facts = pool({ maxPerCapability: 5, maxRecords: 8 })
    for (let n = 0; n < 5; n++) facts.add(factNumber(n))
    // Serving the oldest makes it recent.
    assert.ok(facts.factFor(signer.commit({ ...request, invoice: 'i0' }, 2_000_000_000)))
    const added = facts.add(factNumber(5))
    assert.deepEqual(added.changes.removed, [messageId(factNumber(1))])
    assert.equal(facts.find({ capability: ad.capabilityKey }).length, 5)
    for (let n = 0; n < 5; n++) facts.add(factNumber(n, 'home', otherSigner))
    assert.equal(facts.size, 8)
    assert.ok(facts.get(messageId(factNumber(0))), 'the one served lately stays')
  })

  it('stays within its bytes', () => {
    const one = Buffer.byteLength(JSON.stringify(factNumber(0)))
    const facts = pool({ maxBytes: one * 3 + 10 })
    for (let n = 0; n < 10; n++) facts.add(factNumber(n))
    assert.ok(facts.bytes <= one * 3 + 10)
    assert.equal(facts.size, 3)
  })

  it('pins one conflict per capability key until a report covers it, and refuses when only pinned evidence is left', () => {
    let reported = false
    const facts = pool({ maxPerCapability: 2, maxRecords: 100 }, () => reported)
    facts.add(factNumber(0, 'home'))
    facts.add(factNumber(1, 'away'))
    assert.equal(facts.conflicts()[0]?.pinned, true)
    const refused = facts.add(factNumber(2, 'draw'))
    assert.equal(refused.status, 'invalid')
    assert.equal(refused.reason?.code, 'FACT_POOL_FULL')
    assert.equal(facts.size, 2, 'the evidence stays')
    reported = true
    const added = facts.add(factNumber(3, 'home'))
    assert.equal(added.status, 'added')
    assert.equal(facts.size, 2)
  })
})

describe('fact store', () => {
  it('persists what the pool holds and restores it, dropping what it no longer accepts', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'mega-facts-'))
    dirs.push(dataDir)
    const first = pool()
    const store = new FactStore(dataDir)
    for (const fact of [
      signer.attest(request, 'home'),
      otherSigner.attest(fx.factRequest(fx.OTHER_CAPABILITY), 'away'),
    ])
      store.apply(first.add(fact).changes)
    store.close()

    const reopened = new FactStore(dataDir)
    const restored = new FactPool({}, { capabilityOf: (key) => (key === ad.capabilityKey ? ad : undefined) })
    assert.deepEqual(reopened.restore(restored), { restored: 1, dropped: 1 })
    assert.equal(restored.size, 1)
    assert.equal(reopened.count(), 1)
    reopened.close()
  })
})
