/**
 * Disputes (`mega oracle dispute`, `mega oracle serve --auto-dispute`): the oracle looks on
 * nodes for reports against it of a kind a dispute cancels (`fact-missing`) and answers each
 * one it can with the signed fact, as a `Dispute`. The node checks the fact against the report's commitment and the capability
 * the oracle advertised; a valid dispute stops the report counting against the oracle.
 */
import { NodeClient } from '../client/index.ts'
import {
  type Commitment,
  checkAnswer,
  createFact,
  type Dispute,
  findReportKind,
  REPORT_KINDS,
  type Report,
  verifyAttestation,
  verifySignatures,
} from '../protocol/index.ts'
import type { AnswerJournal } from './answer-journal.ts'
import type { ServedCapability } from './endpoint.ts'
import { sleep } from './sleep.ts'

/** A report as a node lists it (`GET /reports`). */
export interface ListedReport {
  id: string
  disputed: boolean
  message: Report
}

/** What happened to one report. */
export interface DisputeOutcome {
  node: string
  report: string
  result: 'disputed' | 'already-disputed' | 'not-ours' | 'not-ready' | 'source-failed' | 'refused'
  /** Why, for the results that are not `disputed`. */
  reason?: string
  /** The answer sent, when disputed. */
  answer?: string
}

/**
 * Every report against `oracle` held by the node (all pages) of a kind a dispute cancels
 * (`ReportKindSpec.dispute`: `fact-missing`).
 */
export async function listMissingReports(client: NodeClient, oracle: string): Promise<ListedReport[]> {
  const reports: ListedReport[] = []
  for (const { type } of REPORT_KINDS.filter((kind) => kind.dispute)) {
    let cursor: string | undefined
    for (let page = 0; page < 1000; page++) {
      const query: Record<string, string> = { oracle, type, limit: '100', ...(cursor && { cursor }) }
      const response = await client.get('reports', query)
      if (response.status !== 200) throw new Error(`${client.url}/reports answered ${response.status}`)
      const body = response.body as { items: ListedReport[]; next?: string }
      reports.push(...body.items)
      if (!body.next) break
      cursor = body.next
    }
  }
  return reports
}

/** Answers one listed report with the signed fact, if this oracle can. */
export async function disputeReport(
  client: NodeClient,
  report: ListedReport,
  capabilities: readonly ServedCapability[],
  journal?: AnswerJournal,
): Promise<DisputeOutcome> {
  const outcome = (
    result: DisputeOutcome['result'],
    extra: Partial<DisputeOutcome> = {},
  ): DisputeOutcome => ({
    node: client.url,
    report: report.id,
    result,
    ...extra,
  })
  if (report.disputed) return outcome('already-disputed')
  const content = report.message.content
  // A listing from a node, not checked by a schema: a kind unknown here is not ours either.
  const disputable = findReportKind(content.type)?.dispute
  if (!disputable) return outcome('not-ours', { reason: `a ${content.type} report` })
  const commitment: Commitment = disputable.commitment(content)
  const served = capabilities.find((entry) => entry.ad.capabilityKey === commitment.request.capability)
  if (!served) return outcome('not-ours', { reason: 'the commitment is not for a capability served here' })
  if (!verifySignatures(commitment).ok || commitment.scheme !== served.ad.capabilityScheme) {
    return outcome('not-ours', { reason: 'the commitment was not signed by this capability’s key' })
  }
  if (!served.source) return outcome('source-failed', { reason: 'the capability has no fact source' })
  let answer: string | undefined
  try {
    answer = await served.source(commitment.request, served.ad)
  } catch (error) {
    return outcome('source-failed', { reason: (error as Error).message })
  }
  if (answer === undefined)
    return outcome('not-ready', { reason: 'the fact source does not know the answer yet' })
  if (!checkAnswer(served.ad, answer).ok)
    return outcome('source-failed', { reason: 'the source answered outside the answers' })
  try {
    await journal?.record(commitment.request, answer)
  } catch (error) {
    return outcome('source-failed', { reason: (error as Error).message })
  }
  const fact = createFact({
    capability: served.ad,
    secretKey: served.secretKey,
    request: commitment.request,
    answer,
  })
  const kept = verifyAttestation(commitment, fact)
  if (!kept.ok) return outcome('refused', { reason: kept.error.message })
  const dispute: Dispute = { kind: 'dispute', report: report.id, fact }
  const response = await client.post('dispute', dispute)
  if (response.status < 300) return outcome('disputed', { answer })
  const problem = (response.body ?? {}) as { code?: string; detail?: string }
  return outcome('refused', {
    reason: `${response.status} ${problem.code ?? ''} ${problem.detail ?? ''}`.trim(),
  })
}

/** Disputes every open `fact-missing` report against `oracle` on every node, once. */
export async function disputeAll(
  nodes: readonly string[],
  oracle: string,
  capabilities: readonly ServedCapability[],
  journal?: AnswerJournal,
): Promise<DisputeOutcome[]> {
  const outcomes: DisputeOutcome[] = []
  for (const url of nodes) {
    const client = new NodeClient({ url })
    for (const report of await listMissingReports(client, oracle)) {
      if (!report.disputed) outcomes.push(await disputeReport(client, report, capabilities, journal))
    }
  }
  return outcomes
}

/**
 * Disputes as reports arrive: a pass now and one per `intervalMs` until `signal` aborts.
 * A failing node is reported through `onError` and tried again next pass.
 */
export async function watchDisputes(options: {
  nodes: readonly string[]
  oracle: string
  /** The capabilities to answer for, or a function returning the current ones. */
  capabilities: readonly ServedCapability[] | (() => readonly ServedCapability[])
  journal?: AnswerJournal
  intervalMs?: number
  signal?: AbortSignal
  onOutcome?: (outcome: DisputeOutcome) => void
  onError?: (error: Error) => void
}): Promise<void> {
  const interval = options.intervalMs ?? 30_000
  while (!options.signal?.aborted) {
    for (const node of options.nodes) {
      try {
        const capabilities =
          typeof options.capabilities === 'function' ? options.capabilities() : options.capabilities
        for (const outcome of await disputeAll([node], options.oracle, capabilities, options.journal)) {
          options.onOutcome?.(outcome)
        }
      } catch (error) {
        options.onError?.(error as Error)
      }
    }
    await sleep(interval, options.signal)
  }
}
