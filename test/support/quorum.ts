/**
 * Quorums and synonyms: three oracles asked the same question, each wording its answers its own
 * way, and offers decided by k of their n requests' oracles (shared by the unit and end-to-end tests).
 */
import { mineMessageSync } from '../../src/protocol/message-pow.ts'
import type { Fact, Offer, OfferTerms } from '../../src/protocol/messages/index.ts'
import { type Draft, sign } from '../../src/protocol/sign.ts'
import { type OfferInit, offerDraft } from '../../src/trader/offers.ts'
import * as fx from './messages.ts'

export const NOW = 1_800_000_000
export const A = fx.TRADER
export const B = fx.REPORTER

// Three oracles asked the same question, each wording its answers its own way.
export const K1 = fx.CAPABILITY
export const K2 = fx.OTHER_CAPABILITY
export const K3 = fx.testKey('bip340', 9)
export const first = fx.capabilityAd()
export const second = fx.capabilityAd({ answers: ['hosts', 'visitors', 'tie'] }, fx.OTHER_ORACLE, K2)
export const third = fx.capabilityAd({ answers: ['1', '2', 'X'] }, fx.testKey('ed25519', 10), K3)
export const capabilities = [first, second, third]
export const answersOf = (key: string) => capabilities.find((c) => c.capabilityKey === key)?.answers
export const [R1, R2, R3] = [K1, K2, K3].map((key) => fx.factRequest(key)) as [
  ReturnType<typeof fx.factRequest>,
  ReturnType<typeof fx.factRequest>,
  ReturnType<typeof fx.factRequest>,
]

/** The second and third oracles' words for home, away and draw. */
export const intoHomeAway: NonNullable<OfferTerms['synonyms']> = [
  { capability: K2.publicKey, answer: 'home', synonyms: ['hosts'] },
  { capability: K2.publicKey, answer: 'away', synonyms: ['visitors'] },
  { capability: K2.publicKey, answer: 'draw', synonyms: ['tie'] },
  { capability: K3.publicKey, answer: 'home', synonyms: ['1'] },
  { capability: K3.publicKey, answer: 'away', synonyms: ['2'] },
  { capability: K3.publicKey, answer: 'draw', synonyms: ['X'] },
]

export function offer(key: fx.TestKey, init: Partial<OfferInit>, overrides: Partial<OfferTerms> = {}): Offer {
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
export const twoOfThree = offer(A, { quorum: [R2, R3], threshold: 2, synonyms: intoHomeAway })

export function facts(r1?: string, r2?: string, r3?: string): Fact[] {
  const given: [string | undefined, fx.TestKey][] = [
    [r1, K1],
    [r2, K2],
    [r3, K3],
  ]
  return given.flatMap(([answer, key]) => (answer === undefined ? [] : [fx.fact(answer, key)]))
}
