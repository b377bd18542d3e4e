/** Parsing a Prometheus text scrape, for the tests of `GET /metrics`. */
import assert from 'node:assert/strict'

/**
 * The samples of a scrape, by `name{labels}`, checking the text format on the way: every sample
 * line is `name[{label="value",…}] number`, and belongs to a family declared by `# TYPE`.
 */
export function parseScrape(text: string): { samples: Map<string, number>; types: Map<string, string> } {
  const types = new Map<string, string>()
  const samples = new Map<string, number>()
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('# HELP ')) continue
    const type = /^# TYPE ([a-zA-Z_:][a-zA-Z0-9_:]*) (counter|gauge|histogram|summary|untyped)$/.exec(line)
    if (type) {
      types.set(type[1]!, type[2]!)
      continue
    }
    const sample = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(?:[a-zA-Z_]\w*="(?:[^"\\]|\\.)*",?)*\})? (\S+)$/.exec(line)
    assert.ok(sample, `a sample line: ${line}`)
    const value = Number(sample[3]!.toLowerCase() === 'nan' ? Number.NaN : sample[3])
    assert.ok(sample[3]!.toLowerCase() === 'nan' || !Number.isNaN(value), `a number: ${line}`)
    const name = sample[1]!
    const family = name.replace(/_(bucket|sum|count)$/, '')
    assert.ok(types.has(name) || types.get(family) === 'histogram', `# TYPE declared for ${name}`)
    samples.set(`${name}${sample[2] ?? ''}`, value)
  }
  return { samples, types }
}
