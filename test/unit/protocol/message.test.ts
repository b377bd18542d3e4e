import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import fc from 'fast-check'
import { canonicalize } from '../../../src/protocol/canonical.ts'
import {
  canonicalTexts,
  entityKey,
  messageId,
  offerKey,
  powBound,
  powBoundBody,
  signedBody,
  withoutProofs,
} from '../../../src/protocol/message.ts'
import { verifyMessagePow } from '../../../src/protocol/message-pow.ts'
import { sign, verifySignatures } from '../../../src/protocol/sign.ts'
import * as fx from '../../support/messages.ts'

const text = (bytes: Uint8Array | undefined) => new TextDecoder().decode(bytes)

describe('message rules', () => {
  it('serializes once the texts its id, signature and PoW hash, each exactly its body canonicalized', () => {
    const on = fx.capabilityAd()
    const messages = [
      fx.oracleAd(),
      on,
      sign({ ...on, off: true, seqNo: 2 }, fx.ORACLE.secretKey),
      fx.report({ type: 'free-form', comment: 'slow "quoted" \u00e9', links: [] }, null),
      fx.report({ type: 'free-form', comment: 'signed', links: [] }),
      fx.offer(),
      fx.acceptedOffer(),
      fx.finalizedOffer(),
      fx.dispute(messageId(fx.report({ type: 'free-form', comment: 'x', links: [] }))),
    ]
    for (const message of messages) {
      const texts = canonicalTexts(message)
      assert.equal(texts.withoutProofs, canonicalize(withoutProofs(message)), message.kind)
      assert.equal(texts.signed, canonicalize(signedBody(message)), message.kind)
      const bound = powBoundBody(message)
      if (texts.powBound !== undefined) assert.equal(texts.powBound, canonicalize(bound), message.kind)
      else assert.ok(message.kind === 'oracle' || bound === undefined, message.kind)
      if (bound !== undefined) assert.equal(text(powBound(message)!), canonicalize(bound), message.kind)
    }
    // An ad's bound, written directly, whatever its strings hold.
    for (const pubkey of ['ab', 'a"b\\c\u0001', '\u00e9\ud83d\ude00', 'a\ud800', '\udfffb']) {
      const ad = { ...fx.oracleAd(), pubkey, scheme: pubkey } as never
      assert.deepEqual(
        outcome(() => text(powBound(ad)!)),
        outcome(() => canonicalize(powBoundBody(ad))),
        pubkey,
      )
    }
  })

  it('cuts each text out of one serialization exactly as its body canonicalizes, on any members (property)', () => {
    // Messages of every kind with members missing, extra, reordered, undefined, non-ASCII,
    // escaped or unserializable (a lone surrogate, a non-finite number): the texts are
    // exactly the definitions' or both refuse.
    const names = fc.constantFrom(
      'kind',
      'seqNo',
      'off',
      'terms',
      'signature',
      'pow',
      'oracle',
      'answers',
      'a',
      'z',
      'é',
      '\ud834\udd1e',
      '',
    )
    const leaf = fc.oneof(
      fc.string({ unit: 'grapheme' }),
      fc.string({ unit: 'binary' }),
      fc.constantFrom('"', '\\', '\u0000', 'a\ud800', '\udfff', '\u2028'),
      fc.double({ noDefaultInfinity: false }),
      fc.boolean(),
      fc.constant(null),
      fc.constant(undefined),
    )
    const { value } = fc.letrec((tie) => ({
      value: fc.oneof({ depthSize: 'small' }, leaf, tie('array'), tie('object')),
      array: fc.array(tie('value'), { maxLength: 3 }),
      object: fc.dictionary(names, tie('value'), { maxKeys: 5 }),
    }))
    const kind = fc.constantFrom('oracle', 'capability', 'report', 'offer', 'dispute')
    fc.assert(
      fc.property(kind, fc.dictionary(names, value, { maxKeys: 9 }), (kind, members) => {
        const message = { ...members, kind } as never
        const expected = outcome(() => {
          const bound = powBoundBody(message)
          return {
            withoutProofs: canonicalize(withoutProofs(message)),
            signed: canonicalize(signedBody(message)),
            powBound: kind === 'oracle' || bound === undefined ? undefined : canonicalize(bound),
          }
        })
        assert.deepEqual(
          outcome(() => ({ ...canonicalTexts(message) })),
          expected,
        )
      }),
      { numRuns: 500, ...(process.env.CI === 'true' && { seed: 20261205 }) },
    )
  })

  it('binds oracle work to the key alone, so it survives ad updates', () => {
    const first = fx.oracleAd({ seqNo: 1 })
    const second = sign({ ...first, seqNo: 2, tags: ['weather'] }, fx.ORACLE.secretKey)
    assert.equal(text(powBound(first)), text(powBound(second)))
    assert.ok(verifyMessagePow(second).ok)
    assert.notEqual(messageId(first), messageId(second))
    assert.equal(entityKey(first), entityKey(second))
  })

  it('binds capability work to its content but not to seqNo and the off switch', () => {
    const on = fx.capabilityAd()
    const off = sign({ ...on, off: true, seqNo: 2 }, fx.ORACLE.secretKey)
    assert.ok(verifyMessagePow(off).ok, 'switching off keeps the work')
    const changed = sign({ ...on, question: 'Another question?' }, fx.ORACLE.secretKey)
    const moved = verifyMessagePow(changed)
    assert.equal(moved.ok ? '' : moved.error.code, 'POW_INVALID', 'work cannot move to other content')
  })

  it('binds report work to the targeted oracle', () => {
    const report = fx.report({ type: 'free-form', comment: 'slow', links: [] }, null)
    assert.ok(verifyMessagePow(report).ok)
    const retargeted = { ...report, oracle: fx.OTHER_ORACLE.publicKey }
    assert.equal(verifyMessagePow(retargeted).ok, false)
  })

  it('ids ignore proofs: the same content with more work has the same id', () => {
    const report = fx.report({ type: 'free-form', comment: 'slow', links: [] }, null, 4)
    const stronger = fx.report({ type: 'free-form', comment: 'slow', links: [] }, null, 10)
    assert.equal(messageId(report), messageId(stronger))
    assert.notEqual(report.pow.hash, stronger.pow.hash)
  })

  it('keeps the offer key and work through acceptance and finalization', () => {
    const open = fx.offer()
    const accepted = fx.acceptedOffer(open)
    const finalized = fx.finalizedOffer(accepted)
    assert.equal(offerKey(open), offerKey(finalized))
    assert.equal(entityKey(open), entityKey(accepted))
    for (const stage of [open, accepted, finalized]) {
      assert.ok(verifySignatures(stage).ok)
      assert.ok(verifyMessagePow(stage).ok)
    }
  })

  it('rejects a forged acceptance or finalization', () => {
    const accepted = fx.acceptedOffer()
    const forged = {
      ...accepted,
      acceptance: { ...accepted.acceptance!, contact: 'mailto:thief@example.org' },
    }
    const result = verifySignatures(forged)
    assert.equal(result.ok ? '' : result.error.details.path, '/acceptance/signature')
    const finalizedByStranger = fx.finalizedOffer(accepted, fx.REPORTER)
    const stranger = verifySignatures(finalizedByStranger)
    assert.equal(stranger.ok ? '' : stranger.error.details.path, '/finalization/signature')
  })

  it('requires a signature where the message names a signer', () => {
    const { signature: _s, ...unsigned } = fx.oracleAd()
    const result = verifySignatures(unsigned as never)
    assert.equal(result.ok ? '' : result.error.code, 'SIGNATURE_MISSING')
    const tampered = { ...fx.oracleAd(), tags: ['other'] }
    const bad = verifySignatures(tampered)
    assert.equal(bad.ok ? '' : bad.error.code, 'SIGNATURE_INVALID')
  })

  it('signs the offer terms once: stages do not re-sign them, a change of terms breaks them', () => {
    const open = fx.offer()
    const changed = { ...open, terms: { ...open.terms, acceptorAmount: 1 } }
    const result = verifySignatures(changed)
    assert.equal(result.ok ? '' : result.error.details.path, '/signature')
    assert.equal(
      canonicalize({ kind: 'offer', terms: open.terms }),
      canonicalize({ terms: open.terms, kind: 'offer' }),
    )
  })
})

/** A function's result, or the code (else message) of what it threw. */
function outcome<T>(run: () => T): { value: T } | { thrown: string } {
  try {
    return { value: run() }
  } catch (error) {
    const { code, message } = error as { code?: string; message?: string }
    return { thrown: code ?? String(message) }
  }
}
