/**
 * Whether the mempool holds a report that covers a conflict: then its evidence no longer needs
 * pinning in the fact pool (the report carries it, and is kept and synced as every report).
 */
import type { Mempool } from '../mempool/mempool.ts'
import { messageId } from '../protocol/message.ts'
import type { FactConflict } from './fact-pool.ts'

/** A verified report against the conflict's oracle proving the same thing of the same capability. */
export function reportedIn(mempool: Mempool): (conflict: FactConflict) => boolean {
  return (conflict) => {
    // The oracle's own reports only: bounded by `maxReportsPerOracle`, whatever the pool holds.
    const oracle = mempool.oracles.get(conflict.oracle)
    if (!oracle) return false
    for (const [, entry] of oracle.reports.strongestFirst()) {
      if (entry.verdict !== 'verified') continue
      const content = entry.message.content
      if (
        conflict.type === 'equivocation' &&
        content.type === 'fact-conflict' &&
        content.capability.capabilityKey === conflict.capability
      )
        return true
      if (
        conflict.type === 'broken-commitment' &&
        content.type === 'fact-missing' &&
        messageId(content.commitment) === conflict.evidence[0]
      )
        return true
    }
    return false
  }
}
