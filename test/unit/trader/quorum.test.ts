/**
 * Quorums and synonyms: an offer decided by k of its n requests' oracles, each oracle's answer
 * mapped into the offer's outcomes. The message rules, settlement and matching all honour them.
 */
import assert from 'node:assert/strict'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { offerKey } from '../../../src/protocol/message.ts'
import type { Offer, OfferTerms } from '../../../src/protocol/messages/index.ts'
import { checkMessageRules } from '../../../src/protocol/rules.ts'
import { settleOffer } from '../../../src/protocol/settlement.ts'
import { validateMessage } from '../../../src/protocol/validate.ts'
import { isTraderError } from '../../../src/trader/errors.ts'
import { complement, findMatches } from '../../../src/trader/matching.ts'
import type { OfferInit } from '../../../src/trader/offers.ts'
import { TraderStore } from '../../../src/trader/store.ts'
import * as fx from '../../support/messages.ts'
import {
  A,
  answersOf,
  B,
  capabilities,
  facts,
  intoHomeAway,
  K1,
  K2,
  K3,
  NOW,
  offer,
  R1,
  R2,
  R3,
  second,
  twoOfThree,
} from '../../support/quorum.ts'
import { runCli } from '../../support/run-cli.ts'

describe('offer rules for quorums and synonyms', () => {
  it('accepts the 2-of-3 offer with scoped synonyms', () => {
    assert.ok(validateMessage(twoOfThree, 'offer').ok)
    assert.deepEqual(checkMessageRules(twoOfThree), { ok: true, value: true })
  })

  it('refuses a threshold above n or not a majority, a capability twice, stray or double synonyms', () => {
    const cases: [Partial<OfferTerms>, string, RegExp][] = [
      [{ quorum: [R2], threshold: 3 }, '/terms/threshold', /3 of 2/],
      [{ quorum: [R2], threshold: 1 }, '/terms/threshold', /1 of 2 is not a majority/],
      [
        { quorum: [R2, R3, fx.factRequest(fx.testKey('bip340', 11))], threshold: 2 },
        '/terms/threshold',
        /2 of 4/,
      ],
      [{ quorum: [R2, { ...R1, args: { ...R1.args, date: 'x' } }] }, '/terms/quorum/1/capability', /twice/],
      [
        { synonyms: [{ capability: K3.publicKey, answer: 'home', synonyms: ['1'] }] },
        '/terms/synonyms/0/capability',
        /not one of the offer's requests/,
      ],
      [
        {
          quorum: [R2],
          synonyms: [
            { capability: K2.publicKey, answer: 'home', synonyms: ['hosts'] },
            { capability: K2.publicKey, answer: 'away', synonyms: ['hosts'] },
          ],
        },
        '/terms/synonyms/1/synonyms/0',
        /"hosts" is mapped twice/,
      ],
      [
        {
          originatorBets: ['home'],
          acceptorBets: ['away'],
          synonyms: [{ answer: 'home', synonyms: ['away'] }],
        },
        '/terms/acceptorBets',
        /"away" is bet on by both sides/,
      ],
    ]
    for (const [overrides, path, reason] of cases) {
      const bad = offer(A, {}, overrides)
      assert.ok(validateMessage(bad, 'offer').ok, path)
      const result = checkMessageRules(bad)
      assert.equal(result.ok, false, path)
      if (result.ok) continue
      assert.equal(result.error.code, 'SCHEMA_VIOLATION')
      assert.equal(result.error.details.path, path)
      assert.match(result.error.message, reason)
    }
  })

  it('drafts refuse such terms before any work', () => {
    assert.throws(
      () => offer(A, { quorum: [R2], threshold: 1 }),
      (error) => isTraderError(error, 'OFFER_STATE') && /not a majority/.test(error.message),
    )
  })
})

describe('settlement with quorums and synonyms', () => {
  it('settles on k agreeing oracles, synonyms mapping their words, even against the question', () => {
    const settled = settleOffer(twoOfThree.terms, facts('away', 'hosts', '1'), answersOf)
    assert.equal(settled.status, 'settled')
    assert.equal(settled.outcome, 'home')
    assert.equal(settled.winner, 'originator')
    assert.deepEqual(settled.tally, [
      { outcome: 'home', requests: 2 },
      { outcome: 'away', requests: 1 },
    ])
    assert.deepEqual(
      settled.requests.map(({ status, answers, outcome }) => [status, answers, outcome]),
      [
        ['answered', ['away'], 'away'],
        ['answered', ['hosts'], 'home'],
        ['answered', ['1'], 'home'],
      ],
    )
    const acceptor = settleOffer(twoOfThree.terms, facts(undefined, 'tie', 'X'), answersOf)
    assert.deepEqual([acceptor.status, acceptor.outcome, acceptor.winner], ['settled', 'draw', 'acceptor'])
  })

  it('is pending while missing requests can still decide, deadlocked once none can', () => {
    assert.equal(settleOffer(twoOfThree.terms, facts(undefined, 'hosts'), answersOf).status, 'pending')
    assert.equal(settleOffer(twoOfThree.terms, [], answersOf).status, 'pending')
    const split = settleOffer(twoOfThree.terms, facts('home', 'visitors', 'X'), answersOf)
    assert.equal(split.status, 'deadlocked')
    assert.equal(split.winner, undefined)
  })

  it('needs every request without a threshold', () => {
    const both = offer(A, { quorum: [R2], synonyms: intoHomeAway.slice(0, 3) })
    assert.equal(settleOffer(both.terms, facts('home'), answersOf).status, 'pending')
    assert.equal(settleOffer(both.terms, facts('home', 'hosts'), answersOf).winner, 'originator')
    assert.equal(settleOffer(both.terms, facts('home', 'tie'), answersOf).status, 'deadlocked')
  })

  it("counts no outcome for an oracle that signed two answers, and ignores facts that are not the offer's", () => {
    const equivocating = [...facts('home', 'hosts'), fx.fact('visitors', K2)]
    const result = settleOffer(twoOfThree.terms, equivocating, answersOf)
    assert.equal(result.status, 'pending')
    assert.deepEqual(result.requests[1]!.status, 'conflicting')
    assert.equal(
      settleOffer(twoOfThree.terms, [...equivocating, fx.fact('2', K3)], answersOf).status,
      'deadlocked',
    )

    const [forged] = facts(undefined, 'hosts')
    const strays = [
      { ...forged!, answer: 'visitors' }, // signature no longer covers the answer
      fx.fact('home', K2, { ...R2, args: { ...R2.args, date: '2027-01-01' } }), // another request
      fx.fact('home', K3), // not an answer of the third capability
    ]
    const ignored = settleOffer(twoOfThree.terms, [...facts('home'), ...strays], answersOf)
    assert.equal(ignored.ignored, 3)
    assert.equal(ignored.status, 'pending')
    assert.deepEqual(ignored.tally, [{ outcome: 'home', requests: 1 }])
  })
})

