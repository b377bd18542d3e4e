import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import type { Admission } from '../../../src/mempool/admission.ts'
import { parentKeyOf, parentOf, verdictOf } from '../../../src/network/verdicts.ts'
import { messageId } from '../../../src/protocol/message.ts'
import * as fx from '../../support/messages.ts'

const invalid = (code: string, path?: string): Admission => ({
  status: 'invalid',
  reason: { code, message: code, ...(path && { path }) },
})

describe('gossip verdicts', () => {
  it('map each admission outcome to accept, ignore, reject or orphan', () => {
    const cases: [Admission, string][] = [
      [{ status: 'added' }, 'accept'],
      [{ status: 'updated' }, 'accept'],
      [{ status: 'duplicate' }, 'ignore'],
      [{ status: 'low-pow' }, 'ignore'],
      [{ status: 'skipped' }, 'accept'],
      [invalid('SIGNATURE_INVALID'), 'reject'],
      [invalid('POW_INVALID'), 'reject'],
      [invalid('SCHEMA_VIOLATION'), 'reject'],
      [invalid('EVIDENCE_INVALID', '/content/facts/1/signature'), 'reject'],
      [
        {
          status: 'invalid',
          reason: {
            code: 'EVIDENCE_INVALID',
            message: '',
            path: '/content/commitment/deadline',
            gossip: 'ignore',
          },
        },
        'ignore',
      ],
      [invalid('POW_TOO_WEAK'), 'ignore'],
      [invalid('STALE_SEQNO'), 'ignore'],
      [invalid('EXPIRED'), 'ignore'],
      [invalid('KEY_TAKEN'), 'ignore'],
      [invalid('UNKNOWN_ORACLE'), 'orphan'],
      [invalid('UNKNOWN_CAPABILITY'), 'orphan'],
      [invalid('UNKNOWN_REPORT'), 'orphan'],
    ]
    for (const [admission, verdict] of cases)
      assert.equal(verdictOf(admission), verdict, JSON.stringify(admission))
  })

  it('name the parent a message waits for as the admitted parent fulfils it', () => {
    const ad = fx.oracleAd()
    const capability = fx.capabilityAd()
    const report = fx.report({ type: 'free-form', comment: 'c', links: [] })
    assert.equal(parentOf(capability), parentKeyOf('oracle', ad, { status: 'added' }))
    assert.equal(parentOf(report), parentKeyOf('oracle', ad, { status: 'added' }))
    assert.equal(parentOf(fx.offer()), parentKeyOf('capability', capability, { status: 'added' }))
    const id = messageId(report)
    assert.equal(parentOf(fx.dispute(id)), parentKeyOf('report', report, { status: 'added', id }))
    assert.equal(parentOf(ad), undefined)
  })
})
