/**
 * `mega mine`: mines proof of work for a message (or raw bytes) on all cores.
 */
import { mine } from '../../miner/index.ts'
import { LIMITS, type Pow, powBoundOf, utf8, validateMessage } from '../../protocol/index.ts'
import { CliError, type Command, integerFlag } from '../command.ts'
import { readInput } from '../input.ts'
import { formatDuration, progressBar } from '../progress.ts'

export const mineCommand: Command = {
  name: 'mine',
  summary: 'Mine proof of work for a message (oracle, capability, report, offer) on all cores',
  usage: 'mega mine --bits N [--threads N] [--attach] [--raw] [--json] <file|->',
  options: {
    bits: { type: 'string', description: 'leading zero bits to reach (required)', placeholder: 'N' },
    threads: { type: 'string', description: 'worker threads (default: all cores)', placeholder: 'N' },
    attach: { type: 'boolean', description: 'print the whole message with its new pow' },
    raw: { type: 'boolean', description: 'the input is raw bytes to bind the work to, not a message' },
    json: { type: 'boolean', description: 'machine output: one JSON object, no progress bar' },
    help: { type: 'boolean', description: 'show this help' },
  },
  examples: [
    'mega mine --bits 20 oracle-ad.json',
    'mega mine --bits 24 --attach capability.json > capability.mined.json',
    'cat report.json | mega mine --bits 18 --json -',
  ],
  async run({ values, positionals }, io) {
    const bits = integerFlag(values.bits, 'bits', 0, 64)
    if (bits === undefined) throw new CliError('--bits is required', 2)
    const threads = integerFlag(values.threads, 'threads', 1, 256)
    const [source, ...extra] = positionals
    if (source === undefined || extra.length > 0)
      throw new CliError(`give exactly one input file or - (usage: ${this.usage})`, 2)

    const text = await readInput(source, io.stdin, LIMITS.manifestBytes)
    let bound: Uint8Array
    let message: Record<string, unknown> | undefined
    let from: Pow | undefined
    if (values.raw) {
      bound = utf8(text)
    } else {
      let parsed: unknown
      try {
        parsed = JSON.parse(text)
      } catch (error) {
        throw new CliError(`${source} is not JSON: ${(error as Error).message}`)
      }
      // Mining happens before signing too, so validate the shape without requiring signature/pow.
      const probe = {
        signature: '0'.repeat(128),
        pow: { bits: 0, nonce: '0'.repeat(16), hash: '0'.repeat(64) },
        ...(parsed as object),
      }
      const checked = validateMessage(probe)
      if (!checked.ok) throw checked.error
      message = parsed as Record<string, unknown>
      bound = powBoundOf(checked.value)
      from = (parsed as { pow?: Pow }).pow
    }

    const bar = values.json ? undefined : progressBar(io.stderr)
    const started = performance.now()
    let attempts = 0
    const controller = new AbortController()
    const stop = () => controller.abort()
    process.once('SIGINT', stop)
    try {
      const pow = await mine({
        bound,
        bits,
        ...(threads !== undefined && { threads }),
        ...(from && { from }),
        signal: controller.signal,
        onProgress: (progress) => {
          attempts = progress.attempts
          bar?.update(progress)
        },
      })
      bar?.done()
      const seconds = (performance.now() - started) / 1000
      const output = values.attach && message ? { ...message, pow } : pow
      if (values.json) {
        io.stdout.write(
          `${JSON.stringify({ ...(values.attach ? { message: output } : { pow }), attempts, seconds })}\n`,
        )
      } else {
        io.stdout.write(`${JSON.stringify(output, null, 2)}\n`)
        if (io.stderr.isTTY) io.stderr.write(`mined ${bits} bits in ${formatDuration(seconds * 1000)}\n`)
      }
      return 0
    } finally {
      bar?.done()
      process.off('SIGINT', stop)
    }
  },
}
