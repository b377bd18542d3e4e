/** `mega oracle capability add|list|off|on|drop`. */
import {
  addCapability,
  dropCapability,
  type FactSourceConfig,
  loadState,
  switchCapability,
} from '../../../oracle/index.ts'
import { type AttestationType, isScheme, type Param } from '../../../protocol/index.ts'
import {
  CliError,
  type Command,
  type CommandOption,
  commandGroup,
  integerFlag,
  type ParsedArgs,
} from '../../command.ts'
import {
  argvFlag,
  dirOption,
  interruptible,
  jsonOption,
  listFlag,
  miningProgress,
  oracleDir,
  output,
  passphraseOption,
  unlock,
} from './common.ts'

const sourceOptions: Record<string, CommandOption> = {
  'source-file': {
    type: 'string',
    description: 'facts from a JSON/YAML file {facts:[{args,answer}]}',
    placeholder: 'file',
  },
  'source-command': {
    type: 'string',
    description: 'facts from a program: a JSON array [program, arg…]; name=value args are appended',
    placeholder: 'json',
  },
  'source-url': {
    type: 'string',
    description: 'facts from an HTTP JSON URL; {param} placeholders',
    placeholder: 'url',
  },
  'source-pointer': {
    type: 'string',
    description: 'JSON pointer to the answer in the URL’s response',
    placeholder: '/a/b',
  },
  'source-timeout': {
    type: 'string',
    description: 'command/URL timeout in ms (default 5000)',
    placeholder: 'ms',
  },
}

/** The fact source the flags describe, if any. */
export function sourceFromFlags(values: ParsedArgs['values']): FactSourceConfig | undefined {
  const given = ['source-file', 'source-command', 'source-url'].filter((flag) => values[flag] !== undefined)
  if (given.length > 1) throw new CliError(`give one fact source, not ${given.join(' and ')}`, 2)
  const timeoutMs = integerFlag(values['source-timeout'], 'source-timeout', 1, 600_000)
  const timeout = timeoutMs !== undefined ? { timeoutMs } : {}
  if (values['source-file'] !== undefined) return { type: 'file', path: values['source-file'] as string }
  if (values['source-command'] !== undefined) {
    const command = argvFlag(values['source-command'] as string, 'source-command', '["./lookup.sh","--fast"]')
    return { type: 'command', command, ...timeout }
  }
  if (values['source-url'] !== undefined) {
    return {
      type: 'http',
      url: values['source-url'] as string,
      pointer: (values['source-pointer'] as string | undefined) ?? '',
      ...timeout,
    }
  }
  return undefined
}

/** `--param home=ARS,CHE` → `{ name: 'home', values: ['ARS', 'CHE'] }`. */
export function paramFromFlag(flag: string): Param {
  const at = flag.indexOf('=')
  if (at < 1) throw new CliError(`--param must look like name=value1,value2, got ${JSON.stringify(flag)}`, 2)
  return { name: flag.slice(0, at), values: listFlag(flag.slice(at + 1)) }
}

