/**
 * docs/sybil.md, scenario 2: score drop against the attacker's budget per policy, the honest
 * reporter's cost for the same drop, and the washing of a verified report.
 */
import { SCALE_BITS } from './config.ts'
import type { WorkCost } from './cost.ts'
import { bitsText, chartLink, costText, pct, type Section, table } from './doc-format.ts'
import type { ReportSpamConfig, SpamRow, WashRow } from './report-spam.ts'
import { lineChart } from './svg-chart.ts'

export function spamSection(
  config: ReportSpamConfig,
  rows: SpamRow[],
  wash: WashRow[],
  cost: WorkCost,
): Section {
  const strengthBits = Math.log2(2 ** config.oracleBits + 2 ** config.minBits.capability)
  const find = (kind: SpamRow['kind'], policy: SpamRow['policy'], bits: number) =>
    rows.find((r) => r.kind === kind && r.policy === policy && r.attackerBits === bits)!
  const series = (name: string, kind: SpamRow['kind'], policy: SpamRow['policy'], after = false) => ({
    name,
    points: config.attackerBits.map((bits) => {
      const row = find(kind, policy, bits)
      // Score left, as a share of strength, clipped at −100% so the chart stays readable.
      return [bits + SCALE_BITS, Math.max(-1, 1 - (after ? row.dropAfter : row.dropBefore))] as [
        number,
        number,
      ]
    }),
  })
  const charts = new Map([
    [
      'spam-score.svg',
      lineChart({
        title: 'Honest oracle’s score under report spam',
        xLabel: `attacker work W, bits (the oracle's strength is ${bitsText(strengthBits + SCALE_BITS)} bits)`,
        yLabel: 'score left, share of strength (clipped at −100%)',
        yMin: -1,
        yMax: 1.05,
        yFormat: (v) => pct(v, 0),
        series: [
          series('free-form, policy "all"', 'free-form', 'all'),
          series('free-form, policy "verified"', 'free-form', 'verified'),
          series('fact-missing, before disputes', 'fact-missing', 'verified'),
          series('fact-missing, after disputes', 'fact-missing', 'verified', true),
        ],
      }),
    ],
  ])
  const spamTable = table(
    [
      'W (bits)',
      'W / strength',
      'cost of W here',
      'free-form, "verified"',
      'free-form, "all"',
      'fact-missing, before disputes',
      'fact-missing, after disputes',
      'honest fact-conflict (either policy)',
    ],
    config.attackerBits.map((bits) => [
      bits + SCALE_BITS,
      (2 ** bits / 2 ** strengthBits).toPrecision(2),
      costText(2 ** bits, cost),
      pct(find('free-form', 'verified', bits).dropBefore),
      pct(find('free-form', 'all', bits).dropBefore),
      pct(find('fact-missing', 'verified', bits).dropBefore),
      pct(find('fact-missing', 'verified', bits).dropAfter),
      pct(find('honest fact-conflict', 'verified', bits).dropBefore),
    ]),
  )
  const washTable = table(
    [
      'policy',
      'self-reports filed (admitted)',
      'verified report',
      'cheater work / report work',
      'score: clean → reported → washed',
      'reporter resends',
      'then needs',
      'refiled',
    ],
    wash.map((w) => [
      `"${w.policy}"`,
      `${w.selfReports} (${w.admittedSelfReports})`,
      w.survived ? 'still held' : 'evicted',
      `${(w.selfReportWork / w.honestReportWork).toFixed(0)}×`,
      `${pct(w.scoreClean)} → ${pct(w.scoreReported)} → ${pct(w.scoreWashed)}`,
      w.resendStatus,
      `${w.requiredBits + SCALE_BITS} bits (${2 ** (w.requiredBits - config.washBits)}× the first)`,
      w.refileStatus,
    ]),
  )
  const drops = (kind: SpamRow['kind'], policy: SpamRow['policy']) =>
    rows.filter((r) => r.kind === kind && r.policy === policy)
  const perWork = (r: SpamRow) => (r.dropBefore * 2 ** strengthBits) / 2 ** r.attackerBits
  // "1.000" when every budget gives the same ratio, "0.998–1.000" otherwise.
  const span = (values: number[]) => {
    const [lo, hi] = [Math.min(...values).toFixed(3), Math.max(...values).toFixed(3)]
    return lo === hi ? lo : `${lo}–${hi}`
  }
  const verifiedWash = wash.find((w) => w.policy === 'verified')!
  const markdown = [
    '## Scenario 2 — Report spam',
    '',
    `An honest oracle of ${bitsText(strengthBits + SCALE_BITS)} bits of strength (ad and one capability). An attacker with budget W files ${config.reportsPerAttack} reports of W/${config.reportsPerAttack} each: \`free-form\` (subjective: anyone can write one) or \`fact-missing\` (machine-checked: the attacker asked the oracle for real commitments, received the facts privately, and reports them missing after the deadline; the oracle answers each with a \`dispute\` carrying the fact, which needs no PoW). Policy "verified" is the node default (\`countSubjectiveReports: false\`), "all" counts every report. For comparison, an honest reporter files one \`fact-conflict\` (two facts the oracle signed with different answers) of the same work against an oracle that did cheat. Drops are in % of the oracle's strength; above 100% the score is negative.`,
    '',
    chartLink('spam-score.svg', 'score left against attacker work'),
    '',
    spamTable,
    '',
    `- Under "verified", free-form spam moves the score by at most ${pct(Math.max(...drops('free-form', 'verified').map((r) => r.dropBefore)))}, whatever W.`,
    `- Under "all", every unit of the attacker's work removes ${span(drops('free-form', 'all').map(perWork))} units of score: the same price as an honest reporter's (${span(drops('honest fact-conflict', 'all').map(perWork))}). Spam then costs exactly what the oracle's identity cost; it is cheap against a weak identity.`,
    `- fact-missing reports count until the oracle disputes them; after the disputes the largest remaining drop is ${pct(Math.max(...drops('fact-missing', 'verified').map((r) => r.dropAfter)))}. The attack costs W, the defence one signed fact per report: the damage lasts as long as the oracle takes to answer.`,
    '',
    `### Washing a verified report out of the report pool`,
    '',
    `A cheater with one verified \`fact-conflict\` of ${config.washBits + SCALE_BITS} bits against it files free-form reports about itself, each of ${config.washBits + 1 + SCALE_BITS} bits, until the per-oracle report pool (${config.maxReportsPerOracle} entries) drops the verified one, or it has filed one more than the pool holds. The pool ranks the reports that count under the node's policy above those that do not, then by work. Then the honest reporter resends the report.`,
    '',
    washTable,
    '',
    verifiedWash.survived
      ? `- Under "verified" the washing fails: of ${verifiedWash.selfReports} self-reports (${(verifiedWash.selfReportWork / verifiedWash.honestReportWork).toFixed(0)}× the reporter's work) the pool admitted ${verifiedWash.admittedSelfReports}: once it was full, a self-report could only displace another self-report, never the report that counts, whatever its work. The score stays at ${pct(verifiedWash.scoreWashed)} and the reporter's resend is a ${verifiedWash.resendStatus}.`
      : `- Under "verified" the washing works: ${verifiedWash.selfReports} self-reports, ${(verifiedWash.selfReportWork / verifiedWash.honestReportWork).toFixed(0)}× the reporter's work, restore the score to ${pct(verifiedWash.scoreWashed)}; the reporter must then come back with ${verifiedWash.requiredBits + SCALE_BITS} bits (the pool's floor and weakest report), ${2 ** (verifiedWash.requiredBits - config.washBits)}× the first report.`,
    `- Under "all" the cheater's own reports count against it: they can push the verified report out (all of them count, so work decides), but leave the cheater at ${pct(wash.find((w) => w.policy === 'all')!.scoreWashed)} of its strength, against ${pct(wash.find((w) => w.policy === 'all')!.scoreReported)} with the report.`,
    '',
  ].join('\n')
  return { markdown, charts }
}
