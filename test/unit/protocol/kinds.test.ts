/**
 * The kind specs agree with the lists the rest of the protocol still names (POOL_KINDS,
 * REPORT_TYPES, the ReportContent union), sync order is the specs' order, and the docs tables
 * are the specs' rendering.
 */
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { describe, it } from 'node:test'
import { KIND_DOCS, renderKindTables } from '../../../src/protocol/kind-docs.ts'
import { ENTRY_KINDS, KIND_SPECS, POOL_KINDS_IN_SYNC_ORDER } from '../../../src/protocol/kinds.ts'
import {
  MESSAGE_KINDS,
  POOL_KINDS,
  REPORT_TYPES,
  ReportContent,
} from '../../../src/protocol/messages/index.ts'
import { REPORT_KINDS, reportKindOf } from '../../../src/protocol/report-kinds.ts'
import { reportTextOf } from '../../../src/protocol/report-text.ts'
import { validateMessage } from '../../../src/protocol/validate.ts'
import { itemKey, KIND_RANK, kindOfKey } from '../../../src/sync/keys.ts'
import * as fx from '../../support/messages.ts'

describe('message kind specs', () => {
  it('describe every kind, the pool kinds as pool kinds', () => {
    assert.deepEqual(Object.keys(KIND_SPECS).sort(), [...MESSAGE_KINDS].sort())
    for (const kind of MESSAGE_KINDS) {
      assert.equal(KIND_SPECS[kind].kind, kind)
      assert.equal(KIND_SPECS[kind].pool, (POOL_KINDS as readonly string[]).includes(kind), kind)
    }
    assert.deepEqual(ENTRY_KINDS, ['oracle', 'capability', 'report', 'offer'])
  })

  it('order sync by rank: parents before what hangs on them', () => {
    assert.deepEqual(POOL_KINDS_IN_SYNC_ORDER, ['oracle', 'capability', 'report', 'dispute', 'offer'])
    POOL_KINDS_IN_SYNC_ORDER.forEach((kind, rank) => {
      assert.equal(KIND_SPECS[kind].syncRank, rank)
      assert.equal(KIND_RANK[kind], rank)
      assert.equal(kindOfKey(itemKey(kind, 12)), kind)
      const parent = KIND_SPECS[kind].parent
      if (parent) assert.ok(KIND_RANK[parent] < rank, `${kind} after its parent ${parent}`)
    })
  })

  it('limit sizes: manifests 1 MiB, the rest 64 KiB', () => {
    const big = { ...fx.oracleAd(), tags: ['x'.repeat(70_000)] }
    assert.equal(validateMessage(big).ok, false)
    assert.equal(KIND_SPECS.manifest.maxBytes, 1024 * 1024)
    assert.equal(KIND_SPECS.report.maxBytes, 64 * 1024)
  })
})

describe('report kind specs', () => {
  it('are the five content kinds of the ReportContent union, each with its own schema', () => {
    assert.deepEqual(REPORT_KINDS.map((spec) => spec.type).sort(), [...REPORT_TYPES].sort())
    assert.equal(ReportContent.anyOf.length, REPORT_KINDS.length)
    for (const spec of REPORT_KINDS) assert.ok(ReportContent.anyOf.includes(spec.schema as never), spec.type)
    for (const spec of REPORT_KINDS) {
      assert.equal(reportKindOf(spec.type), spec)
      assert.equal(reportTextOf(spec.type).label, spec.label)
    }
    assert.throws(() => reportKindOf('no-such-kind'), /no report kind/)
    assert.equal(reportTextOf('no-such-kind').label, 'no-such-kind', 'an unknown kind shows its type')
  })

  it('only fact-missing is disputable and has a subject (its commitment)', () => {
    assert.deepEqual(
      REPORT_KINDS.filter((spec) => spec.dispute).map((spec) => spec.type),
      ['fact-missing'],
    )
    assert.deepEqual(
      REPORT_KINDS.filter((spec) => spec.subject).map((spec) => spec.type),
      ['fact-missing'],
    )
  })

  it('are what the docs tables say (npm run docs:kinds)', () => {
    for (const [path, tables] of Object.entries(KIND_DOCS)) {
      const text = readFileSync(new URL(`../../../${path}`, import.meta.url), 'utf8')
      assert.equal(text, renderKindTables(text, tables), 'run npm run docs:kinds')
    }
  })
})
