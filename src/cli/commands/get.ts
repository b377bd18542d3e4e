/**
 * `mega get`: reads a resource of a node's REST API and prints it as JSON.
 */
import { NodeClient } from '../../client/index.ts'
import { CliError, type Command } from '../command.ts'
import { DEFAULT_NODE_URL, nodeUrl } from './post.ts'

const RESOURCES = ['oracles', 'capabilities', 'reports', 'offers', 'peers', 'stats', 'health']

export const getCommand: Command = {
  name: 'get',
  summary: 'Read oracles, capabilities, reports, offers, stats or health from a node',
  usage: 'mega get <what>[/<key>] [--query name=value]… [--node URL]',
  options: {
    query: {
      type: 'string',
      multiple: true,
      description: 'query parameter, repeatable',
      placeholder: 'name=value',
    },
    node: {
      type: 'string',
      description: `node URL (default ${DEFAULT_NODE_URL}, or MEGA_NODE)`,
      placeholder: 'url',
    },
    help: { type: 'boolean', description: 'show this help' },
  },
  examples: [
    'mega get oracles --query tag=sports --query limit=5',
    'mega get oracles/<key>',
    'mega get stats',
  ],
  async run({ values, positionals }, io) {
    const [what, ...extra] = positionals
    if (!what || extra.length > 0) throw new CliError(`usage: ${this.usage}`, 2)
    const [resource, key, ...rest] = what.split('/')
    if (
      !RESOURCES.includes(resource!) ||
      rest.length > 0 ||
      (key !== undefined && !/^[0-9a-f]{64}$/.test(key))
    ) {
      throw new CliError(
        `<what> must be one of ${RESOURCES.join(', ')}, optionally /<64 hex key>; got "${what}"`,
        2,
      )
    }
    const query: Record<string, string> = {}
    for (const pair of (values.query as string[] | undefined) ?? []) {
      const at = pair.indexOf('=')
      if (at <= 0) throw new CliError(`--query must be name=value, got "${pair}"`, 2)
      query[pair.slice(0, at)] = pair.slice(at + 1)
    }
    const client = new NodeClient({ url: nodeUrl(values.node) })
    const { status, body } = await client.get(what, query)
    io.stdout.write(`${JSON.stringify(body, null, 2)}\n`)
    return status >= 200 && status < 300 ? 0 : 1
  },
}
