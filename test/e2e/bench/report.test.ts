/**
 * The performance report's generator, on its cheapest benchmark: figures come from the
 * benchmark's JSON, goals of benchmarks that did not run say so instead of showing a number.
 */
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'node:test'

test('bench/report.ts --only store writes the store figures and marks the rest not run', () => {
  const dir = mkdtempSync(join(tmpdir(), 'mega-report-'))
  try {
    const out = join(dir, 'performance.md')
    execFileSync(process.execPath, ['bench/report.ts', '--quick', '--only', 'store', '--out', out], {
      stdio: 'ignore',
    })
    const doc = readFileSync(out, 'utf8')
    assert.match(doc, /^# Performance/)
    assert.match(doc, /## Machine\n\n- CPU: .+, \d+ cores/)
    assert.match(doc, /\| one transaction per admission, `synchronous=NORMAL` \(WAL\) \| \d+ µs \|/)
    assert.match(doc, /restore \(load, rebuild, tidy\) of 1,000 entries \| \d+ ms/)
    assert.equal(
      doc.match(/\| not run \|/g)?.length,
      15,
      'every goal belongs to a benchmark that did not run',
    )
    assert.ok(doc.includes('`node bench/store.ts --json --n 1000`'))
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
})
