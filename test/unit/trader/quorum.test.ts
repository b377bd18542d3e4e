/**
 * Quorums and synonyms: an offer decided by k of its n requests' oracles, each oracle's answer
 * mapped into the offer's outcomes. The message rules, settlement and matching all honour them.
 */
import assert from 'node:assert/strict'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import pino from 'pino'
import { NodeClient } from '../../../src/client/node-client.ts'
import { resolveConfig } from '../../../src/node/config.ts'
import { MegaNode } from '../../../src/node/node.ts'
import { offerKey } from '../../../src/protocol/message.ts'
import { mineMessageSync } from '../../../src/protocol/message-pow.ts'
import type { Fact, Offer, OfferTerms } from '../../../src/protocol/messages/index.ts'
import { checkMessageRules } from '../../../src/protocol/rules.ts'
import { settleOffer } from '../../../src/protocol/settlement.ts'
import { type Draft, sign } from '../../../src/protocol/sign.ts'
import { validateMessage } from '../../../src/protocol/validate.ts'
import { isTraderError } from '../../../src/trader/errors.ts'
import { complement, findMatches } from '../../../src/trader/matching.ts'
import { type OfferInit, offerDraft } from '../../../src/trader/offers.ts'
import { TraderStore } from '../../../src/trader/store.ts'
import * as fx from '../../support/messages.ts'
import { runCli } from '../../support/run-cli.ts'

const NOW = 1_800_000_000
const A = fx.TRADER
const B = fx.REPORTER

// Three oracles asked the same question, each wording its answers its own way.
const K1 = fx.CAPABILITY
const K2 = fx.OTHER_CAPABILITY
const K3 = fx.testKey('bip340', 9)
const first = fx.capabilityAd()
const second = fx.capabilityAd({ answers: ['hosts', 'visitors', 'tie'] }, fx.OTHER_ORACLE, K2)
const third = fx.capabilityAd({ answers: ['1', '2', 'X'] }, fx.testKey('ed25519', 10), K3)
const capabilities = [first, second, third]
const answersOf = (key: string) => capabilities.find((c) => c.capabilityKey === key)?.answers
const [R1, R2, R3] = [K1, K2, K3].map((key) => fx.factRequest(key)) as [
  ReturnType<typeof fx.factRequest>,
  ReturnType<typeof fx.factRequest>,
  ReturnType<typeof fx.factRequest>,
]

/** The second and third oracles' words for home, away and draw. */
const intoHomeAway: OfferTerms['synonyms'] = [
  { capability: K2.publicKey, answer: 'home', synonyms: ['hosts'] },
  { capability: K2.publicKey, answer: 'away', synonyms: ['visitors'] },
  { capability: K2.publicKey, answer: 'draw', synonyms: ['tie'] },
  { capability: K3.publicKey, answer: 'home', synonyms: ['1'] },
  { capability: K3.publicKey, answer: 'away', synonyms: ['2'] },
  { capability: K3.publicKey, answer: 'draw', synonyms: ['X'] },
]

function offer(key: fx.TestKey, init: Partial<OfferInit>, overrides: Partial<OfferTerms> = {}): Offer {
  const draft = offerDraft(
    {
      capability: first,
      args: R1.args,
      bets: ['home'],
      amount: 100,
      acceptorAmount: 150,
      chain: 'bitcoin',
      contact: 'x',
      expires: NOW + 3600,
      ...init,
    },
    key,
  )
  const terms = { ...draft.terms, ...overrides }
  return mineMessageSync<Offer>(sign<Offer>({ ...draft, terms } as Draft<Offer>, key.secretKey), 4)
}

/** 2 of 3: the home-team oracle, then the two that word it differently. */
const twoOfThree = offer(A, { quorum: [R2, R3], threshold: 2, synonyms: intoHomeAway })

function facts(r1?: string, r2?: string, r3?: string): Fact[] {
  const given: [string | undefined, fx.TestKey][] = [
    [r1, K1],
    [r2, K2],
    [r3, K3],
  ]
  return given.flatMap(([answer, key]) => (answer === undefined ? [] : [fx.fact(answer, key)]))
}

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

