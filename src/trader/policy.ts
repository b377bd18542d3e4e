/**
 * The trader's reputation policy (design §8) and the ranking of oracles it gives: which report
 * kinds count, whether subjective verdicts and disputed reports count, the minimum identity
 * strength and whether only domain-verified oracles are listed. Pure: the caller passes the
 * messages it collected and the clock; every report is re-verified here, never taken on a
 * node's word.
 */
import Type from 'typebox'
import {
  type Dispute,
  type OracleCapability,
  type OracleId,
  REPORT_KIND_TYPES,
  type Report,
  type ReportType,
  specOf,
  strict,
  validateSchema,
  verifyDispute,
  verifyReportEvidence,
  workOf,
  workToBits,
} from '../protocol/index.ts'
import { TraderError, TraderErrorCode } from './errors.ts'

// The live list of kinds: a kind registered later is a kind a policy may name.
const Kind = Type.Unsafe<ReportType>({ type: 'string', enum: REPORT_KIND_TYPES })

/** Schema of a policy file; every field optional, defaults in {@link defaultPolicy}. */
export const ReputationPolicy = Type.Object(
  {
    kinds: Type.Optional(Type.Array(Kind, { uniqueItems: true, description: 'kinds that count' })),
    subjective: Type.Optional(
      Type.Boolean({ description: 'count reports whose evidence is for people to judge' }),
    ),
    disputed: Type.Optional(
      Type.Boolean({ description: 'count reports the oracle answered with a valid dispute' }),
    ),
    minStrengthBits: Type.Optional(
      Type.Number({ minimum: 0, maximum: 256, description: 'hide oracles weaker than this (log2 of work)' }),
    ),
    minReportBits: Type.Optional(
      Type.Integer({ minimum: 0, maximum: 256, description: 'ignore reports with less work than this' }),
    ),
    domainVerifiedOnly: Type.Optional(Type.Boolean({ description: 'list only domain-verified oracles' })),
  },
  { ...strict, $id: 'ReputationPolicy' },
)
export type ReputationPolicyInput = Type.Static<typeof ReputationPolicy>
export type Policy = Required<ReputationPolicyInput>

/**
 * Verified kinds count fully, subjective verdicts and disputed reports do not (design §8); no
 * floor on strength or report work; every oracle listed, domain-verified or not.
 */
export const defaultPolicy: Policy = {
  // Every kind, registered ones included, whenever the default is read.
  get kinds() {
    return [...REPORT_KIND_TYPES] as ReportType[]
  },
  subjective: false,
  disputed: false,
  minStrengthBits: 0,
  minReportBits: 0,
  domainVerifiedOnly: false,
}

/** Parses a policy file's text. Throws `POLICY_INVALID` naming the path at fault. */
export function parsePolicy(text: string, source = 'policy'): Policy {
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch (error) {
    throw new TraderError(
      TraderErrorCode.POLICY_INVALID,
      `${source} is not JSON: ${(error as Error).message}`,
    )
  }
  const checked = validateSchema<ReputationPolicyInput>(ReputationPolicy, value, 'policy')
  if (!checked.ok) {
    throw new TraderError(TraderErrorCode.POLICY_INVALID, `${source}: ${checked.error.message}`, {
      path: checked.error.details.path,
    })
  }
  return { ...defaultPolicy, ...checked.value }
}

/** A report as collected, with the dispute that answered it if one was seen. */
export interface CollectedReport {
  report: Report
  id: string
  bits: number
  dispute?: Dispute | undefined
}

/** What the trader knows of one oracle: its latest ad, capabilities and the reports against it. */
export interface OracleFacts {
  ad: OracleId
  capabilities: readonly OracleCapability[]
  reports: readonly CollectedReport[]
  /** The domain of a verified manifest pointing back at this oracle, if any. */
  domain?: string | undefined
}

/** How one report stands under the policy, and why. */
export interface ReportStanding {
  id: string
  type: ReportType
  bits: number
  /** The trader's own verdict on the evidence. */
  verdict: 'verified' | 'refuted' | 'subjective' | 'disputed'
  counts: boolean
  /** Why it does not count, when it does not. */
  reason?: string
}

