/**
 * The simulation's quick mode, run as the command a person runs: its figures must come from the
 * pools (invariants of a bounded pool, values recomputed here independently) and its document
 * and charts must be written from them.
 */
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import type { ChurnResult } from '../../../sim/churn.ts'
import { QUICK } from '../../../sim/config.ts'
import type { SpamRow, WashRow } from '../../../sim/report-spam.ts'
import type { SybilRow } from '../../../sim/sybil-split.ts'

interface SimOutput {
  sybil: SybilRow[]
  spam: SpamRow[]
  wash: WashRow[]
  churn: ChurnResult[]
}

describe('sim --quick', () => {
  const out = mkdtempSync(join(tmpdir(), 'mega-sim-'))
  let result: SimOutput
  let markdown: string

  before(() => {
    const stdout = execFileSync(process.execPath, ['sim/run.ts', '--quick', '--json', '--out', out], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    })
    result = JSON.parse(stdout)
    markdown = readFileSync(join(out, 'sybil.md'), 'utf8')
  })
  after(() => rmSync(out, { recursive: true, force: true }))

  it('scenario 1 rows respect the pool bounds and cover every setting', () => {
    const { pools, attackerBits, splits } = QUICK.sybil
    assert.equal(result.sybil.length, pools.length * attackerBits.length * splits.length * 2)
    for (const row of result.sybil) {
      const capacity = pools.find((p) => p.name === row.pool)!.capacity
      const where = `${row.pool} W=${row.attackerBits} k=${row.k} ${row.order}`
      assert.ok(row.survivors <= row.built && row.survivors <= capacity, where)
      assert.ok(row.survivors + row.honestHeld <= capacity, where)
      assert.ok(row.topSlots <= Math.min(QUICK.sybil.topN, row.survivors), where)
      assert.ok(row.workKept >= 0 && row.workKept <= 1, where)
      assert.ok(row.strengthShare >= 0 && row.strengthShare < 1, where)
      assert.ok(row.minedWork <= 2 ** row.attackerBits, `${where}: mined more than W`)
      // A pool with room for everyone evicts nothing: every part survives.
      const setting = pools.find((p) => p.name === row.pool)!
      if (setting.capacity >= setting.honest + row.built) assert.equal(row.survivors, row.built, where)
    }
    const full = result.sybil.filter((r) => r.thresholdBits > 0)
    assert.ok(full.length > 0, 'some runs fill the pool')
    assert.ok(new Set(full.map((r) => r.survivors)).size > 1, 'survivors vary with k in a full pool')
  })

  it('scenario 2 drops equal the work that counts, recomputed here', () => {
    const { oracleBits, minBits } = QUICK.spam
    const strength = 2 ** oracleBits + 2 ** minBits.capability
    for (const row of result.spam) {
      const where = `${row.kind} ${row.policy} W=${row.attackerBits}`
      const counted = row.kind === 'free-form' && row.policy === 'verified' ? 0 : 2 ** row.attackerBits
      assert.ok(Math.abs(row.dropBefore - counted / strength) < 1e-9, where)
      if (row.kind === 'fact-missing') assert.equal(row.dropAfter, 0, `${where}: disputes cancel`)
    }
    const capacity = QUICK.spam.maxReportsPerOracle
    const byPolicy = Object.fromEntries(result.wash.map((row) => [row.policy, row]))
    // Nobody counts the cheater's praise: it fills the free slots, then cannot evict the report.
    const verified = byPolicy.verified!
    assert.equal(verified.survived, true)
    assert.equal(verified.selfReports, capacity + 1)
    // capacity − 1 fill the pool; one more may displace an equal self-report on the id tie-break
    assert.ok(verified.admittedSelfReports >= capacity - 1 && verified.admittedSelfReports <= capacity)
    assert.equal(verified.scoreWashed, verified.scoreReported)
    assert.equal(verified.resendStatus, 'duplicate')
    // Counted praise competes on work: capacity − 1 fill the pool, one more evicts the report,
    // and every one of them costs the cheater its work.
    const all = byPolicy.all!
    assert.equal(all.survived, false)
    assert.equal(all.selfReports, capacity)
    assert.equal(all.resendStatus, 'low-pow')
    assert.ok(all.requiredBits > QUICK.spam.washBits)
    assert.ok(all.scoreWashed < all.scoreReported, 'washing with counted reports costs more than the report')
  })

  it('scenario 3 counts are consistent and the floor does not add churn', () => {
    for (const run of result.churn) {
      assert.equal(run.attempts, QUICK.churn.stream, run.mode)
      assert.equal(run.added, run.evicted, `${run.mode}: a full pool evicts one per admission`)
      assert.ok(run.added + run.lowPow <= run.attempts, run.mode)
      const admitted = run.survival.reduce((sum, s) => sum + s.admitted, 0)
      assert.equal(admitted, run.added, run.mode)
    }
    const [withFloor, without] = ['rolling floor', 'no floor'].map(
      (m) => result.churn.find((r) => r.mode === m)!,
    )
    assert.ok(withFloor!.evicted <= without!.evicted)
  })

  it('writes the document and its charts from those figures', () => {
    for (const name of [
      'sybil-held',
      'sybil-top',
      'sybil-share',
      'spam-score',
      'churn-evictions',
      'churn-floor',
    ]) {
      assert.ok(markdown.includes(`img/${name}.svg`), name)
      const svg = readFileSync(join(out, 'img', `${name}.svg`), 'utf8')
      assert.match(svg, /^<svg [^>]*>[\s\S]*<path d="M[\s\S]*<\/svg>\n$/, name)
    }
    const churn = result.churn[0]!
    assert.ok(
      markdown.includes(`| ${churn.attempts} | ${churn.added} | ${churn.lowPow} | ${churn.evicted} |`),
    )
    assert.ok(existsSync(join(out, 'sybil.md')))
  })
})
