import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { offerKey } from '../../../src/protocol/message.ts'
import { mineMessageSync } from '../../../src/protocol/message-pow.ts'
import type { Offer, OfferTerms } from '../../../src/protocol/messages/index.ts'
import { checkMessageRules } from '../../../src/protocol/rules.ts'
import { type Draft, sign, verifySignatures } from '../../../src/protocol/sign.ts'
import { isTraderError } from '../../../src/trader/errors.ts'
import { complement, findMatches } from '../../../src/trader/matching.ts'
import { acceptOffer, finalizeOffer, offerDraft } from '../../../src/trader/offers.ts'
import { unseal } from '../../../src/trader/seal.ts'
import * as fx from '../../support/messages.ts'

const NOW = 1_800_000_000
const A = fx.TRADER // bip340
const B = fx.REPORTER // ed25519
const capability = fx.capabilityAd()
const args = { home: 'ARS', away: 'CHE', date: '2026-11-21' }

function make(
  key: fx.TestKey,
  bets: string[],
  amount: number,
  acceptorAmount: number,
  overrides: Partial<OfferTerms> = {},
): Offer {
  const draft = offerDraft(
    { capability, args, bets, amount, acceptorAmount, chain: 'bitcoin', contact: 'x', expires: NOW + 3600 },
    key,
  )
  const terms = { ...draft.terms, ...overrides }
  return mineMessageSync<Offer>(sign<Offer>({ ...draft, terms } as Draft<Offer>, key.secretKey), 4)
}

describe('matching', () => {
  const a = make(A, ['home'], 100, 150)

  it('finds the mirror offer: same request, opposite answers, same odds', () => {
    const b = make(B, ['away', 'draw'], 150, 100)
    const result = complement(b.terms, a.terms)
    assert.deepEqual(result, { ok: true, oddsRatio: 1, fill: 1 })
    const [match] = findMatches([b], [a, b], new Set([B.publicKey]), NOW)
    assert.equal(match!.key, offerKey(a))
    assert.equal(match!.mine, offerKey(b))
  })

  it('refuses what does not complement, saying why', () => {
    const b = make(B, ['away', 'draw'], 150, 100)
    const cases: [Offer, RegExp][] = [
      [make(A, ['home'], 100, 150, { chain: 'liquid' }), /chain/],
      [
        make(A, ['home'], 100, 150, {
          question: { capability: capability.capabilityKey, args: { ...args, home: 'CHE' } },
        }),
        /requests/,
      ],
      [make(A, ['home', 'draw'], 100, 150), /does not pay on "draw"/],
      [make(A, ['home'], 100, 160), /worse odds/],
      [make(A, ['home'], 200, 300), /larger stake/],
    ]
    for (const [theirs, reason] of cases) {
      const result = complement(b.terms, theirs.terms)
      assert.equal(result.ok, false)
      assert.match((result as { reason: string }).reason, reason)
    }
    const narrow = make(B, ['away'], 150, 100, { acceptorBets: ['home'] })
    const wide = make(A, ['home', 'draw'], 100, 150, { acceptorBets: ['away'] })
    assert.match((complement(narrow.terms, wide.terms) as { reason: string }).reason, /lose on "draw"/)
  })

  it('ranks better odds, then fuller stakes, first; a synonym no answer uses changes nothing', () => {
    const b = make(B, ['away', 'draw'], 150, 100, {
      synonyms: [{ answer: 'away', synonyms: ['visitors'] }],
    })
    const better = make(A, ['home'], 120, 150)
    const smaller = make(A, ['home'], 60, 90)
    const expired = make(A, ['home'], 500, 150, { expires: NOW - 1 })
    // The capability cannot answer "visitors", so the synonym cannot make b settle unlike a.
    const answersOf = (key: string) => (key === capability.capabilityKey ? capability.answers : undefined)
    const matches = findMatches([b], [smaller, a, better, expired], new Set([B.publicKey]), NOW, answersOf)
    assert.deepEqual(
      matches.map((match) => offerKey(match.offer)),
      [better, a, smaller].map(offerKey),
    )
    assert.ok(matches[0]!.oddsRatio > 1)
    assert.equal(matches[2]!.fill, 0.6)
  })

  it('matches thousands of offers quickly', () => {
    const b = make(B, ['away', 'draw'], 150, 100)
    const others: Offer[] = []
    for (let i = 0; i < 5000; i++)
      others.push({
        ...a,
        terms: { ...a.terms, nonce: i.toString(16).padStart(16, '0'), originatorAmount: 90 + (i % 50) },
      })
    const started = performance.now()
    const matches = findMatches([b], others, new Set([B.publicKey]), NOW)
    const ms = performance.now() - started
    assert.ok(matches.length > 0 && matches.length < 5000)
    assert.ok(ms < 5000, `${ms} ms`)
  })
})

