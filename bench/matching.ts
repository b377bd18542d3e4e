/**
 * Offer matching throughput (`findMatches`, src/trader/matching.ts): one trader's open offers
 * against N offers collected from nodes, spread over 100 fact requests, 1 in 10 on the trader's
 * own requests. Real signed terms; matching itself verifies nothing (the store did).
 *
 *   node bench/matching.ts            10k and 100k offers, 10 own offers, best of 3
 *   node bench/matching.ts --json     figures as JSON
 */
import { mineMessageSync } from '../src/protocol/message-pow.ts'
import type { Offer } from '../src/protocol/messages/index.ts'
import { sign } from '../src/protocol/sign.ts'
import { generateKeyPair } from '../src/protocol/signature.ts'
import { findMatches } from '../src/trader/matching.ts'
import { offerDraft } from '../src/trader/offers.ts'
import { capabilityAd, testKey } from '../test/support/messages.ts'

const json = process.argv.includes('--json')
const NOW = Math.floor(Date.now() / 1000)
const DATES = Array.from({ length: 100 }, (_, i) => `2026-12-${String((i % 28) + 1).padStart(2, '0')}-${i}`)
const capability = capabilityAd({
  params: [
    { name: 'home', values: ['ARS', 'CHE'] },
    { name: 'away', values: ['ARS', 'CHE'] },
    { name: 'date', values: DATES },
  ],
})
const me = generateKeyPair('ed25519')
const them = testKey('bip340', 9)

function offer(key: typeof me, date: string, bets: string[], amount: number, acceptorAmount: number): Offer {
  const draft = offerDraft(
    {
      capability,
      args: { home: 'ARS', away: 'CHE', date },
      bets,
      amount,
      acceptorAmount,
      chain: 'bitcoin',
      contact: 'x',
      expires: NOW + 3600,
    },
    key,
  )
  return mineMessageSync<Offer>(sign<Offer>(draft, key.secretKey), 0)
}

const mine = DATES.slice(0, 10).map((date) => offer(me, date, ['away', 'draw'], 150, 100))
const template = offer(them, DATES[0]!, ['home'], 100, 150)

const results: { offers: number; matches: number; ms: number; perSecond: number }[] = []
for (const size of [10_000, 100_000]) {
  const others: Offer[] = []
  for (let i = 0; i < size; i++) {
    const date = DATES[i % 100]!
    others.push({
      ...template,
      terms: {
        ...template.terms,
        nonce: i.toString(16).padStart(16, '0'),
        question: { ...template.terms.question, args: { home: 'ARS', away: 'CHE', date } },
        originatorAmount: 80 + (i % 60),
      },
    })
  }
  let best = Number.POSITIVE_INFINITY
  let matches = 0
  for (let round = 0; round < 3; round++) {
    const started = performance.now()
    matches = findMatches(mine, others, new Set([me.publicKey]), NOW).length
    best = Math.min(best, performance.now() - started)
  }
  results.push({ offers: size, matches, ms: Math.round(best), perSecond: Math.round(size / (best / 1000)) })
}
if (json) process.stdout.write(`${JSON.stringify(results)}\n`)
else
  for (const r of results)
    console.log(
      `${r.offers} offers, ${mine.length} own: ${r.matches} matches in ${r.ms} ms (${r.perSecond.toLocaleString('en')} offers/s)`,
    )
