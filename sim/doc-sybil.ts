/**
 * docs/sybil.md, scenario 1: tables per pool and budget, charts against k, and the findings
 * read off the rows (never written by hand: every sentence quotes a computed number).
 */
import { SCALE_BITS } from './config.ts'
import type { WorkCost } from './cost.ts'
import { bitsText, chartLink, costText, pct, realBits, type Section, table } from './doc-format.ts'
import { lineChart } from './svg-chart.ts'
import type { SybilConfig, SybilRow } from './sybil-split.ts'

function groups(rows: SybilRow[]): { pool: string; attackerBits: number; rows: SybilRow[] }[] {
  const out: { pool: string; attackerBits: number; rows: SybilRow[] }[] = []
  for (const row of rows.filter((r) => r.order === 'mixed')) {
    let group = out.find((g) => g.pool === row.pool && g.attackerBits === row.attackerBits)
    if (!group) {
      group = { pool: row.pool, attackerBits: row.attackerBits, rows: [] }
      out.push(group)
    }
    group.rows.push(row)
  }
  return out
}

const best = (rows: SybilRow[], metric: (r: SybilRow) => number) =>
  rows.reduce((top, row) => (metric(row) > metric(top) ? row : top))

/** The sentences of one group: what k = 1 keeps and what the best split keeps, per metric. */
function findings(rows: SybilRow[], topN: number): string[] {
  const one = rows.find((r) => r.k === 1)!
  const held = (r: SybilRow) => r.workKept * r.minedWork
  const mostHeld = best(rows, (r) => r.survivors)
  const mostTop = best(rows, (r) => r.topSlots)
  const mostShare = best(rows, (r) => r.strengthShare)
  const lastAlive = rows.filter((r) => r.survivors === r.built && r.built > 0).at(-1)
  const firstDead = rows.find((r) => r.survivors < r.built)
  const out = [
    `Surviving work: k = 1 keeps ${pct(one.workKept)} of W; no split keeps more (${rows.filter((r) => held(r) > held(one)).length} of ${rows.length} splits do).`,
    `Identities held: k = 1 holds 1; the most is ${mostHeld.survivors} at k = ${mostHeld.k}.`,
    `Top-${topN} slots: k = 1 takes ${one.topSlots}; the best split takes ${mostTop.topSlots} (k = ${mostTop.k}).`,
    `Share of visible strength: k = 1 ${pct(one.strengthShare)}, at most ${pct(mostShare.strengthShare)} (k = ${mostShare.k}, by pushing out ${mostShare.honestDisplaced} weak honest identities instead of ${one.honestDisplaced}).`,
  ]
  const threshold = (r: SybilRow) =>
    r.baselineThresholdBits > 0
      ? `a pool threshold of ${bitsText(r.baselineThresholdBits + SCALE_BITS)} bits`
      : 'a pool with room: only the minimum bits apply'
  if (firstDead && lastAlive) {
    out.push(
      `Every part survives up to k = ${lastAlive.k} (parts of ${bitsText(realBits(lastAlive.minedWork / lastAlive.built))} bits against ${threshold(lastAlive)}); at k = ${firstDead.k} (parts of ${bitsText(realBits(firstDead.minedWork / Math.max(1, firstDead.built)))} bits${firstDead.baselineThresholdBits === 0 ? ', more identities than the pool has room for' : ''}) ${firstDead.survivors} of ${firstDead.built} survive.`,
    )
  } else if (!firstDead) {
    out.push('Every part of every split survives: nothing here is evicted, only the minimum bits apply.')
  }
  return out
}

export function sybilSection(config: SybilConfig, rows: SybilRow[], cost: WorkCost): Section {
  const charts = new Map<string, string>()
  const parts: string[] = []
  const grouped = groups(rows)
  const series = (metric: (r: SybilRow) => number) =>
    grouped.map((g) => ({
      name: `${g.pool.split(' (')[0]}, W = 2^${g.attackerBits + SCALE_BITS}`,
      points: g.rows.map((r) => [r.k, metric(r)] as [number, number]),
    }))
  const xLabel = 'k: identities the attacker splits W into (log scale)'
  charts.set(
    'sybil-held.svg',
    lineChart({
      title: 'Attacker identities held by the pool',
      xLabel,
      yLabel: 'identities held',
      xLog: true,
      series: series((r) => r.survivors),
    }),
  )
  charts.set(
    'sybil-top.svg',
    lineChart({
      title: `Attacker slots in the top ${config.topN} of the ranking`,
      xLabel,
      yLabel: `slots of ${config.topN}`,
      xLog: true,
      yMax: config.topN,
      series: series((r) => r.topSlots),
    }),
  )
  charts.set(
    'sybil-share.svg',
    lineChart({
      title: 'Attacker share of the visible identity strength',
      xLabel,
      yLabel: 'share of held strength',
      xLog: true,
      yFormat: (v) => pct(v, 0),
      series: series((r) => r.strengthShare),
    }),
  )
  for (const group of grouped) {
    const w = group.attackerBits + SCALE_BITS
    parts.push(
      `#### ${group.pool}, attacker W = 2^${w} (${costText(2 ** group.attackerBits, cost)} on this machine)`,
      '',
      table(
        [
          'k',
          'bits per identity',
          'built',
          'held',
          'held (attacker last)',
          'honest pushed out',
          'share of strength',
          'work kept',
          `top-${config.topN} slots`,
        ],
        group.rows.map((r) => {
          const late = rows.find(
            (l) =>
              l.order === 'late' && l.pool === r.pool && l.attackerBits === r.attackerBits && l.k === r.k,
          )
          return [
            r.k,
            r.built ? bitsText(realBits(r.minedWork / r.built)) : '–',
            r.built,
            r.survivors,
            late?.survivors ?? '–',
            r.honestDisplaced,
            pct(r.strengthShare),
            pct(r.workKept),
            r.topSlots,
          ]
        }),
      ),
      '',
      ...findings(group.rows, config.topN).map((line) => `- ${line}`),
      '',
    )
  }
  const markdown = [
    '## Scenario 1 — Sybil split',
    '',
    `${config.honestCount} honest identities with work drawn log-uniformly from 2^${config.honestBits[0] + SCALE_BITS} to 2^${config.honestBits[1] + SCALE_BITS} (ad plus up to ${config.maxCapabilities} capabilities), and an attacker whose total work W is split into k equal identities, arrive in a seeded random order (column "held (attacker last)": all honest first, then the attacker). "Work kept" is the attacker's held strength over W; "share of strength" is the attacker's share of all held strength; the top ${config.topN} is \`GET /oracles?limit=${config.topN}\`'s answer. Honest identities "pushed out" are counted against the same pool without the attacker.`,
    '',
    chartLink('sybil-held.svg', 'attacker identities held against k'),
    chartLink('sybil-top.svg', 'attacker top-N slots against k'),
    chartLink('sybil-share.svg', 'attacker share of visible strength against k'),
    '',
    ...parts,
  ].join('\n')
  return { markdown, charts }
}
