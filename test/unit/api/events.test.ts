/**
 * The oracle and capability key an `/events` event names, so a client fetches just those again:
 * every kind the mempool admits, a dispute through the report it answers.
 */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { subjectOf } from '../../../src/api/events.ts'
import { messageId } from '../../../src/protocol/message.ts'
import * as fx from '../../support/messages.ts'

describe('the subject of an admission event', () => {
  it('names the oracle and the capability key of every kind', () => {
    const capability = fx.capabilityAd()
    const report = fx.report({ type: 'free-form', comment: 'slow answers', links: [] })
    const held = new Map([[messageId(report), report.oracle]])
    const reportOracle = (id: string) => held.get(id)
    const offer = fx.offer()
    const cases = [
      [fx.oracleAd(), { oracle: fx.ORACLE.publicKey }],
      [capability, { oracle: fx.ORACLE.publicKey, capability: capability.capabilityKey }],
      [report, { oracle: fx.ORACLE.publicKey }],
      [fx.dispute(messageId(report)), { oracle: fx.ORACLE.publicKey, capability: fx.CAPABILITY.publicKey }],
      [fx.dispute('f'.repeat(64)), { capability: fx.CAPABILITY.publicKey }],
      [offer, { capability: offer.terms.question.capability }],
    ] as const
    for (const [message, subject] of cases)
      assert.deepEqual(subjectOf(message, reportOracle), subject, message.kind)
  })
})
