/**
 * Messages for sync tests, real, signed and mined (8 bits), built like bench/admission-messages.ts;
 * both the in-memory and the libp2p sync tests hold and fetch them.
 */
import { build, type SetSpec } from '../../bench/admission-messages.ts'

export const LOW = { oracle: 8, capability: 8, report: 8, offer: 8 }

/** Messages `from … to − 1` of each kind: ad i, capability i of oracle i, report on i, offer on capability i. */
export function messages(
  from: number,
  to: number,
  kinds = { capabilities: true, reports: true, offers: true },
): unknown[] {
  const out: unknown[] = []
  const specs: SetSpec[] = [{ kind: 'oracle', keys: 'sync', bits: 8, count: to }]
  if (kinds.capabilities) specs.push({ kind: 'capability', oracles: 'sync', bits: 8, count: to })
  if (kinds.reports) specs.push({ kind: 'report', oracles: 'sync', bits: 8, count: to })
  if (kinds.offers) specs.push({ kind: 'offer', bits: 8, count: to })
  for (const spec of specs) for (let i = from; i < to; i++) out.push(build(spec, i))
  return out
}