const add: Command = {
  name: 'add',
  summary: 'Add a capability: derive its key, mine its PoW, sign its ad',
  usage:
    'mega oracle capability add --label L --question Q [--param name=v1,v2]… (--answers a,b | --attestation schnorr-digits --digits N [--unit U]) --endpoint URL [--tags t] [--attestation schnorr|schnorr-digits|hashlock|signature] [--scheme bip340|ed25519] [--bits N] [--source-…]',
  options: {
    label: {
      type: 'string',
      description: 'local name; the key is derived from it (required)',
      placeholder: 'label',
    },
    question: {
      type: 'string',
      description: 'the question, with $name placeholders (required)',
      placeholder: 'text',
    },
    param: {
      type: 'string',
      multiple: true,
      description: 'a parameter and its allowed values (repeatable)',
      placeholder: 'name=v1,v2',
    },
    answers: {
      type: 'string',
      description: 'the possible answers, comma-separated (required unless numeric)',
      placeholder: 'a,b',
    },
    digits: {
      type: 'string',
      description: 'numeric answer (attestation schnorr-digits): base-2 digits, 1 to 32',
      placeholder: 'N',
    },
    unit: { type: 'string', description: 'numeric answer: what one unit is (e.g. USD)', placeholder: 'unit' },
    endpoint: {
      type: 'string',
      description: 'URL of your `mega oracle serve` endpoint (required)',
      placeholder: 'url',
    },
    tags: { type: 'string', description: 'discovery tags, comma-separated', placeholder: 'a,b' },
    attestation: {
      type: 'string',
      description: 'schnorr (default, DLC-ready), schnorr-digits (numeric), hashlock or signature',
      placeholder: 'type',
    },
    scheme: {
      type: 'string',
      description: 'scheme of the capability key (default bip340)',
      placeholder: 'scheme',
    },
    bits: {
      type: 'string',
      description: 'PoW bits of the ad (default 12, a node’s default minimum)',
      placeholder: 'N',
    },
    threads: { type: 'string', description: 'worker threads (default: all cores)', placeholder: 'N' },
    ...sourceOptions,
    ...dirOption,
    ...passphraseOption,
    ...jsonOption,
  },
  examples: [
    `mega oracle capability add --label btcusd --question 'BTC/USD at $date, whole dollars' --param date=2026-12-31 --attestation schnorr-digits --digits 20 --unit USD --endpoint https://oracle.example --source-file prices.yaml`,
    `mega oracle capability add --label winner --question 'Who won $home vs $away?' --param home=ARS,CHE --param away=ARS,CHE --answers home,away,draw --endpoint https://oracle.example --source-file facts.yaml`,
  ],
  async run({ values }, io) {
    const attestation = (values.attestation as string | undefined) ?? 'schnorr'
    if (!['schnorr', 'schnorr-digits', 'hashlock', 'signature'].includes(attestation)) {
      throw new CliError('--attestation must be schnorr, schnorr-digits, hashlock or signature', 2)
    }
    const numeric = attestation === 'schnorr-digits'
    for (const flag of ['label', 'question', ...(numeric ? ['digits'] : ['answers']), 'endpoint']) {
      if (values[flag] === undefined) throw new CliError(`--${flag} is required`, 2)
    }
    if (numeric && values.answers !== undefined) {
      throw new CliError('a numeric capability (schnorr-digits) has --digits, not --answers', 2)
    }
    const digits = integerFlag(values.digits, 'digits', 1, 32)
    const scheme = (values.scheme as string | undefined) ?? 'bip340'
    if (!isScheme(scheme)) throw new CliError('--scheme must be bip340 or ed25519', 2)
    const bits = integerFlag(values.bits, 'bits', 0, 64) ?? 12
    const threads = integerFlag(values.threads, 'threads', 1, 256)
    const source = sourceFromFlags(values)
    const spec = {
      label: values.label as string,
      question: values.question as string,
      params: ((values.param as string[] | undefined) ?? []).map(paramFromFlag),
      answers: numeric ? [] : listFlag(values.answers),
      ...(digits !== undefined && { digits }),
      ...(values.unit !== undefined && { unit: values.unit as string }),
      endpoint: values.endpoint as string,
      tags: listFlag(values.tags),
      attestation: attestation as AttestationType,
      scheme,
      ...(source && { source }),
    }
    const { dir, root } = await unlock(values, io)
    const progress = miningProgress(io, Boolean(values.json))
    const record = await interruptible((signal) =>
      addCapability({
        dir,
        root,
        spec,
        bits,
        signal,
        onProgress: progress.onProgress,
        ...(threads !== undefined && { threads }),
      }),
    ).finally(progress.done)
    output(
      io,
      Boolean(values.json),
      record,
      `capability ${record.label}: key ${record.ad.capabilityKey}, ${record.ad.pow.bits} bits`,
    )
    return 0
  },
}

const list: Command = {
  name: 'list',
  summary: 'List the capabilities: label, key, on/off, work, question',
  usage: 'mega oracle capability list [--dir D] [--json]',
  options: { ...dirOption, ...jsonOption },
  examples: ['mega oracle capability list'],
  async run({ values }, io) {
    const state = await loadState(oracleDir(values))
    const lines = state.capabilities.map(
      ({ label, ad, source }) =>
        `${label.padEnd(20)} ${ad.off ? 'off' : 'on '} ${String(ad.pow.bits).padStart(3)} bits  ${ad.attestation.padEnd(9)} ${ad.capabilityKey.slice(0, 16)}…  ${source?.type ?? 'no source'}  ${ad.question}`,
    )
    output(
      io,
      Boolean(values.json),
      state.capabilities,
      lines.join('\n') || 'no capabilities yet: mega oracle capability add --help',
    )
    return 0
  },
}

function switcher(name: 'off' | 'on'): Command {
  return {
    name,
    summary:
      name === 'off'
        ? 'Switch a capability off (no new commitments; advertise to tell nodes)'
        : 'Switch a capability back on',
    usage: `mega oracle capability ${name} <label> [--dir D]`,
    options: { ...dirOption, ...passphraseOption, ...jsonOption },
    examples: [`mega oracle capability ${name} winner`],
    async run({ values, positionals }, io) {
      const [label] = positionals
      if (label === undefined || positionals.length > 1)
        throw new CliError(`give one capability label (usage: ${this.usage})`, 2)
      const { dir, root } = await unlock(values, io)
      const record = await switchCapability(dir, root, label, name === 'off')
      output(
        io,
        Boolean(values.json),
        record,
        `${record.label} is ${name} (seqNo ${record.ad.seqNo}); run \`mega oracle advertise\` to tell the nodes`,
      )
      return 0
    },
  }
}

const drop: Command = {
  name: 'drop',
  summary: 'Forget a switched-off capability',
  usage: 'mega oracle capability drop <label> [--force] [--dir D]',
  options: { ...dirOption, force: { type: 'boolean', description: 'drop even if it is on' }, ...jsonOption },
  examples: ['mega oracle capability drop winner-v1'],
  async run({ values, positionals }, io) {
    const [label] = positionals
    if (label === undefined || positionals.length > 1)
      throw new CliError(`give one capability label (usage: ${this.usage})`, 2)
    const record = await dropCapability(oracleDir(values), label, Boolean(values.force))
    output(io, Boolean(values.json), { dropped: record.label }, `dropped ${record.label}`)
    return 0
  },
}

export const oracleCapabilityCommand = commandGroup({
  name: 'capability',
  summary: 'Manage capabilities: add, list, off, on, drop (update = off the old + add a new one)',
  usage: 'mega oracle capability <add|list|off|on|drop> [options]',
  examples: ['mega oracle capability list', 'mega oracle capability off winner'],
  subcommands: [add, list, switcher('off'), switcher('on'), drop],
})
