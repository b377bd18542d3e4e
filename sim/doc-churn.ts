/**
 * docs/sybil.md, scenario 3: churn of a full pool with and without the rolling floor.
 */
import type { ChurnConfig, ChurnResult } from './churn.ts'
import { SCALE_BITS } from './config.ts'
import { formatSeconds } from './cost.ts'
import { chartLink, type Section, table } from './doc-format.ts'
import { lineChart } from './svg-chart.ts'

const label = (r: ChurnResult) => `${r.mode}, 1 ad / ${r.intervalSeconds} s`

export function churnSection(config: ChurnConfig, results: ChurnResult[]): Section {
  const charts = new Map([
    [
      'churn-evictions.svg',
      lineChart({
        title: 'Evictions per arriving ad, full pool',
        xLabel: 'ads arrived after the pool was full',
        yLabel: 'evictions per arrival',
        series: results.map((r) => ({
          name: label(r),
          points: r.series.map((s) => [s.arrivals, s.evictionsPerAttempt]),
        })),
      }),
    ],
    [
      'churn-floor.svg',
      lineChart({
        title: 'What an ad must beat: rolling floor and weakest entry',
        xLabel: 'ads arrived after the pool was full',
        yLabel: 'bits',
        yMin: config.minBits.oracle + SCALE_BITS,
        series: results
          .filter((r) => r.mode === 'rolling floor')
          .flatMap((r) => [
            {
              name: `floor, 1 ad / ${r.intervalSeconds} s`,
              points: r.series.map(
                (s) => [s.arrivals, (s.floorBits || config.minBits.oracle) + SCALE_BITS] as [number, number],
              ),
            },
            {
              name: `weakest, 1 ad / ${r.intervalSeconds} s`,
              points: r.series.map((s) => [s.arrivals, s.weakestBits + SCALE_BITS] as [number, number]),
            },
          ]),
      }),
    ],
  ])
  const summary = table(
    ['run', 'arrivals', 'admitted', 'refused (low PoW)', 'evictions', 'evictions per arrival'],
    results.map((r) => [
      label(r),
      r.attempts,
      r.added,
      r.lowPow,
      r.evicted,
      (r.evicted / r.attempts).toFixed(3),
    ]),
  )
  const allBits = [...new Set(results.flatMap((r) => r.survival.map((s) => s.bits)))].sort((a, b) => a - b)
  const survival = table(
    ['bits', ...results.map((r) => `${label(r)}: admitted / evicted / median time held`)],
    allBits.map((bits) => [
      bits + SCALE_BITS,
      ...results.map((r) => {
        const s = r.survival.find((row) => row.bits === bits)
        if (!s) return '0'
        return `${s.admitted} / ${s.evicted} / ${s.medianSeconds === undefined ? 'still held' : formatSeconds(s.medianSeconds)}`
      }),
    ]),
  )
  const pairs = [...new Set(results.map((r) => r.intervalSeconds))].map((interval) => {
    const on = results.find((r) => r.intervalSeconds === interval && r.mode === 'rolling floor')!
    const off = results.find((r) => r.intervalSeconds === interval && r.mode === 'no floor')!
    // The weakest bits admitted in both runs: how long such an ad stays with and without the floor.
    const weak = on.survival.find(
      (s) => s.medianSeconds !== undefined && off.survival.some((o) => o.bits === s.bits),
    )
    const weakOff = off.survival.find((s) => s.bits === weak?.bits)
    const stay =
      weak?.medianSeconds !== undefined && weakOff?.medianSeconds !== undefined
        ? ` An admitted ad of ${weak.bits + SCALE_BITS} bits stays a median ${formatSeconds(weak.medianSeconds)} with the floor, ${formatSeconds(weakOff.medianSeconds)} without: fewer admissions, fewer evictions.`
        : ''
    return `- At 1 ad every ${interval} s the floor cuts evictions from ${off.evicted} to ${on.evicted} (${((1 - on.evicted / off.evicted) * 100).toFixed(0)}% fewer) and refuses ${on.lowPow - off.lowPow} more ads. Those have exactly the work of the weakest entry (PoW claims whole bits): without the floor such an ad enters whenever its id wins the tie-break, and evicts an entry of equal work.${stay}`
  })
  const markdown = [
    '## Scenario 3 — Eviction churn',
    '',
    `A pool of ${config.capacity} oracles, filled by the first ${config.capacity} ads of a stream, then ${config.stream} more ads, each with ${config.minBits.oracle + SCALE_BITS} + j bits where j = 0, 1, 2 … has probability 2^−(j+1) (capped at +${config.spanBits}): each extra bit is half as likely, so as many senders spend at every level of work. The same mined stream is replayed with the node's rolling floor (half-life 600 s, +0.1 bit) and without it (half-life shortened to 1 ns, so it has vanished before the next ad). In a full pool every admission evicts exactly one entry, so churn is measured per arrival.`,
    '',
    chartLink('churn-evictions.svg', 'evictions per arrival over the stream'),
    chartLink('churn-floor.svg', 'floor and weakest entry over the stream'),
    '',
    summary,
    '',
    ...pairs,
    '',
    'How long an ad admitted during the stream stays, by its bits:',
    '',
    survival,
    '',
    'The pool holds no ad forever unless it is among the strongest seen: the threshold only rises while the stream lasts (the floor decays by one bit per half-life, but a full pool never lets anything under its weakest entry in). Weak ads enter while the threshold is low and are the first out.',
    '',
  ].join('\n')
  return { markdown, charts }
}