describe('matching with quorums and synonyms', () => {
  // B asks the second oracle first, in its words, and maps the first oracle's words into them.
  const mirror = offer(
    B,
    {
      capability: second,
      args: R2.args,
      bets: ['visitors', 'tie'],
      amount: 150,
      acceptorAmount: 100,
      quorum: [R1],
    },
    {
      synonyms: [
        { capability: K1.publicKey, answer: 'hosts', synonyms: ['home'] },
        { capability: K1.publicKey, answer: 'visitors', synonyms: ['away'] },
        { capability: K1.publicKey, answer: 'tie', synonyms: ['draw'] },
      ],
    },
  )
  const ours = offer(A, { quorum: [R2], synonyms: intoHomeAway.slice(0, 3) })

  it('matches offers on the same requests in another order, whose synonyms settle alike', () => {
    assert.deepEqual(complement(ours.terms, mirror.terms, answersOf), { ok: true, oddsRatio: 1, fill: 1 })
    const [match] = findMatches([mirror], [ours, mirror], new Set([B.publicKey]), NOW, answersOf)
    assert.equal(match?.key, offerKey(ours))
  })

  it('refuses offers that could settle differently, saying why', () => {
    const cases: [Offer, Offer, RegExp][] = [
      // overlapping but different requests: the second oracle is another one
      [
        ours,
        offer(B, { ...mirrorInit(), quorum: [fx.factRequest(fx.testKey('bip340', 12))] }),
        /different fact requests/,
      ],
      // the same three requests, 2 of 3 against 3 of 3
      [
        twoOfThree,
        offer(B, { quorum: [R2, R3], synonyms: intoHomeAway }),
        /different fact requests or threshold/,
      ],
      // the same requests, no synonyms: "hosts" stays an outcome of its own for them
      [
        ours,
        offer(B, mirrorInit()),
        /synonyms differ: "hosts" of capability \w{8}… counts as "home" for us, "hosts" for them/,
      ],
    ]
    for (const [mine, theirs, reason] of cases) {
      const result = complement(mine.terms, theirs.terms, answersOf)
      assert.equal(result.ok, false, String(reason))
      assert.match((result as { reason: string }).reason, reason)
    }
  })

  function mirrorInit(): Partial<OfferInit> {
    return {
      capability: second,
      args: R2.args,
      bets: ['visitors', 'tie'],
      amount: 150,
      acceptorAmount: 100,
      quorum: [R1],
    }
  }
})

describe('mega trader settle', () => {
  let dir: string
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'mega-settle-'))
  })
  after(() => rm(dir, { recursive: true, force: true }))

  it('prints the verdict, each request and the tally; exit 0 settled, 3 not yet', async () => {
    const store = new TraderStore({ dataDir: dir, now: () => NOW })
    for (const message of [...capabilities, twoOfThree, ...facts(undefined, 'hosts')])
      store.put(message, { own: true, origin: 'test' })
    store.close()
    const key = offerKey(twoOfThree)
    const args = ['trader', 'settle', key, '--data', dir, '--node', 'http://127.0.0.1:9']
    const pending = await runCli(args)
    assert.equal(pending.code, 3, pending.err)
    assert.match(pending.out, /^pending: no outcome has 2 of 3 requests yet/)

    const more = new TraderStore({ dataDir: dir, now: () => NOW })
    more.put(fx.fact('1', K3), { own: true, origin: 'test' })
    more.close()
    const settled = await runCli(args)
    assert.equal(settled.code, 0, settled.err)
    const lines = settled.out.trim().split('\n')
    assert.equal(lines[0], 'settled: "home" (2 of 3 agree), the originator wins')
    assert.match(lines[1]!, /: no fact$/)
    assert.match(lines[2]!, /home=ARS,away=CHE,date=2026-11-21: "hosts" → "home"$/)
    assert.match(lines[3]!, /: "1" → "home"$/)
    assert.equal(lines[4], '  tally: "home" 2')
    const json = JSON.parse((await runCli([...args, '--json'])).out)
    assert.deepEqual(
      [json.key, json.status, json.outcome, json.winner, json.threshold],
      [key, 'settled', 'home', 'originator', 2],
    )
  })
})
