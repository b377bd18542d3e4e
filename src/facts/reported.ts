/**
 * Whether the mempool holds a report that covers a conflict: then its evidence no longer needs
 * pinning in the fact pool (the report carries it, and is kept and synced as every report).
 */
import type { Mempool } from '../mempool/index.ts'
import { specOf } from '../protocol/index.ts'
import type { FactConflict } from './fact-pool.ts'

/**
 * A verified report against the conflict's oracle proving the same thing: of the kind of the
 * report the conflict supports, with the same `evidenceKey` (the capability that equivocated,
 * the commitment that was broken).
 */
export function reportedIn(mempool: Mempool): (conflict: FactConflict) => boolean {
  return (conflict) => {
    const wanted = conflict.report.content
    const spec = specOf(wanted)
    const key = spec.evidenceKey?.(wanted)
    // The oracle's own reports only: bounded by `maxReportsPerOracle`, whatever the pool holds.
    const oracle = mempool.oracles.get(conflict.oracle)
    if (!oracle || key === undefined) return false
    for (const [, entry] of oracle.reports.strongestFirst()) {
      const content = entry.message.content
      if (entry.verdict === 'verified' && content.type === wanted.type && spec.evidenceKey?.(content) === key)
        return true
    }
    return false
  }
}
