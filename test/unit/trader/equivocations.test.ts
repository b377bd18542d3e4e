/**
 * `detectEquivocations` reads only what one capability key's facts can prove and finds exactly
 * the verified `fact-conflict` proposals store-wide detection finds for that key, on a store
 * holding conflicts of several keys, oracles and questions, a held report and facts carried
 * inside reports.
 */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import type { OracleCapability } from '../../../src/protocol/messages/index.ts'
import { detectEquivocations, detectInStore, type ReportProposal } from '../../../src/trader/detect.ts'
import { MemoryStore } from '../../../src/trader/message-store.ts'
import { factConflict, reportSubject } from '../../../src/trader/reports.ts'
import * as fx from '../../support/messages.ts'

const NOW = 1_800_000_000
const ANSWERS = ['home', 'away', 'draw']

const dayRequest = (capability: fx.TestKey, day: number) => ({
  ...fx.factRequest(capability),
  args: { ...fx.factRequest(capability).args, date: `2026-11-${String(day).padStart(2, '0')}` },
})

/** A store with `keys` capability keys of two oracles, each answering `days` questions two or three ways. */
function storeWithConflicts(keys: number, days: number) {
  const store = new MemoryStore({ now: () => NOW })
  const capabilities: OracleCapability[] = []
  for (let n = 0; n < keys; n++) {
    const oracle = n % 2 === 0 ? fx.ORACLE : fx.OTHER_ORACLE
    const key = fx.testKey('bip340', 20 + n)
    const ad = fx.capabilityAd({}, oracle, key)
    store.put(oracle === fx.ORACLE ? fx.oracleAd() : fx.oracleAd({}, fx.OTHER_ORACLE), { origin: 'test' })
    store.put(ad, { origin: 'test' })
    capabilities.push(ad)
    for (let day = 1; day <= days; day++)
      for (const answer of ANSWERS.slice(0, 2 + (day % 2)))
        store.put(fx.fact(answer, key, dayRequest(key, day)), { origin: 'test' })
  }
  return { store, capabilities }
}

const equivocationsIn = (proposals: ReportProposal[], capabilityKey: string) =>
  proposals.filter(
    (proposal) =>
      proposal.verdict === 'verified' &&
      proposal.content.type === 'fact-conflict' &&
      proposal.content.facts[0].request.capability === capabilityKey,
  )

describe('equivocations of one capability key', () => {
  it('are those store-wide detection finds for the key, reports held and carried facts included', () => {
    const { store, capabilities } = storeWithConflicts(4, 3)
    const [first] = capabilities
    const key = fx.testKey('bip340', 20)
    // A report already held on one of the key's conflicts: proposed by neither.
    const held = fx.report(
      factConflict(first!, [
        fx.fact('home', key, dayRequest(key, 1)),
        fx.fact('away', key, dayRequest(key, 1)),
      ]),
    )
    store.put(held, { origin: 'test' })
    // A third answer known only from inside a report: two more conflicts on day 2.
    const carried = fx.fact('draw', key, dayRequest(key, 2))
    store.put(fx.report(factConflict(first!, [fx.fact('home', key, dayRequest(key, 2)), carried])), {
      origin: 'test',
    })
    const everything = detectInStore(store, NOW)
    for (const capability of capabilities) {
      const scoped = detectEquivocations(store, capability.capabilityKey, NOW)
      assert.deepEqual(scoped, equivocationsIn(everything, capability.capabilityKey))
      assert.ok(scoped.length >= 2, 'several conflicts of the key')
    }
    const subjects = detectEquivocations(store, first!.capabilityKey, NOW).map((proposal) =>
      reportSubject(proposal.oracle, proposal.content),
    )
    assert.ok(
      !subjects.includes(reportSubject(held.oracle, held.content)),
      'the reported pair is not proposed again',
    )
    assert.ok(
      detectEquivocations(store, first!.capabilityKey, NOW).some(
        (proposal) => proposal.content.type === 'fact-conflict' && proposal.content.facts.includes(carried),
      ),
      'a fact carried by a report counts',
    )
    assert.deepEqual(detectEquivocations(store, fx.TRADER.publicKey, NOW), [], 'a key nobody advertised')
  })

  it('is faster than detection over the whole store', (t) => {
    const { store, capabilities } = storeWithConflicts(12, 4)
    const key = capabilities[0]!.capabilityKey
    const time = (run: () => unknown) => {
      const start = performance.now()
      for (let i = 0; i < 3; i++) run()
      return (performance.now() - start) / 3
    }
    const full = time(() => equivocationsIn(detectInStore(store, NOW), key))
    const scoped = time(() => detectEquivocations(store, key, NOW))
    t.diagnostic(
      `12 keys × 4 questions: store-wide ${full.toFixed(1)} ms, one key ${scoped.toFixed(1)} ms (${(full / scoped).toFixed(1)}×)`,
    )
    assert.deepEqual(detectEquivocations(store, key, NOW), equivocationsIn(detectInStore(store, NOW), key))
  })
})
