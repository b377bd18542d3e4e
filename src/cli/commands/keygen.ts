/**
 * `mega keygen`: a new key pair, printed as JSON.
 */
import { generateKeyPair, isScheme, SCHEMES } from '../../protocol/index.ts'
import { CliError, type Command } from '../command.ts'

export const keygenCommand: Command = {
  name: 'keygen',
  summary: 'Create a key pair (ed25519 or bip340) and print it as JSON',
  usage: 'mega keygen [--scheme ed25519|bip340]',
  options: {
    scheme: {
      type: 'string',
      default: 'ed25519',
      description: 'signature scheme (default ed25519)',
      placeholder: 'name',
    },
    help: { type: 'boolean', description: 'show this help' },
  },
  examples: ['mega keygen', 'mega keygen --scheme bip340 > capability-key.json'],
  async run({ values }, io) {
    const scheme = values.scheme
    if (!isScheme(scheme))
      throw new CliError(`--scheme must be one of ${SCHEMES.join(', ')}, got "${scheme}"`, 2)
    const pair = generateKeyPair(scheme)
    io.stdout.write(`${JSON.stringify(pair, null, 2)}\n`)
    if (io.stdout.isTTY) io.stderr.write('Keep secretKey private: anyone who has it can sign as you.\n')
    return 0
  },
}