describe('accept and finalize', () => {
  const a = make(A, ['home'], 100, 150)

  it('signs stage updates nodes accept, with details sealed for the counterparty', async () => {
    const accepted = await acceptOffer(a, B, 'mailto:b@example.org', NOW, 'my xpub: tpub…')
    assert.equal(accepted.seqNo, 1)
    assert.ok(verifySignatures(accepted).ok)
    assert.ok(checkMessageRules(accepted).ok)
    assert.equal(await unseal(accepted.acceptance!.sealed!, A.secretKey, A.scheme), 'my xpub: tpub…')
    await assert.rejects(
      () => unseal(accepted.acceptance!.sealed!, fx.OTHER_ORACLE.secretKey, 'bip340'),
      (e) => isTraderError(e, 'SEAL_INVALID'),
    )
    const finalized = await finalizeOffer(accepted, A, 'funding tx: …')
    assert.equal(finalized.seqNo, 2)
    assert.ok(verifySignatures(finalized).ok)
    assert.equal(await unseal(finalized.finalization!.sealed!, B.secretKey, B.scheme), 'funding tx: …')
    assert.equal(offerKey(finalized), offerKey(a), 'the key stays through the stages')
  })

  it('refuses updates in the wrong state', async () => {
    const accepted = await acceptOffer(a, B, 'mailto:b@example.org', NOW)
    const cases: [() => unknown, RegExp][] = [
      [() => acceptOffer(a, A, 'x', NOW), /our own/],
      [() => acceptOffer(a, B, 'x', NOW + 7200), /expired/],
      [() => acceptOffer(accepted, fx.OTHER_ORACLE, 'x', NOW), /not open/],
      [() => finalizeOffer(a, A), /not at the accepted stage/],
      [() => finalizeOffer(accepted, B), /not ours/],
    ]
    for (const [call, reason] of cases) {
      await assert.rejects(
        async () => call(),
        (error) => isTraderError(error, 'OFFER_STATE') && reason.test(error.message),
        String(reason),
      )
    }
  })

  it('drafts refuse terms nodes would refuse', () => {
    const init: Parameters<typeof offerDraft>[0] = {
      capability,
      args,
      bets: ['home'],
      amount: 1,
      acceptorAmount: 1,
      chain: 'bitcoin',
      contact: 'x',
      expires: NOW,
    }
    const cases: [Partial<typeof init>, RegExp][] = [
      [{ bets: ['win'] }, /"win" is not an answer/],
      [{ args: { home: 'ARS', away: 'CHE' } }, /date=… is required/],
      [{ args: { ...args, home: 'MUN' } }, /home must be one of ARS, CHE/],
      [{ args: { ...args, extra: '1' } }, /"extra" is not a parameter/],
      [{ bets: ['home', 'away', 'draw'] }, /at least one answer/],
    ]
    for (const [overrides, reason] of cases) {
      assert.throws(
        () => offerDraft({ ...init, ...overrides }, A),
        (error) => isTraderError(error, 'OFFER_STATE') && reason.test(error.message),
        String(reason),
      )
    }
  })
})
