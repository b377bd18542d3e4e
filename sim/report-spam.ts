/**
 * Scenario 2 — Report spam. An attacker with work budget W files reports against an honest
 * oracle; we measure the oracle's score drop under the two reputation policies a trader (or
 * node) can take: count verified kinds only, or count every report. Next to it, what an honest
 * reporter pays for the same drop against an oracle that really cheated, and what a cheater
 * pays to wash a verified report out of its bounded report pool.
 *
 * All messages are real and mined; every number is read back from the real Mempool.
 */
import { Mempool } from '../src/mempool/mempool.ts'
import type { MempoolOptions } from '../src/mempool/options.ts'
import { admitValue } from '../src/mempool/pipeline.ts'
import type { Message, Report, ReportContent } from '../src/protocol/messages/index.ts'
import { commitment, fact } from '../test/support/messages.ts'
import { mineCapability, mineOracleAd, mineReport, type SimKey, simKey } from './world.ts'

export type Policy = 'verified' | 'all'
const POLICIES: Policy[] = ['verified', 'all']
export type SpamKind = 'free-form' | 'fact-missing'

export interface ReportSpamConfig {
  seed: string
  minBits: MempoolOptions['minBits']
  /** Bits of the target oracle's ad (its capability adds the capability minimum). */
  oracleBits: number
  /** Attacker budgets, bits of total work. */
  attackerBits: number[]
  /** Reports each budget is split into (a power of two). */
  reportsPerAttack: number
  /** Bits of the honest verified report the cheater tries to wash out. */
  washBits: number
  maxReportsPerOracle: number
}

export interface SpamRow {
  kind: SpamKind | 'honest fact-conflict'
  policy: Policy
  attackerBits: number
  /** Score drop / the oracle's strength, once the reports are in. */
  dropBefore: number
  /** The same after the oracle answered every fact-missing report with a dispute. */
  dropAfter: number
  admitted: number
}

export interface WashRow {
  policy: Policy
  /** Self-reports (free-form, one bit stronger) the cheater filed until the verified one was gone, or all of them. */
  selfReports: number
  /** How many of them the pool admitted. */
  admittedSelfReports: number
  /** Whether the verified report was still held after the washing. */
  survived: boolean
  selfReportWork: number
  honestReportWork: number
  /** Score / strength before the honest report, with it, and after the washing. */
  scoreClean: number
  scoreReported: number
  scoreWashed: number
  /** What the pool answered when the reporter resent the same report, and the bits it then asked for. */
  resendStatus: string
  requiredBits: number
  /** Status of the report re-mined at the required bits. */
  refileStatus: string
}

interface Target {
  key: SimKey
  capabilityKey: SimKey
  messages: Message[]
  capability: Extract<ReportContent, { type: 'fact-missing' }>['capability']
}

function buildTarget(config: ReportSpamConfig, label: string): Target {
  const key = simKey('ed25519', config.seed, label, 0)
  const capabilityKey = simKey('bip340', config.seed, `${label}/capability`, 0)
  const ad = mineOracleAd(key, config.oracleBits, label)
  const capability = mineCapability(key, capabilityKey, config.minBits.capability, label)
  return { key, capabilityKey, messages: [ad, capability], capability }
}

/** A pool holding `target`, under `policy`, with a clock that moves one second per message. */
function poolFor(config: ReportSpamConfig, policy: Policy, target: Target) {
  const clock = { now: 1_800_000_000 }
  const pool = new Mempool(
    {
      minBits: config.minBits,
      countSubjectiveReports: policy === 'all',
      maxReportsPerOracle: config.maxReportsPerOracle,
    },
    { now: () => clock.now },
  )
  const admit = (message: unknown) => {
    clock.now += 1
    return admitValue(pool, message).admission
  }
  for (const message of target.messages) admit(message)
  const oracle = pool.oracles.get(target.key.publicKey)!
  const ratio = () => Number(oracle.strength - oracle.penalty) / Number(oracle.strength)
  return { pool, admit, oracle, ratio, clock }
}

