/**
 * A line chart as a standalone SVG string, no dependency. Readable on light and dark pages: the
 * background is transparent, text and axes follow `prefers-color-scheme`, and the series use
 * mid-tone colours with distinct dash patterns and markers (so they survive grey-scale too).
 */

export interface Series {
  name: string
  points: [number, number][]
}

export interface ChartInit {
  title: string
  xLabel: string
  yLabel: string
  series: Series[]
  /** Logarithmic x axis (base 10 ticks): for k = 1 … 1000. */
  xLog?: boolean
  /** Fixed y range; default from the data, starting at 0. */
  yMin?: number
  yMax?: number
  /** Formats y tick labels (e.g. as a percentage). */
  yFormat?: (value: number) => string
  width?: number
  height?: number
}

const COLORS = ['#1f77b4', '#e8710a', '#2ca02c', '#d62728', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f']
const DASHES = ['', '6 3', '2 3', '8 3 2 3', '4 4', '1 2', '10 4', '3 1']
const LEGEND_LINE = 16
const MARGIN = { left: 64, right: 32, top: 36, bottom: 48 }

function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')
}

/** About five round tick values covering [min, max]. */
function linearTicks(min: number, max: number): number[] {
  const span = max - min || 1
  const step0 = 10 ** Math.floor(Math.log10(span / 5))
  const step = [1, 2, 5, 10].map((m) => m * step0).find((s) => span / s <= 6) ?? step0 * 10
  const ticks: number[] = []
  for (let v = Math.ceil(min / step) * step; v <= max + step * 1e-9; v += step)
    ticks.push(Number(v.toPrecision(12)))
  return ticks
}

function logTicks(min: number, max: number): number[] {
  const ticks: number[] = []
  for (let e = Math.floor(Math.log10(min)); e <= Math.ceil(Math.log10(max)); e++) {
    for (const m of [1, 2, 5]) {
      const v = m * 10 ** e
      if (v >= min && v <= max) ticks.push(v)
    }
  }
  return ticks
}

/** Renders the chart; throws when there is nothing to draw. */
export function lineChart(init: ChartInit): string {
  const width = init.width ?? 640
  const height = init.height ?? 360
  const xs = init.series.flatMap((s) => s.points.map(([x]) => x))
  const ys = init.series.flatMap((s) => s.points.map(([, y]) => y))
  if (xs.length === 0) throw new RangeError(`chart "${init.title}" has no points`)
  const xMin = Math.min(...xs)
  const xMax = Math.max(...xs)
  const yMin = init.yMin ?? Math.min(0, ...ys)
  const yMax = init.yMax ?? (Math.max(...ys) > yMin ? Math.max(...ys) * 1.05 : yMin + 1)
  const plotW = width - MARGIN.left - MARGIN.right
  const plotH = height - MARGIN.top - MARGIN.bottom
  const tx = (x: number) => {
    const f = init.xLog
      ? (Math.log10(x) - Math.log10(xMin)) / (Math.log10(xMax) - Math.log10(xMin) || 1)
      : (x - xMin) / (xMax - xMin || 1)
    return MARGIN.left + f * plotW
  }
  const ty = (y: number) => MARGIN.top + plotH - ((y - yMin) / (yMax - yMin)) * plotH
  // The legend goes under the plot, one line per series, so it never hides a line.
  const fullHeight = height + init.series.length * LEGEND_LINE + 12
  const yFormat = init.yFormat ?? ((v: number) => String(v))
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${fullHeight}" width="${width}" height="${fullHeight}" font-family="system-ui, sans-serif" font-size="12">`,
    `<title>${escapeXml(init.title)}</title>`,
    '<style>text{fill:#24292f}.axis{stroke:#57606a}.grid{stroke:#d0d7de}' +
      '@media (prefers-color-scheme: dark){text{fill:#e6edf3}.axis{stroke:#8b949e}.grid{stroke:#30363d}}</style>',
    `<text x="${width / 2}" y="20" text-anchor="middle" font-size="14" font-weight="600">${escapeXml(init.title)}</text>`,
  ]
  for (const y of linearTicks(yMin, yMax)) {
    out.push(
      `<line class="grid" x1="${MARGIN.left}" x2="${width - MARGIN.right}" y1="${ty(y)}" y2="${ty(y)}"/>`,
      `<text x="${MARGIN.left - 6}" y="${ty(y) + 4}" text-anchor="end">${escapeXml(yFormat(y))}</text>`,
    )
  }
  for (const x of init.xLog ? logTicks(xMin, xMax) : linearTicks(xMin, xMax)) {
    out.push(
      `<line class="grid" y1="${MARGIN.top}" y2="${MARGIN.top + plotH}" x1="${tx(x)}" x2="${tx(x)}"/>`,
      `<text x="${tx(x)}" y="${MARGIN.top + plotH + 16}" text-anchor="middle">${x}</text>`,
    )
  }
  out.push(
    `<line class="axis" x1="${MARGIN.left}" x2="${MARGIN.left}" y1="${MARGIN.top}" y2="${MARGIN.top + plotH}"/>`,
    `<line class="axis" x1="${MARGIN.left}" x2="${width - MARGIN.right}" y1="${MARGIN.top + plotH}" y2="${MARGIN.top + plotH}"/>`,
    `<text x="${MARGIN.left + plotW / 2}" y="${height - 10}" text-anchor="middle">${escapeXml(init.xLabel)}</text>`,
    `<text transform="translate(14 ${MARGIN.top + plotH / 2}) rotate(-90)" text-anchor="middle">${escapeXml(init.yLabel)}</text>`,
  )
  init.series.forEach((series, i) => {
    const color = COLORS[i % COLORS.length]
    const dash = DASHES[i % DASHES.length]
    const path = series.points
      .map(([x, y], j) => `${j ? 'L' : 'M'}${tx(x).toFixed(1)} ${ty(y).toFixed(1)}`)
      .join(' ')
    out.push(
      `<path d="${path}" fill="none" stroke="${color}" stroke-width="2"${dash ? ` stroke-dasharray="${dash}"` : ''}/>`,
      ...series.points.map(
        ([x, y]) => `<circle cx="${tx(x).toFixed(1)}" cy="${ty(y).toFixed(1)}" r="2.5" fill="${color}"/>`,
      ),
    )
    const ly = height + 8 + i * LEGEND_LINE
    const lx = MARGIN.left
    out.push(
      `<line x1="${lx}" x2="${lx + 24}" y1="${ly}" y2="${ly}" stroke="${color}" stroke-width="2"${dash ? ` stroke-dasharray="${dash}"` : ''}/>`,
      `<text x="${lx + 30}" y="${ly + 4}">${escapeXml(series.name)}</text>`,
    )
  })
  out.push('</svg>')
  return `${out.join('\n')}\n`
}
