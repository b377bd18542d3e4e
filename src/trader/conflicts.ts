/**
 * Conflicts the nodes caught in their fact pools (`GET /facts/conflicts`): each carries the
 * report it supports. A node is not trusted for them: every report content is checked by the
 * protocol verifier here, and what does not verify is set aside with the node that sent it.
 */
import type { NodeClient } from '../client/index.ts'
import {
  type EvidenceVerdict,
  type Report,
  type ReportContent,
  validateMessage,
  verifyReportEvidence,
} from '../protocol/index.ts'
import { reportSubject } from './reports.ts'

/** A conflict a node holds, its report checked. */
export interface NodeConflict {
  type: string
  oracle: string
  content: ReportContent
  /** `verified` once the report verifies now; `pending` before (a commitment's deadline). */
  verdict: EvidenceVerdict | 'pending'
  /** What the report is about (for de-duplication with reports already filed). */
  subject: string
  nodes: string[]
}

/** Every conflict the nodes hold, de-duplicated, with the nodes whose answers did not verify. */
export async function collectConflicts(
  nodes: readonly NodeClient[],
  now: number,
): Promise<{ conflicts: NodeConflict[]; rejected: { node: string; reason: string }[] }> {
  const bySubject = new Map<string, NodeConflict>()
  const rejected: { node: string; reason: string }[] = []
  for (const node of nodes) {
    let body: unknown
    try {
      const response = await node.get('facts/conflicts')
      if (response.status !== 200) throw new Error(`answered ${response.status}`)
      body = response.body
    } catch (error) {
      rejected.push({ node: node.url, reason: (error as Error).message })
      continue
    }
    const items = (body as { items?: unknown } | null)?.items
    if (!Array.isArray(items)) {
      rejected.push({ node: node.url, reason: 'GET /facts/conflicts did not return { items: [...] }' })
      continue
    }
    for (const item of items) {
      const checked = checkConflict(item, now)
      if ('reason' in checked) {
        rejected.push({ node: node.url, reason: checked.reason })
        continue
      }
      const held = bySubject.get(checked.subject)
      if (held) held.nodes.push(node.url)
      else bySubject.set(checked.subject, { ...checked, nodes: [node.url] })
    }
  }
  return { conflicts: [...bySubject.values()], rejected }
}

function checkConflict(item: unknown, now: number): Omit<NodeConflict, 'nodes'> | { reason: string } {
  const { type, report } = (item ?? {}) as {
    type?: unknown
    report?: { oracle?: unknown; content?: unknown }
  }
  const probe = {
    kind: 'report',
    oracle: report?.oracle,
    content: report?.content,
    pow: { bits: 0, nonce: '0'.repeat(16), hash: '0'.repeat(64) },
  }
  const shape = validateMessage(probe, 'report')
  if (!shape.ok) return { reason: `a conflict’s report is malformed: ${shape.error.message}` }
  const { oracle, content } = shape.value as Report
  const evidence = verifyReportEvidence(shape.value as Report, { now })
  // A fact-missing report waits for its deadline; anything else must verify now.
  const waiting =
    !evidence.ok &&
    content.type === 'fact-missing' &&
    evidence.error.details.path === '/content/commitment/deadline'
  if (!evidence.ok && !waiting)
    return { reason: `a conflict’s report does not verify: ${evidence.error.message}` }
  return {
    type: typeof type === 'string' ? type : content.type,
    oracle,
    content,
    verdict: evidence.ok ? evidence.value : 'pending',
    subject: reportSubject(oracle, content),
  }
}