/** One oracle in the ranking, with the numbers and reasons behind its place. */
export interface RankedOracle {
  key: string
  tags: readonly string[]
  domain?: string | undefined
  identityBits: number
  capabilityBits: number[]
  strength: bigint
  score: bigint
  reports: ReportStanding[]
  /** Why the policy hides it, when it does. */
  excluded?: string
}

/** The verdict of a report under the protocol verifier and the dispute rule, at time `now`. */
export function judgeReport(
  collected: CollectedReport,
  capabilities: readonly OracleCapability[],
  now: number,
) {
  const evidence = verifyReportEvidence(collected.report, { now })
  if (!evidence.ok) return { verdict: 'refuted' as const, reason: evidence.error.message }
  if (collected.dispute) {
    const held = disputedCapability(collected.report, capabilities)
    if (verifyDispute(collected.report, collected.dispute, held).ok) return { verdict: 'disputed' as const }
  }
  return { verdict: evidence.value }
}

/** The held capability ad a dispute of `report` is checked against: the one its commitment names (fact-missing). */
export function disputedCapability(
  report: Report,
  capabilities: readonly OracleCapability[],
): OracleCapability | undefined {
  const content = report.content
  const disputable = specOf(content).dispute
  const key = disputable?.commitment(content).request.capability
  return capabilities.find((capability) => capability.capabilityKey === key)
}

/** Standing of one report under `policy`. */
export function reportStanding(
  collected: CollectedReport,
  capabilities: readonly OracleCapability[],
  policy: Policy,
  now: number,
): ReportStanding {
  const type = collected.report.content.type
  const judged = judgeReport(collected, capabilities, now)
  const base = { id: collected.id, type, bits: collected.bits, verdict: judged.verdict }
  const reason =
    judged.verdict === 'refuted'
      ? judged.reason
      : !policy.kinds.includes(type)
        ? `the policy does not count ${type} reports`
        : judged.verdict === 'subjective' && !policy.subjective
          ? 'the policy counts only verified evidence'
          : judged.verdict === 'disputed' && !policy.disputed
            ? 'the oracle showed the fact it owed'
            : collected.bits < policy.minReportBits
              ? `less work than the policy's ${policy.minReportBits} bits`
              : undefined
  return reason === undefined ? { ...base, counts: true } : { ...base, counts: false, reason }
}

/**
 * Ranks oracles by score under `policy`, highest first (ties: strength, then key). Oracles the
 * policy hides are returned after the others with `excluded` set, so a tool can say why.
 */
export function rankOracles(oracles: readonly OracleFacts[], policy: Policy, now: number): RankedOracle[] {
  const ranked = oracles.map((facts) => rankOne(facts, policy, now))
  return ranked.sort(
    (a, b) =>
      Number(a.excluded !== undefined) - Number(b.excluded !== undefined) ||
      compareBig(b.score, a.score) ||
      compareBig(b.strength, a.strength) ||
      (a.key < b.key ? -1 : 1),
  )
}

function rankOne(facts: OracleFacts, policy: Policy, now: number): RankedOracle {
  const capabilityBits = facts.capabilities.map((capability) => capability.pow.bits)
  let strength = workOf(facts.ad.pow.bits)
  for (const bits of capabilityBits) strength += workOf(bits)
  const reports = facts.reports.map((report) => reportStanding(report, facts.capabilities, policy, now))
  let score = strength
  for (const report of reports) if (report.counts) score -= workOf(report.bits)
  const excluded =
    workToBits(strength) < policy.minStrengthBits
      ? `strength ${workToBits(strength).toFixed(2)} bits is under the policy's ${policy.minStrengthBits}`
      : policy.domainVerifiedOnly && facts.domain === undefined
        ? 'not domain-verified'
        : undefined
  return {
    key: facts.ad.pubkey,
    tags: facts.ad.tags,
    ...(facts.domain !== undefined && { domain: facts.domain }),
    identityBits: facts.ad.pow.bits,
    capabilityBits,
    strength,
    score,
    reports,
    ...(excluded !== undefined && { excluded }),
  }
}

function compareBig(a: bigint, b: bigint): number {
  return a === b ? 0 : a < b ? -1 : 1
}