function spamReports(config: ReportSpamConfig, target: Target, kind: SpamKind, bits: number): Report[] {
  const count = config.reportsPerAttack
  const each = bits - Math.log2(count)
  const label = `spam/${kind}`
  return Array.from({ length: count }, (_, i) => {
    const content: ReportContent =
      kind === 'free-form'
        ? { type: 'free-form', comment: `this oracle lies (${bits}/${i})`, links: [] }
        : // The honest oracle committed (and delivered the fact privately); the deadline has passed.
          {
            type: 'fact-missing',
            capability: target.capability,
            commitment: commitment(1_700_000_000 + bits * 1000 + i, target.capabilityKey),
          }
    return mineReport(target.key.publicKey, content, each, label)
  })
}

/** Drop in score per attacker budget, kind and policy (and the honest reporter's for comparison). */
export function runReportSpam(config: ReportSpamConfig): SpamRow[] {
  const honest = buildTarget(config, 'target')
  const cheater = buildTarget(config, 'cheater')
  const rows: SpamRow[] = []
  for (const bits of config.attackerBits) {
    for (const kind of ['free-form', 'fact-missing'] as const) {
      const reports = spamReports(config, honest, kind, bits)
      for (const policy of POLICIES) {
        const { admit, ratio } = poolFor(config, policy, honest)
        const ids = reports.map((report) => admit(report)).filter((a) => a.status === 'added')
        const dropBefore = 1 - ratio()
        // The honest oracle answers each fact-missing report with the fact it delivered: no PoW needed.
        if (kind === 'fact-missing') {
          for (const { id } of ids)
            admit({ kind: 'dispute', report: id, fact: fact('home', honest.capabilityKey) })
        }
        rows.push({
          kind,
          policy,
          attackerBits: bits,
          dropBefore,
          dropAfter: 1 - ratio(),
          admitted: ids.length,
        })
      }
    }
    // An honest reporter with real evidence (two signed facts that disagree), the same budget in one report.
    const evidence = conflictReport(cheater, bits, 'honest-reporter')
    for (const policy of POLICIES) {
      const { admit, ratio } = poolFor(config, policy, cheater)
      const added = admit(evidence).status === 'added' ? 1 : 0
      const drop = 1 - ratio()
      rows.push({
        kind: 'honest fact-conflict',
        policy,
        attackerBits: bits,
        dropBefore: drop,
        dropAfter: drop,
        admitted: added,
      })
    }
  }
  return rows
}

function conflictReport(cheater: Target, bits: number, label: string): Report {
  return mineReport(
    cheater.key.publicKey,
    {
      type: 'fact-conflict',
      capability: cheater.capability,
      facts: [fact('home', cheater.capabilityKey), fact('away', cheater.capabilityKey)],
    },
    bits,
    label,
  )
}

/**
 * A cheater with one verified report against it files free-form reports about itself, each one
 * bit stronger, until the pool's per-oracle report limit evicts the verified one (or it has
 * filed one more than the limit).
 */
export function runWashing(config: ReportSpamConfig): WashRow[] {
  const cheater = buildTarget(config, 'washer')
  const evidence = conflictReport(cheater, config.washBits, 'wash/honest')
  const bits = config.washBits + 1
  const selfReports = Array.from({ length: config.maxReportsPerOracle + 1 }, (_, i) =>
    mineReport(
      cheater.key.publicKey,
      { type: 'free-form', comment: `all good here (${i})`, links: [] },
      bits,
      'wash/cheater',
    ),
  )
  return POLICIES.map((policy) => {
    const { pool, admit, ratio } = poolFor(config, policy, cheater)
    const scoreClean = ratio()
    const evidenceId = admit(evidence).id!
    const scoreReported = ratio()
    let filed = 0
    let admitted = 0
    for (const report of selfReports) {
      if (!pool.reports.has(evidenceId)) break
      if (admit(report).status === 'added') admitted++
      filed++
    }
    const survived = pool.reports.has(evidenceId)
    const scoreWashed = ratio()
    const resend = admit(evidence)
    const requiredBits = resend.requiredBits ?? config.washBits
    const refiled = mineReport(cheater.key.publicKey, evidence.content, requiredBits, 'wash/honest')
    return {
      policy,
      selfReports: filed,
      admittedSelfReports: admitted,
      survived,
      selfReportWork: filed * 2 ** bits,
      honestReportWork: 2 ** config.washBits,
      scoreClean,
      scoreReported,
      scoreWashed,
      resendStatus: resend.status,
      requiredBits,
      refileStatus: admit(refiled).status,
    }
  })
}
