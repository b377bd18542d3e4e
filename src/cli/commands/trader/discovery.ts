/**
 * `mega trader init`, `oracles`, `export`, `import`: the trader's key, the ranking of oracles
 * under its reputation policy, and moving its store.
 */
import { writeFile } from 'node:fs/promises'
import { createTraderKey, TRADER_PASSPHRASE_ENV, TraderStore } from '../../../trader/index.ts'
import { defaultPolicy, type Policy, parsePolicy } from '../../../trader/policy.ts'
import { CliError, type Command, integerFlag } from '../../command.ts'
import { readInput } from '../../input.ts'
import {
  bigints,
  bits,
  dataDir,
  dataOption,
  nodeOptions,
  passphrase,
  passphraseOption,
  print,
  readJson,
  schemeFlag,
  short,
  withStore,
  withTrader,
} from './common.ts'

export const initCommand: Command = {
  name: 'init',
  summary: 'Create the trader key (signs reports, offers and acceptances) in the data directory',
  usage: 'mega trader init [--scheme ed25519|bip340] [--passphrase-file FILE] [--data DIR]',
  options: {
    ...dataOption,
    ...passphraseOption,
    scheme: { type: 'string', description: 'signature scheme (default ed25519)', placeholder: 'scheme' },
    help: { type: 'boolean', description: 'show this help' },
  },
  examples: [
    'MEGA_TRADER_PASSPHRASE=… mega trader init',
    'mega trader init --scheme bip340 --passphrase-file ~/.mega-pass --data ~/.mega-trader',
  ],
  async run({ values }, io) {
    const dir = dataDir(values)
    const secret = await passphrase(values)
    const key = await createTraderKey(dir, schemeFlag(values.scheme, 'ed25519'), secret)
    new TraderStore({ dataDir: dir }).close()
    if (!key.encrypted) {
      io.stderr.write(
        `warning: the key is stored unencrypted (mode 0600); set ${TRADER_PASSPHRASE_ENV} or --passphrase-file to encrypt it\n`,
      )
    }
    io.stdout.write(
      `${JSON.stringify({ scheme: key.scheme, publicKey: key.publicKey, encrypted: key.encrypted, dataDir: dir })}\n`,
    )
    return 0
  },
}

export const oraclesCommand: Command = {
  name: 'oracles',
  summary: 'Oracles ranked under your reputation policy, with the reasons (strength, counted reports)',
  usage: 'mega trader oracles [--tag T] [--question TEXT] [--policy FILE] [--all] [--offline] [--node URL]…',
  options: {
    ...nodeOptions,
    tag: {
      type: 'string',
      description: 'only oracles with this tag (ad or active capability)',
      placeholder: 'tag',
    },
    question: {
      type: 'string',
      description: 'only oracles with a question containing this text',
      placeholder: 'text',
    },
    policy: {
      type: 'string',
      description: 'reputation policy file (JSON; default policy otherwise)',
      placeholder: 'file',
    },
    limit: {
      type: 'string',
      description: 'oracles to collect from each node (default 100)',
      placeholder: 'N',
    },
    all: { type: 'boolean', description: 'also list the oracles the policy hides' },
    offline: { type: 'boolean', description: 'rank what the store holds, without asking the nodes' },
    'verify-domains': {
      type: 'boolean',
      description: "fetch each oracle's manifest (manifestUri) and mark the domain-verified ones",
    },
  },
  examples: [
    'mega trader oracles --tag sports',
    'mega trader oracles --question "who won" --policy strict.json --node http://127.0.0.1:8080',
  ],
  async run({ values }, io) {
    const policy: Policy =
      typeof values.policy === 'string'
        ? parsePolicy(await readInput(values.policy, io.stdin, 64 * 1024), values.policy)
        : defaultPolicy
    const limit = integerFlag(values.limit, 'limit', 1, 10_000) ?? 100
    const filter = {
      ...(typeof values.tag === 'string' && { tag: values.tag }),
      ...(typeof values.question === 'string' && { question: values.question }),
    }
    return withTrader(values, async (trader) => {
      const collected = values.offline
        ? { stored: 0, rejected: [] }
        : await trader.collectOracles(filter, limit)
      for (const { source, reason } of collected.rejected)
        io.stderr.write(`rejected from ${source}: ${reason}\n`)
      if (values['verify-domains']) {
        for (const { oracle, status, reason } of await trader.verifyDomains())
          if (status !== 'domain-verified')
            io.stderr.write(`manifest of ${oracle}: ${status}${reason ? ` (${reason})` : ''}\n`)
      }
      const ranking = trader
        .rank(policy, filter)
        .filter((oracle) => values.all || oracle.excluded === undefined)
      print(io, values, { policy, oracles: ranking, rejected: collected.rejected }, () => {
        if (ranking.length === 0) return ['no oracle matches']
        return ranking.flatMap((oracle, index) => [
          `${index + 1}. ${oracle.key}  score ${bits(oracle.score)}  strength ${bits(oracle.strength)} (identity ${oracle.identityBits} bits${oracle.capabilityBits.length ? `, capabilities ${oracle.capabilityBits.join(', ')} bits` : ''})${oracle.domain ? `  domain-verified ${oracle.domain}` : ''}${oracle.tags.length ? `  tags ${oracle.tags.join(',')}` : ''}`,
          ...(oracle.excluded ? [`     hidden: ${oracle.excluded}`] : []),
          ...oracle.reports.map(
            (report) =>
              `     ${report.counts ? 'counts ' : 'ignored'}  −${report.bits} bits  ${report.type.padEnd(26)} ${report.verdict}${report.reason ? `: ${report.reason}` : ''}  ${short(report.id)}`,
          ),
        ])
      })
      return 0
    })
  },
}

export const exportCommand: Command = {
  name: 'export',
  summary: 'Write everything the trader store holds to a JSON file (or stdout)',
  usage: 'mega trader export [FILE] [--data DIR]',
  options: { ...dataOption, help: { type: 'boolean', description: 'show this help' } },
  examples: ['mega trader export backup.json'],
  async run({ values, positionals }, io) {
    const [file, ...extra] = positionals
    if (extra.length > 0) throw new CliError(`usage: ${this.usage}`, 2)
    const exported = await withStore(values, async (store) => store.export())
    const text = `${JSON.stringify(exported, bigints)}\n`
    if (file === undefined || file === '-') io.stdout.write(text)
    else {
      await writeFile(file, text, { mode: 0o600 })
      io.stderr.write(`exported ${exported.messages.length} messages to ${file}\n`)
    }
    return 0
  },
}

export const importCommand: Command = {
  name: 'import',
  summary: 'Import a trader export: every message checked, all or nothing',
  usage: 'mega trader import FILE [--data DIR]',
  options: { ...dataOption, help: { type: 'boolean', description: 'show this help' } },
  examples: ['mega trader import backup.json'],
  async run({ values, positionals }, io) {
    const [file, ...extra] = positionals
    if (file === undefined || extra.length > 0) throw new CliError(`usage: ${this.usage}`, 2)
    const document = await readJson(file, io.stdin, 256 * 1024 * 1024)
    const counts = await withStore(values, async (store) => store.import(document))
    io.stdout.write(`${JSON.stringify(counts)}\n`)
    return 0
  },
}
