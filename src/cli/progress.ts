/**
 * A one-line progress bar for mining on a terminal: attempts against the expected 2^bits,
 * rate and ETA. Redrawn in place; nothing is printed when the stream is not a TTY.
 */
import type { MiningProgress } from '../miner/index.ts'

const BAR_WIDTH = 24

/** Formats a count with SI suffixes: 1234567 → "1.23 M". */
function formatCount(value: number): string {
  const units = ['', ' k', ' M', ' G', ' T', ' P']
  let unit = 0
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000
    unit++
  }
  return `${value.toFixed(unit === 0 ? 0 : 2)}${units[unit]}`
}

/** Formats a duration: 75_000 → "1m15s". */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms)) return '∞'
  const seconds = Math.round(ms / 1000)
  if (seconds < 60) return `${seconds}s`
  const minutes = Math.floor(seconds / 60)
  if (minutes < 60) return `${minutes}m${String(seconds % 60).padStart(2, '0')}s`
  const hours = Math.floor(minutes / 60)
  if (hours < 48) return `${hours}h${String(minutes % 60).padStart(2, '0')}m`
  return `${Math.round(hours / 24)}d`
}

/** The progress line for one event. */
function progressLine(progress: MiningProgress): string {
  const expected = 2 ** progress.bits
  const fraction = Math.min(1, progress.attempts / expected)
  const filled = Math.round(fraction * BAR_WIDTH)
  const bar = `${'█'.repeat(filled)}${'░'.repeat(BAR_WIDTH - filled)}`
  const eta = progress.etaMs > 0 ? `ETA ${formatDuration(progress.etaMs)}` : 'any moment (luck)'
  return `${bar} ${formatCount(progress.attempts)}/${formatCount(expected)} tries · ${formatCount(progress.rate)}H/s on ${progress.threads} threads · ${eta}`
}

/** Returns a progress callback drawing on `stream` when it is a TTY, and a function that clears the line. */
export function progressBar(stream: NodeJS.WritableStream & { isTTY?: boolean }) {
  if (!stream.isTTY) return { update: (_progress: MiningProgress) => {}, done: () => {} }
  return {
    update: (progress: MiningProgress) => stream.write(`\r\x1b[2K${progressLine(progress)}`),
    done: () => stream.write('\r\x1b[2K'),
  }
}