describe('mega trader offer, match and settle with a quorum, through a node', () => {
  let dir: string
  let node: MegaNode
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'mega-quorum-cli-'))
    const config = resolveConfig({
      dataDir: join(dir, 'node'),
      http: { host: '127.0.0.1', port: 0 },
      mempool: { minBits: { oracle: 8, capability: 8, report: 8, offer: 8 } },
      network: { enabled: false },
    })
    node = new MegaNode(config, { logger: pino({ level: 'silent' }) })
    await node.start()
    const oracles = [
      fx.oracleAd(),
      fx.oracleAd({}, fx.OTHER_ORACLE),
      fx.oracleAd({}, fx.testKey('ed25519', 10)),
    ]
    for (const message of [...oracles, ...capabilities]) {
      const { status } = await new NodeClient({ url: node.url! }).post(message.kind as 'oracle', message)
      assert.ok(status < 300, message.kind)
    }
  })
  after(async () => {
    await node.stop()
    await rm(dir, { recursive: true, force: true })
  })

  it('publishes 2-of-3 offers with scoped synonyms, matches the mirror worded by another oracle, settles', async () => {
    const trader =
      (name: string) =>
      async (...args: string[]) => {
        const result = await runCli(['trader', ...args, '--data', join(dir, name), '--node', node.url!])
        return { ...result, json: () => JSON.parse(result.out) }
      }
    const alice = trader('alice')
    const bob = trader('bob')
    for (const name of ['alice', 'bob'])
      assert.equal((await runCli(['trader', 'init', '--data', join(dir, name)])).code, 0)
    const request = (key: fx.TestKey) => `${key.publicKey}:home=ARS,away=CHE,date=2026-11-21`
    const words = (key: fx.TestKey, pairs: [string, string][]) =>
      pairs.flatMap(([ours, theirs]) => ['--synonym', `${key.publicKey}:${ours}=${theirs}`])
    const common = [
      '--arg',
      'home=ARS',
      '--arg',
      'away=CHE',
      '--arg',
      'date=2026-11-21',
      '--chain',
      'bitcoin',
    ]
    const offered = await alice(
      'offer',
      K1.publicKey,
      ...common,
      '--quorum',
      request(K2),
      '--quorum',
      request(K3),
      '--threshold',
      '2',
      ...words(K2, [
        ['home', 'hosts'],
        ['away', 'visitors'],
        ['draw', 'tie'],
      ]),
      ...words(K3, [
        ['home', '1'],
        ['away', '2'],
        ['draw', 'X'],
      ]),
      '--bet',
      'home',
      '--amount',
      '100',
      '--acceptor-amount',
      '150',
      '--contact',
      'nostr:alice',
      '--bits',
      '8',
      '--json',
    )
    assert.equal(offered.code, 0, offered.err)
    const { key, offer: published } = offered.json() as { key: string; offer: Offer }
    assert.equal(published.terms.threshold, 2)
    assert.deepEqual(published.terms.synonyms![0], {
      answer: 'home',
      synonyms: ['hosts'],
      capability: K2.publicKey,
    })
    // Bob bets in the second oracle's words, with the first and third mapped into them.
    const mirror = await bob(
      'offer',
      K2.publicKey,
      ...common,
      '--quorum',
      request(K3),
      '--quorum',
      request(K1),
      '--threshold',
      '2',
      ...words(K1, [
        ['hosts', 'home'],
        ['visitors', 'away'],
        ['tie', 'draw'],
      ]),
      ...words(K3, [
        ['hosts', '1'],
        ['visitors', '2'],
        ['tie', 'X'],
      ]),
      '--bet',
      'visitors,tie',
      '--amount',
      '150',
      '--acceptor-amount',
      '100',
      '--contact',
      'nostr:bob',
      '--bits',
      '8',
      '--json',
    )
    assert.equal(mirror.code, 0, mirror.err)
    const matched = await bob('match', '--json')
    assert.equal(matched.code, 0, matched.err)
    assert.deepEqual(
      (matched.json() as { matches: { key: string; oddsRatio: number }[] }).matches.map((m) => [
        m.key,
        m.oddsRatio,
      ]),
      [[key, 1]],
    )

    const store = new TraderStore({ dataDir: join(dir, 'bob'), now: () => NOW })
    for (const fact of facts('away', 'hosts', '1')) store.put(fact, { own: true, origin: 'test' })
    store.close()
    const settled = await bob('settle', key, '--json')
    assert.equal(settled.code, 0, settled.err)
    assert.deepEqual((({ status, outcome, winner }) => ({ status, outcome, winner }))(settled.json()), {
      status: 'settled',
      outcome: 'home',
      winner: 'originator',
    })
  })
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
