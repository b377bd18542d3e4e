/**
 * "Did you mean": the known name closest to a mistyped one, when it is close enough to be a
 * typo (edit distance at most a third of its length, and 2) or the mistyped one is a prefix.
 */

/** Levenshtein distance (insertions, deletions, substitutions). */
function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, index) => index)
  for (let i = 1; i <= a.length; i++) {
    const current = [i]
    for (let j = 1; j <= b.length; j++)
      current[j] = Math.min(
        previous[j]! + 1,
        current[j - 1]! + 1,
        previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1),
      )
    previous = current
  }
  return previous[b.length]!
}

/** The closest of `known` to `typed`, or undefined when none is plausibly meant. */
export function closest(typed: string, known: readonly string[]): string | undefined {
  let best: string | undefined
  let bestDistance = Number.POSITIVE_INFINITY
  for (const name of known) {
    const distance = typed.length >= 2 && name.startsWith(typed) ? 0.5 : editDistance(typed, name)
    if (distance < bestDistance) {
      best = name
      bestDistance = distance
    }
  }
  return bestDistance <= Math.min(2, Math.max(1, Math.floor(typed.length / 3))) ? best : undefined
}

/** `; did you mean "x"?` or nothing. */
export function didYouMean(
  typed: string,
  known: readonly string[],
  format = (name: string) => `"${name}"`,
): string {
  const match = closest(typed, known)
  return match === undefined ? '' : `; did you mean ${format(match)}?`
}
