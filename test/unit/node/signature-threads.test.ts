/**
 * Signature threads: they vouch for exactly the messages whose signatures hold, and admission
 * skips the check only for those ids.
 */
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { Mempool } from '../../../src/mempool/mempool.ts'
import { admitValue } from '../../../src/mempool/pipeline.ts'
import { VerifiedIds, verifiedKey } from '../../../src/mempool/verified-ids.ts'
import { SignatureThreads } from '../../../src/node/signature-threads.ts'
import { canonicalize } from '../../../src/protocol/canonical.ts'
import { messageId } from '../../../src/protocol/message.ts'
import {
  acceptedOffer,
  capabilityAd,
  finalizedOffer,
  offer,
  oracleAd,
  REPORTER,
  report,
} from '../../support/messages.ts'

const threads = new SignatureThreads({ threads: 2 })
before(() => threads.start())
after(() => threads.stop())

const utf8 = (text: string) => new TextEncoder().encode(text)

/** The same message with its signature's last hex digit changed. */
function forged<M extends { signature?: string }>(message: M): M {
  const signature = message.signature!
  const last = signature.at(-1) === '0' ? '1' : '0'
  return { ...message, signature: signature.slice(0, -1) + last }
}

describe('signature threads', () => {
  it('return the ids of the messages whose every signature holds, and only those', async () => {
    const good = [
      oracleAd(),
      capabilityAd(),
      report({ type: 'free-form', comment: 'late', links: [] }),
      finalizedOffer(),
    ]
    const bad = [forged(oracleAd()), forged(offer())]
    const accepted = acceptedOffer()
    // An acceptance signed over other terms: the originator's signature holds, the acceptor's not.
    const badAcceptance = { ...accepted, acceptance: forged(accepted.acceptance!) }
    const texts = [...good, ...bad, badAcceptance].map((message) => canonicalize(message))
    // Not canonical (whitespace), though its signature holds: neither canonical nor vouched for.
    texts.push(JSON.stringify(oracleAd(), null, 1), '{"kind":"oracle"', 'null', '[]')
    const bytes = [...texts.map((text) => utf8(text)), new Uint8Array([0x22, 0xff, 0x22])]
    const { verified, canonical } = await threads.check(bytes)
    assert.deepEqual(
      new Set(verified),
      new Set(good.map((message) => verifiedKey(messageId(message), message))),
    )
    assert.deepEqual(canonical, [...texts.map((_, i) => i < 7 || i === 9 || i === 10), false])
  })

  it('do not take a byte order mark before the canonical bytes as canonical', async () => {
    const ad = oracleAd()
    const bytes = utf8(`\ufeff${canonicalize(ad)}`)
    assert.deepEqual([...bytes.subarray(0, 3)], [0xef, 0xbb, 0xbf])
    const { verified, canonical } = await threads.check([bytes, utf8(canonicalize(ad))])
    assert.deepEqual(canonical, [false, true])
    assert.equal(verified.length, 1)
  })

  it('read each message from its own bytes, when they are views into one larger frame', async () => {
    const ads = [oracleAd(), capabilityAd()].map((message) => utf8(canonicalize(message)))
    const frame = new Uint8Array(ads[0]!.length + ads[1]!.length + 2)
    frame.set(ads[0]!, 1)
    frame.set(ads[1]!, ads[0]!.length + 2)
    const views = [frame.subarray(1, 1 + ads[0]!.length), frame.subarray(ads[0]!.length + 2)]
    const { verified, canonical } = await threads.check(views)
    assert.equal(verified.length, 2)
    assert.deepEqual(canonical, [true, true])
    assert.equal(frame.byteLength, ads[0]!.length + ads[1]!.length + 2, 'the frame stays here, whole')
  })

  it('spread a page over the threads and keep up with concurrent pages', async () => {
    // Enough work (≈ 20 ms of checks) that each thread's CPU clock moves past its resolution.
    const page = Array.from({ length: 400 }, (_, i) =>
      utf8(canonicalize(report({ type: 'free-form', comment: `report ${i}`, links: [] }, REPORTER))),
    )
    const cpuBefore = threads.cpuMs
    const results = await Promise.all([threads.check(page), threads.check(page.slice(0, 5))])
    assert.equal(results[0].verified.length, 400)
    assert.equal(results[1].verified.length, 5)
    assert.ok(threads.cpuMs > cpuBefore, 'the threads count their CPU time')
  })

  it('stop after idleMs without a check, and start again for the next one', async () => {
    const idle = Promise.withResolvers<void>()
    const quiet = new SignatureThreads({ threads: 2, idleMs: 300, onIdle: () => idle.resolve() })
    const page = [utf8(canonicalize(oracleAd()))]
    try {
      quiet.start()
      assert.equal((await quiet.check(page)).verified.length, 1)
      assert.equal(quiet.running, 2)
      const stoppedAt = performance.now()
      await idle.promise
      assert.ok(performance.now() - stoppedAt >= 250, 'not before idleMs')
      assert.equal(quiet.running, 0)
      await assert.rejects(quiet.check(page), /not running/)
      quiet.start()
      assert.equal((await quiet.check(page)).verified.length, 1)
    } finally {
      await quiet.stop()
    }
  })

  it('reject when not running', async () => {
    const stopped = new SignatureThreads({ threads: 1 })
    await assert.rejects(stopped.check([utf8('{}')]), /not running/)
    assert.throws(() => new SignatureThreads({ threads: 0 }), RangeError)
  })
})

