/**
 * What the trader store knows of each oracle: its latest ad, latest capability ads, the reports
 * against it with the dispute that answers each (the first that verifies), and the domain of a
 * manifest the trader verified itself. The input of the ranking (policy.ts).
 */
import { type Dispute, manifestDomainOf, verifyDispute } from '../protocol/index.ts'
import type { MessageStore } from './message-store.ts'
import { type CollectedReport, disputedCapability, type OracleFacts } from './policy.ts'

/** Filters of the oracle listing. */
export interface OracleFilter {
  /** A tag of the ad or of an active capability. */
  tag?: string
  /** Text in the question of an active capability (case-insensitive). */
  question?: string
}

/** What the store knows of each oracle matching `filter`. */
export function oracleFactsOf(store: MessageStore, filter: OracleFilter = {}): OracleFacts[] {
  const disputes = new Map<string, Dispute[]>()
  for (const { message } of store.list('dispute')) {
    const list = disputes.get(message.report) ?? []
    list.push(message)
    disputes.set(message.report, list)
  }
  const manifests = store.list('manifest')
  const question = filter.question?.toLowerCase()
  const facts: OracleFacts[] = []
  for (const { message: ad } of store.latest('oracle')) {
    const capabilities = store.latest('capability', { oracle: ad.pubkey }).map((stored) => stored.message)
    const active = capabilities.filter((capability) => !capability.off)
    if (
      filter.tag !== undefined &&
      !ad.tags.includes(filter.tag) &&
      !active.some((c) => c.tags.includes(filter.tag!))
    )
      continue
    if (question !== undefined && !active.some((c) => c.question.toLowerCase().includes(question))) continue
    const reports = store.list('report', { oracle: ad.pubkey }).map(({ id, message }): CollectedReport => {
      const candidates = disputes.get(id) ?? []
      const held = disputedCapability(message, capabilities)
      const dispute = candidates.find((d) => verifyDispute(message, d, held).ok) ?? candidates[0]
      return { report: message, id, bits: message.pow.bits, ...(dispute && { dispute }) }
    })
    // Domain-verified: a manifest the trader fetched itself from the domain's well-known URL,
    // which is exactly where the ad points.
    const domain = manifests.find(({ message, own }) => {
      if (!own || message.oracle.pubkey !== ad.pubkey) return false
      return manifestDomainOf(ad.manifestUri) === message.domain
    })?.message.domain
    facts.push({ ad, capabilities, reports, ...(domain !== undefined && { domain }) })
  }
  return facts
}
