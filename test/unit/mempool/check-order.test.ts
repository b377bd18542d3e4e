/**
 * The order of checks of docs/protocol.md §9.1: a message that breaks several rules gets the
 * code of the first one in that order, so a second implementation answers it the same way
 * (and rejects or ignores it alike on gossip).
 */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { Mempool } from '../../../src/mempool/mempool.ts'
import { admitValue } from '../../../src/mempool/pipeline.ts'
import { messageId } from '../../../src/protocol/message.ts'
import { mineMessageSync } from '../../../src/protocol/message-pow.ts'
import type { Fact, Offer, OracleCapability, Report } from '../../../src/protocol/messages/index.ts'
import { capabilitySigner } from '../../../src/protocol/oracle-attestation.ts'
import { sign } from '../../../src/protocol/sign.ts'
import * as fx from '../../support/messages.ts'

const NOW = 1_850_000_000
const LOW = { oracle: 8, capability: 8, report: 8, offer: 8 }

function outcome(pool: Mempool, message: unknown): string {
  const { admission } = admitValue(pool, message)
  const path = admission.reason?.path ? ` ${admission.reason.path}` : ''
  return admission.reason ? `${admission.status} ${admission.reason.code}${path}` : admission.status
}

function poolWithOracle(options = {}) {
  const pool = new Mempool({ minBits: LOW, ...options }, { now: () => NOW })
  assert.equal(outcome(pool, fx.oracleAd()), 'added')
  return pool
}

const badSignature = <M extends { signature?: string }>(message: M): M => ({
  ...message,
  signature: `${message.signature!.slice(0, 126)}${message.signature!.endsWith('00') ? '01' : '00'}`,
})
const badPow = <M extends { pow: { nonce: string } }>(message: M): M => ({
  ...message,
  pow: { ...message.pow, nonce: 'ffffffffffffffff' },
})

function offerWith(terms: Partial<Offer['terms']>): Offer {
  const { signature: _signature, pow: _pow, ...open } = fx.offer()
  const draft = { ...open, terms: { ...open.terms, ...terms } }
  return mineMessageSync<Offer>(sign<Offer>(draft, fx.TRADER.secretKey, fx.ZERO_AUX), fx.BITS)
}