describe('verified ids', () => {
  it('let admission skip the check once, for that exact message only', () => {
    const pool = new Mempool(
      { minBits: { oracle: 8, capability: 8, report: 8, offer: 8 } },
      { now: () => 1_850_000_000 },
    )
    const fake = forged(oracleAd())
    assert.equal(admitValue(pool, fake).admission.reason?.code, 'SIGNATURE_INVALID')
    // Vouching for the genuine ad (same id, other signature) changes nothing for the forgery...
    const genuine = oracleAd()
    assert.equal(messageId(genuine), messageId(fake))
    pool.verified.add(verifiedKey(messageId(genuine), genuine))
    assert.equal(admitValue(pool, fake).admission.reason?.code, 'SIGNATURE_INVALID')
    // ...a key vouched for is trusted (which is why only signature threads may add keys), once.
    pool.verified.add(verifiedKey(messageId(fake), fake))
    assert.equal(admitValue(pool, fake).admission.status, 'added')
    assert.equal(pool.verified.take(...verifiedKey(messageId(fake), fake)), false)
  })

  it('forget the oldest id beyond their bound', () => {
    const ids = new VerifiedIds(2)
    ids.add(['a', 's'])
    ids.add(['b', 's'])
    ids.add(['c', 's'])
    assert.equal(ids.size, 2)
    assert.equal(ids.take('a', 's'), false)
    assert.equal(ids.take('c', 't'), false)
    assert.equal(ids.take('c', 's'), true)
    assert.equal(ids.take('c', 's'), false)
  })

  it('answer as a bounded set of (id, signature) pairs in the order added, an id with several signatures too', () => {
    // A model: the set of joined pairs that the ids were before they were kept by id.
    const random = seeded(7)
    for (let run = 0; run < 200; run++) {
      const max = 1 + Math.floor(random() * 6)
      const ids = new VerifiedIds(max)
      const model = new Set<string>()
      for (let step = 0; step < 60; step++) {
        const id = 'abc'[Math.floor(random() * 3)]!.repeat(64)
        const signature = ['', 'x', 'y'][Math.floor(random() * 3)]!
        const pair = `${id}/${signature}`
        if (random() < 0.55) {
          ids.add([id, signature])
          if (!model.has(pair)) {
            if (model.size >= max) model.delete(model.values().next().value!)
            model.add(pair)
          }
        } else {
          assert.equal(ids.take(id, signature), model.delete(pair), `run ${run} step ${step}: take ${pair}`)
        }
        assert.equal(ids.size, model.size, `run ${run} step ${step}: size`)
      }
    }
  })
})

/** A small deterministic generator (mulberry32), so that a failure can be replayed. */
function seeded(seed: number): () => number {
  let state = seed
  return () => {
    state = (state + 0x6d2b79f5) | 0
    let t = Math.imul(state ^ (state >>> 15), 1 | state)
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296
  }
}
