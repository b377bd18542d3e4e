/**
 * `mega trader ask` and `mega trader fact`: a commitment, then the fact, from an oracle's
 * endpoint, each verified (signatures, the Schnorr nonce or hash lock, the answer among the
 * capability's answers) and stored.
 */
import { isNotYet } from '../../../trader/index.ts'
import { CliError, type Command, integerFlag } from '../../command.ts'
import { argsFlag, hexKey, nodeOptions, print, viaOption, withTrader } from './common.ts'

export const askCommand: Command = {
  name: 'ask',
  summary: "Get a signed commitment and then the fact from a capability's oracle endpoint, verified",
  usage: 'mega trader ask <capability-key> --arg name=value… [--wait SECONDS] [--via NODE]… [--node URL]…',
  options: {
    ...nodeOptions,
    ...viaOption,
    arg: {
      type: 'string',
      multiple: true,
      description: 'request argument, repeatable',
      placeholder: 'name=value',
    },
    wait: {
      type: 'string',
      description: 'seconds to wait for the fact (default 0: ask once)',
      placeholder: 'S',
    },
  },
  examples: [
    'mega trader ask 4d4b6cd1… --arg home=ARS --arg away=CHE --arg date=2026-11-21 --wait 30',
    'mega trader ask 4d4b6cd1… --arg home=ARS --arg away=CHE --arg date=2026-11-21 --via http://127.0.0.1:8080',
  ],
  async run({ values, positionals }, io) {
    const [key, ...extra] = positionals
    if (extra.length > 0) throw new CliError(`usage: ${this.usage}`, 2)
    const capability = hexKey(key, '<capability-key>')
    const args = argsFlag(values)
    const wait = integerFlag(values.wait, 'wait', 0, 86_400) ?? 0
    return withTrader(values, async (trader) => {
      const { commitment, commitmentId, fact } = await trader.ask(capability, args, wait)
      print(io, values, { commitmentId, commitment, fact }, () => [
        `commitment ${commitmentId} verified: ${commitment.attestation.type} attestation, deadline ${new Date(commitment.deadline * 1000).toISOString()}`,
        isNotYet(fact)
          ? `no fact yet (${fact.status}: ${fact.detail}); later: mega trader fact ${commitmentId}`
          : `fact verified: "${fact.answer}"`,
      ])
      return 0
    })
  },
}

export const factCommand: Command = {
  name: 'fact',
  summary: 'Fetch (and verify) the fact for a commitment you hold',
  usage: 'mega trader fact <commitment-id> [--wait SECONDS] [--via NODE]…',
  options: {
    ...nodeOptions,
    ...viaOption,
    wait: { type: 'string', description: 'seconds to wait for the fact (default 0)', placeholder: 'S' },
  },
  examples: ['mega trader fact 9f2c… --wait 60', 'mega trader fact 9f2c… --via http://127.0.0.1:8080'],
  async run({ values, positionals }, io) {
    const [id, ...extra] = positionals
    if (extra.length > 0) throw new CliError(`usage: ${this.usage}`, 2)
    const commitmentId = hexKey(id, '<commitment-id>')
    const wait = integerFlag(values.wait, 'wait', 0, 86_400) ?? 0
    return withTrader(values, async (trader) => {
      const fact = await trader.fetchFact(commitmentId, wait)
      print(io, values, { commitmentId, fact }, () => [
        isNotYet(fact) ? `no fact yet (${fact.status}: ${fact.detail})` : `fact verified: "${fact.answer}"`,
      ])
      return isNotYet(fact) ? 3 : 0
    })
  },
}
