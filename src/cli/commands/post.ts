/**
 * `mega post`: sends a message to a node and prints the admission outcome.
 */
import { NodeClient } from '../../client/index.ts'
import { LIMITS, POOL_KINDS, type PoolKind } from '../../protocol/index.ts'
import { CliError, type Command } from '../command.ts'
import { readInput } from '../input.ts'

export const DEFAULT_NODE_URL = 'http://127.0.0.1:8080'

export const postCommand: Command = {
  name: 'post',
  summary: 'Send a message (oracle, capability, report, dispute, offer) to a node',
  usage: 'mega post <kind> <file|-> [--node URL]',
  options: {
    node: {
      type: 'string',
      description: `node URL (default ${DEFAULT_NODE_URL}, or MEGA_NODE)`,
      placeholder: 'url',
    },
    help: { type: 'boolean', description: 'show this help' },
  },
  examples: [
    'mega post oracle oracle-ad.json',
    'mega mine --bits 16 --attach report.json | mega post report -',
  ],
  async run({ values, positionals }, io) {
    const [kind, source, ...extra] = positionals
    if (!kind || !source || extra.length > 0) throw new CliError(`usage: ${this.usage}`, 2)
    if (!(POOL_KINDS as readonly string[]).includes(kind)) {
      throw new CliError(`<kind> must be one of ${POOL_KINDS.join(', ')}, got "${kind}"`, 2)
    }
    const text = await readInput(source, io.stdin, LIMITS.messageBytes)
    const client = new NodeClient({ url: nodeUrl(values.node) })
    const { status, body } = await client.post(kind as PoolKind, text)
    io.stdout.write(`${JSON.stringify(body, null, 2)}\n`)
    // Taken or already there is success; anything else tells the caller to act.
    return status >= 200 && status < 300 ? 0 : 1
  },
}

/** The node URL from a flag, the environment, or the default. */
export function nodeUrl(flag: unknown): string {
  const url = typeof flag === 'string' ? flag : (process.env.MEGA_NODE ?? DEFAULT_NODE_URL)
  if (!/^https?:\/\/[^\s]+$/.test(url)) throw new CliError(`--node must be an http(s) URL, got "${url}"`, 2)
  return url
}