describe('order of checks (protocol.md §9.1)', () => {
  it('intrinsic rules come before what the node holds', () => {
    const pool = new Mempool({ minBits: LOW }, { now: () => NOW })
    const ed = fx.testKey('ed25519', 9)
    const schnorrOnEd = fx.capabilityAd({ attestation: 'schnorr' }, fx.ORACLE, ed)
    assert.equal(outcome(pool, schnorrOnEd), 'invalid SCHEMA_VIOLATION /attestation')
    const unanchored = { ...fx.finalizedOffer(), acceptance: undefined, seqNo: 1 } as unknown as Offer
    assert.equal(outcome(pool, unanchored), 'invalid SCHEMA_VIOLATION /finalization')
  })

  it('numeric capabilities: admitted with their digits, refused with answers; a two-value conflict is verified', () => {
    const pool = poolWithOracle()
    const numeric = fx.capabilityAd({ attestation: 'schnorr-digits', digits: 16, answers: [] })
    const withAnswers = fx.capabilityAd(
      { attestation: 'schnorr-digits', digits: 16, answers: ['1'] },
      fx.ORACLE,
      fx.OTHER_CAPABILITY,
    )
    assert.equal(outcome(pool, withAnswers), 'invalid SCHEMA_VIOLATION /answers')
    assert.equal(outcome(pool, numeric), 'added')
    const oracle = capabilitySigner(numeric, fx.CAPABILITY.secretKey)
    const facts: [Fact, Fact] = [
      oracle.attest(fx.factRequest(), '41250'),
      oracle.attest(fx.factRequest(), '41251'),
    ]
    assert.equal(outcome(pool, fx.report({ type: 'fact-conflict', capability: numeric, facts })), 'added')
    const outOfRange: [Fact, Fact] = [
      facts[0],
      sign<Fact>(
        { kind: 'fact', scheme: 'bip340', request: fx.factRequest(), answer: '65536' },
        fx.CAPABILITY.secretKey,
      ),
    ]
    assert.equal(
      outcome(pool, fx.report({ type: 'fact-conflict', capability: numeric, facts: outOfRange })),
      'invalid EVIDENCE_INVALID /content/facts/1/answer',
    )
  })

  it('capability: oracle held, then its scheme, then PoW, then the signature, then the key', () => {
    const pool = new Mempool({ minBits: LOW }, { now: () => NOW })
    assert.equal(outcome(pool, badPow(fx.capabilityAd())), 'invalid UNKNOWN_ORACLE /oracle')
    assert.equal(outcome(pool, fx.oracleAd()), 'added')
    const otherScheme = { ...badPow(fx.capabilityAd()), oracleScheme: 'bip340' } as OracleCapability
    assert.equal(outcome(pool, otherScheme), 'invalid SCHEME_MISMATCH /oracleScheme')
    assert.equal(outcome(pool, fx.oracleAd({}, fx.OTHER_ORACLE)), 'added')
    assert.equal(outcome(pool, fx.capabilityAd()), 'added')
    const taken = fx.capabilityAd({}, fx.OTHER_ORACLE)
    assert.equal(outcome(pool, badPow(badSignature(taken))), 'invalid POW_INVALID /pow/hash')
    // Pool state answers only after the message is verified (§3): a forgery is not KEY_TAKEN.
    assert.equal(outcome(pool, badSignature(taken)), 'invalid SIGNATURE_INVALID /signature')
    assert.equal(outcome(pool, taken), 'invalid KEY_TAKEN /capabilityKey')
  })

  it('oracle ad: a claim too weak to rank is low-pow before its hash is checked', () => {
    const pool = new Mempool({ minBits: LOW, maxOracles: 1 }, { now: () => NOW })
    assert.equal(outcome(pool, fx.oracleAd({}, fx.ORACLE, 12)), 'added')
    // Garbage work claiming less than the weakest held: ignored as low-pow, not rejected.
    assert.equal(outcome(pool, badPow(fx.oracleAd({}, fx.OTHER_ORACLE, 9))).split(' ')[0], 'low-pow')
    // A claim under the node's minimum skips the rank: POW_TOO_WEAK before the hash.
    assert.equal(outcome(pool, badPow(fx.oracleAd({}, fx.OTHER_ORACLE, 7))), 'invalid POW_TOO_WEAK')
  })

  it('report: PoW, then the signature, then the evidence', () => {
    const pool = poolWithOracle()
    const early = fx.report({
      type: 'fact-missing',
      capability: fx.capabilityAd(),
      commitment: fx.commitment(NOW + 3600),
    })
    const overstated: Report = { ...early, pow: { ...early.pow, bits: 40 } }
    assert.equal(outcome(pool, badSignature(overstated)), 'invalid POW_BITS_OVERSTATED')
    assert.equal(outcome(pool, badSignature(early)), 'invalid SIGNATURE_INVALID /signature')
    assert.equal(outcome(pool, early), 'invalid EVIDENCE_INVALID /content/commitment/deadline')
  })

  it('dispute: report held, then its type, then the fact', () => {
    const pool = poolWithOracle()
    const freeForm = fx.report({ type: 'free-form', comment: 'down', links: [] })
    const unknown = fx.dispute(messageId(freeForm), 'nope')
    assert.equal(outcome(pool, unknown), 'invalid UNKNOWN_REPORT /report')
    assert.equal(outcome(pool, freeForm), 'added')
    assert.equal(outcome(pool, unknown), 'invalid NOT_DISPUTABLE /report')
  })

  it("offer terms: each side's bets, then each param's value in the capability's order, then args it has not", () => {
    const pool = poolWithOracle()
    assert.equal(outcome(pool, fx.capabilityAd()), 'added')
    const args = fx.factRequest().args
    // Args changed by `extra`, where an undefined value drops the arg.
    const asking = (extra: Record<string, string | undefined>) => {
      const changed = Object.entries({ ...args, ...extra }).filter(([, value]) => value !== undefined)
      return {
        question: { ...fx.factRequest(), args: Object.fromEntries(changed) as Record<string, string> },
      }
    }
    const cases: [Partial<Offer['terms']>, string][] = [
      [{ acceptorBets: ['away', 'nope'] }, '/terms/acceptorBets'],
      [{ originatorBets: ['nope'], acceptorBets: ['nope either'] }, '/terms/originatorBets'],
      [{ ...asking({ home: 'XXX', zz: 'x' }) }, '/terms/question/args/home'],
      [{ ...asking({ date: undefined }) }, '/terms/question/args/date'],
      [{ ...asking({ away: 'XXX', date: 'XXX' }) }, '/terms/question/args/away'],
      [{ ...asking({ zz: 'x', yy: 'y' }) }, '/terms/question/args/zz'],
      [{ ...asking({ away: 'CHE' }) }, ''],
    ]
    for (const [terms, path] of cases) {
      const expected = path ? `invalid OFFER_TERMS ${path}` : 'added'
      assert.equal(outcome(pool, offerWith(terms)), expected, JSON.stringify(terms))
    }
    const stray = admitValue(pool, offerWith({ originatorBets: ['home', 'nope'] })).admission.reason
    assert.equal(stray?.message, '/terms/originatorBets "nope" is not an answer of the capability')
    const extra = admitValue(pool, offerWith(asking({ zz: 'x' }))).admission.reason
    assert.equal(extra?.message, '/terms/question/args/zz is not a parameter of the capability')
  })

  it('offer: capability held, then expiry, then terms, then PoW, then signatures', () => {
    const pool = poolWithOracle()
    const strayBet = offerWith({ originatorBets: ['nope'], expires: NOW - 3600 })
    assert.equal(outcome(pool, strayBet), 'invalid UNKNOWN_CAPABILITY /terms/question/capability')
    assert.equal(outcome(pool, fx.capabilityAd()), 'added')
    assert.equal(outcome(pool, strayBet), 'invalid EXPIRED /terms/expires')
    const alive = offerWith({ originatorBets: ['nope'] })
    assert.equal(outcome(pool, badPow(alive)), 'invalid OFFER_TERMS /terms/originatorBets')
    const good = offerWith({})
    assert.equal(outcome(pool, badSignature(badPow(good))), 'invalid POW_INVALID /pow/hash')
    assert.equal(outcome(pool, badSignature(good)), 'invalid SIGNATURE_INVALID /signature')
    assert.equal(outcome(pool, good), 'added')
  })
})
