/**
 * Building report drafts of every kind from their evidence, and the check that runs before any
 * work is spent on them: the trader never mines or posts a report the protocol verifier would
 * reject. Pure.
 */
import {
  type Commitment,
  DEFAULT_CLOCK_SKEW_SECONDS,
  type Draft,
  type EvidenceVerdict,
  type Fact,
  type OracleCapability,
  type OracleId,
  type PublicKey,
  type Report,
  type ReportContent,
  specOf,
  validateMessage,
  verifyReportEvidence,
} from '../protocol/index.ts'
import { TraderError, TraderErrorCode } from './errors.ts'

/** Content of a `fact-conflict` report: two facts of one capability, or of two oracles' capabilities. */
export function factConflict(
  capability: OracleCapability,
  facts: readonly [Fact, Fact],
  counterCapability?: OracleCapability,
): ReportContent {
  return {
    type: 'fact-conflict',
    capability,
    facts: [facts[0], facts[1]],
    ...(counterCapability && { counterCapability }),
  }
}

/** Content of a `fact-missing` report: a commitment whose deadline passed without the fact. */
export function factMissing(capability: OracleCapability, commitment: Commitment): ReportContent {
  return { type: 'fact-missing', capability, commitment }
}

/** Content of an `ad-collision` report: two different ads of one entity with the same `seqNo`. */
export function adCollision(
  ads: readonly [OracleId, OracleId] | readonly [OracleCapability, OracleCapability],
): ReportContent {
  return { type: 'ad-collision', ads: [ads[0], ads[1]] } as ReportContent
}

/**
 * Content of a `fact-disagrees-with-public` report: the oracle's capability that signed the
 * fact, the fact, links to public sources, a comment.
 */
export function factDisagreesWithPublic(
  capability: OracleCapability,
  fact: Fact,
  links: string[],
  comment: string,
): ReportContent {
  return { type: 'fact-disagrees-with-public', capability, fact, links, comment }
}

/** Content of a `free-form` report. */
export function freeForm(comment: string, links: string[] = []): ReportContent {
  return { type: 'free-form', comment, links }
}

/** The unsigned, unmined report against `oracle`; signed later when `reporter` is given. */
export function reportDraft(oracle: string, content: ReportContent, reporter?: PublicKey): Draft<Report> {
  return { kind: 'report', oracle, content, ...(reporter && { reporter }) }
}

/**
 * Checks a draft before any work is spent: the report's schema (limits included) and its
 * evidence under the protocol verifier at time `now`, with the clock skew the nodes tolerate
 * (a deadline must have passed by more than that, or they refuse the report). Returns the
 * verdict nodes will reach; throws `REPORT_REFUSED` saying what would be rejected.
 */
export function checkReportDraft(
  draft: Draft<Report>,
  now: number,
  toleranceSeconds = DEFAULT_CLOCK_SKEW_SECONDS,
): EvidenceVerdict {
  const probe = {
    ...draft,
    pow: { bits: 0, nonce: '0'.repeat(16), hash: '0'.repeat(64) },
    ...(draft.reporter && { signature: '0'.repeat(128) }),
  }
  const shape = validateMessage(probe, 'report')
  if (!shape.ok) throw refused(shape.error.message, shape.error.details.path, shape.error.code)
  const evidence = verifyReportEvidence(shape.value as Report, { now, toleranceSeconds })
  if (!evidence.ok) throw refused(evidence.error.message, evidence.error.details.path, evidence.error.code)
  return evidence.value
}

function refused(message: string, path: unknown, code: string): TraderError {
  return new TraderError(
    TraderErrorCode.REPORT_REFUSED,
    `the protocol verifier would reject this report: ${message} [${code}]`,
    { path: typeof path === 'string' ? path : undefined, protocolCode: code },
  )
}

/**
 * What a report is about, independent of who files it and with how much work: its type and
 * the ids of its evidence (unordered). Two reports with the same subject report the same thing.
 */
export function reportSubject(oracle: string, content: ReportContent): string {
  const ids = specOf(content).evidenceIds(content)
  return `${oracle}:${content.type}:${[...ids].sort().join(',')}`
}
