/**
 * Answers from pool state come only for verified messages. `duplicate` means this very message
 * is held (same id and the same signature): a copy with a changed signature byte, a tampered
 * ad at the held seqNo and a forged second dispute are refused as forgeries
 * (`SIGNATURE_INVALID`, a gossip reject), never answered from what the pool holds.
 */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { Mempool } from '../../../src/mempool/mempool.ts'
import { admitValue } from '../../../src/mempool/pipeline.ts'
import { verdictOf } from '../../../src/network/verdicts.ts'
import { messageId } from '../../../src/protocol/message.ts'
import type { Dispute, Fact, Message } from '../../../src/protocol/messages/index.ts'
import { sign } from '../../../src/protocol/sign.ts'
import { testApi } from '../../support/api.ts'
import * as fx from '../../support/messages.ts'

const NOW = 1_850_000_000
const LOW = { oracle: 8, capability: 8, report: 8, offer: 8 }

/** `message` with the first byte of its top-level signature changed. */
function flipped<M extends Message>(message: M): M {
  const signature = (message as { signature: string }).signature
  const first = signature[0] === '0' ? '1' : '0'
  return { ...message, signature: first + signature.slice(1) }
}

/** A fact whose signature does not verify. */
function forgedFact(fact: Fact): Fact {
  return flipped(fact)
}

const capability = fx.capabilityAd({ attestation: 'signature' })
const missing = fx.report({ type: 'fact-missing', capability, commitment: fx.commitment(NOW - 3600) })
const held = [fx.oracleAd({ seqNo: 2 }), capability, missing, fx.offer()]

function pool() {
  const mempool = new Mempool({ minBits: LOW }, { now: () => NOW })
  for (const message of held) assert.equal(admitValue(mempool, message).admission.status, 'added')
  return mempool
}

function outcome(mempool: Mempool, message: unknown) {
  const { admission } = admitValue(mempool, message)
  return admission.reason ? `${admission.status} ${admission.reason.code}` : admission.status
}

describe('answers from pool state', () => {
  it('an exact copy of a held message is a duplicate', () => {
    const mempool = pool()
    for (const message of held) assert.equal(outcome(mempool, message), 'duplicate', message.kind)
  })

  it('a held message with one signature byte changed is a forgery, not a duplicate', () => {
    const mempool = pool()
    for (const message of held) {
      const forged = flipped(message)
      assert.equal(messageId(forged), messageId(message), 'the id excludes the signature')
      const { admission } = admitValue(mempool, forged)
      assert.equal(`${admission.status} ${admission.reason?.code}`, 'invalid SIGNATURE_INVALID', message.kind)
      assert.equal(verdictOf(admission), 'reject', `${message.kind}: gossip rejects it`)
    }
  })

  it('a tampered ad at the held seqNo is a forgery, not a seqNo conflict', () => {
    const mempool = pool()
    const ad = held[0]!
    // The ad's PoW is bound to its key alone, so it still holds; the signature does not.
    assert.equal(outcome(mempool, { ...ad, tags: ['tampered'] }), 'invalid SIGNATURE_INVALID')
    assert.equal(outcome(mempool, { ...ad, seqNo: 1, tags: ['old'] }), 'invalid SIGNATURE_INVALID')
    // Properly signed, the same cases keep their pool answers.
    assert.equal(outcome(mempool, fx.oracleAd({ seqNo: 2, tags: ['news'] })), 'invalid SEQNO_CONFLICT')
    assert.equal(outcome(mempool, fx.oracleAd({ seqNo: 1 })), 'invalid STALE_SEQNO')
  })

  it('a capability forged over a key another oracle holds is a forgery, not KEY_TAKEN', () => {
    const mempool = pool()
    admitValue(mempool, fx.oracleAd({}, fx.OTHER_ORACLE))
    const other = fx.capabilityAd({ attestation: 'signature' }, fx.OTHER_ORACLE)
    assert.equal(outcome(mempool, flipped(other)), 'invalid SIGNATURE_INVALID')
    assert.equal(outcome(mempool, other), 'invalid KEY_TAKEN')
  })

  it('a second dispute of a disputed report is verified first', () => {
    const mempool = pool()
    const dispute = fx.dispute(messageId(missing))
    assert.equal(outcome(mempool, dispute), 'updated')
    assert.equal(outcome(mempool, dispute), 'duplicate', 'the same dispute again')
    const forged: Dispute = { ...dispute, fact: forgedFact(dispute.fact) }
    const { admission } = admitValue(mempool, forged)
    assert.equal(`${admission.status} ${admission.reason?.code}`, 'invalid SIGNATURE_INVALID')
    assert.equal(admission.reason?.path, '/fact/signature')
    assert.equal(verdictOf(admission), 'reject')
    assert.equal(outcome(mempool, fx.dispute(messageId(missing), 'maybe')), 'invalid DISPUTE_MISMATCH')
    assert.deepEqual(mempool.reports.get(messageId(missing))!.dispute, dispute, 'the held dispute stays')
  })

  it('of two valid disputes of one report, every node keeps the lower id, whatever the order', () => {
    const resigned = (aux: number): Dispute => {
      const { signature: _signature, ...fact } = fx.fact('home')
      return {
        kind: 'dispute',
        report: messageId(missing),
        fact: sign<Fact>(fact, fx.CAPABILITY.secretKey, new Uint8Array(32).fill(aux)),
      }
    }
    const [low, high] = [resigned(1), resigned(2)].sort((a, b) => (messageId(a) < messageId(b) ? -1 : 1))
    const first = pool()
    assert.equal(outcome(first, low), 'updated')
    assert.equal(outcome(first, high), 'invalid ALREADY_DISPUTED')
    assert.equal(verdictOf(admitValue(first, high).admission), 'ignore')
    const second = pool()
    assert.equal(outcome(second, high), 'updated')
    assert.equal(outcome(second, low), 'updated')
    for (const node of [first, second]) assert.deepEqual(node.reports.get(messageId(missing))!.dispute, low)
  })

  it('REST answers a forged copy 422 SIGNATURE_INVALID, the exact copy 200 duplicate', async (t) => {
    const api = await testApi()
    t.after(() => api.app.close())
    for (const message of held) assert.equal((await api.post(`/${message.kind}`, message)).statusCode, 201)
    for (const message of held) {
      const copy = await api.post(`/${message.kind}`, message)
      assert.equal(copy.statusCode, 200)
      assert.equal(copy.json().status, 'duplicate')
      const forged = await api.post(`/${message.kind}`, flipped(message))
      assert.equal(forged.statusCode, 422, message.kind)
      assert.equal(forged.json().code, 'SIGNATURE_INVALID')
    }
    assert.equal((await api.post('/dispute', fx.dispute(messageId(missing)))).statusCode, 200)
    const forged = { ...fx.dispute(messageId(missing)), fact: forgedFact(fx.fact('home')) }
    const answer = await api.post('/dispute', forged)
    assert.equal(answer.statusCode, 422)
    assert.equal(answer.json().code, 'SIGNATURE_INVALID')
  })
})
