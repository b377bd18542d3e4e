/**
 * The settlement rules of offer terms: `termsProblem` checks offers without a quorum or
 * synonyms by a shorter path, which must give the verdict of the whole rule.
 */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import type { OfferTerms } from '../../../src/protocol/messages/index.ts'
import { curveProblem } from '../../../src/protocol/offer-curve.ts'
import {
  offerRequests,
  outcomeMap,
  quorumThreshold,
  type TermsProblem,
  termsProblem,
} from '../../../src/protocol/settlement.ts'

describe('termsProblem', () => {
  it('gives the verdict of the whole rule, with and without a quorum or synonyms', () => {
    const random = seeded(11)
    const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!
    const some = <T>(items: readonly T[], most: number): T[] =>
      Array.from({ length: Math.floor(random() * (most + 1)) }, () => pick(items))
    const answers = ['yes', 'no', 'maybe', 'x"y']
    const capabilities = ['c1', 'c2', 'c3']
    let fast = 0
    for (let run = 0; run < 5_000; run++) {
      const terms = {
        question: { capability: pick(capabilities), args: {} },
        originatorBets: some(answers, 2),
        acceptorBets: some(answers, 2),
        ...(random() < 0.5 && { threshold: pick([0, 1, 2, 3, 0.5, 1.5]) }),
        ...(random() < 0.4 && {
          quorum: some(capabilities, 2).map((capability) => ({ capability, args: {} })),
        }),
        ...(random() < 0.4 && {
          synonyms: some(answers, 2).map((answer) => ({
            answer,
            synonyms: some(answers, 2),
            ...(random() < 0.5 && { capability: pick(capabilities) }),
          })),
        }),
      } as unknown as OfferTerms
      if (!terms.quorum?.length && !terms.synonyms?.length) fast++
      assert.deepEqual(termsProblem(terms), wholeRule(terms), JSON.stringify(terms))
    }
    assert.ok(fast > 1_000, `${fast} of the runs took the short path`)
  })
})

/** The rule as written before the short path: every offer through the sets and the map. */
function wholeRule(terms: OfferTerms): TermsProblem | undefined {
  const curve = curveProblem(terms)
  if (curve) return curve
  const requests = offerRequests(terms)
  const capabilities = new Set<string>()
  for (const [index, request] of requests.entries()) {
    if (capabilities.has(request.capability)) {
      return {
        path: `/terms/quorum/${index - 1}/capability`,
        reason: `capability ${request.capability} decides the offer twice: each request needs its own`,
      }
    }
    capabilities.add(request.capability)
  }
  const n = requests.length
  const k = quorumThreshold(terms)
  if (k > n) return { path: '/terms/threshold', reason: `${k} of ${n}: the offer has only ${n} requests` }
  if (2 * k <= n)
    return { path: '/terms/threshold', reason: `${k} of ${n} is not a majority (needs more than ${n / 2})` }
  const mapped = new Set<string>()
  for (const [index, { synonyms, capability }] of (terms.synonyms ?? []).entries()) {
    if (capability !== undefined && !capabilities.has(capability)) {
      return {
        path: `/terms/synonyms/${index}/capability`,
        reason: `capability ${capability} is not one of the offer's requests`,
      }
    }
    for (const [position, synonym] of synonyms.entries()) {
      const key = JSON.stringify([capability ?? '', synonym])
      if (mapped.has(key))
        return {
          path: `/terms/synonyms/${index}/synonyms/${position}`,
          reason: `"${synonym}" is mapped twice`,
        }
      mapped.add(key)
    }
  }
  const map = outcomeMap(terms)
  const capability = terms.question.capability
  const originator = new Set(terms.originatorBets.map((bet) => map(capability, bet)))
  const both = terms.acceptorBets.find((bet) => originator.has(map(capability, bet)))
  if (both !== undefined)
    return { path: '/terms/acceptorBets', reason: `"${both}" is bet on by both sides (after synonyms)` }
  return undefined
}

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
