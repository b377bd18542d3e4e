/**
 * `mega trader report`, `detect`, `verify-reports`: filing reports of every kind with their
 * evidence (checked before any work is spent), proposing them from stored evidence, and
 * judging the reports nodes hold.
 */
import {
  type EvidenceKind,
  LIMITS,
  type MessageByKind,
  REPORT_KINDS,
  type ReportContent,
  type ReportFlag,
} from '../../../protocol/index.ts'
import type { Posted, Trader } from '../../../trader/index.ts'
import {
  CliError,
  type CliIo,
  type Command,
  type CommandOption,
  integerFlag,
  type ParsedArgs,
} from '../../command.ts'
import {
  clockSkewOption,
  hexKey,
  nodeOptions,
  postedLines,
  print,
  readJson,
  short,
  withKeyedTrader,
  withMining,
  withTrader,
  workOptions,
} from './common.ts'

/** A message named by its id in the store, or read from a file (checked, then stored). */
async function evidence<K extends EvidenceKind>(
  trader: Trader,
  ref: string,
  kinds: readonly K[],
  stdin: NodeJS.ReadableStream,
): Promise<MessageByKind[K]> {
  if (/^[0-9a-f]{64}$/.test(ref)) {
    const stored = trader.store.get(ref)
    if (!stored) throw new CliError(`no message ${ref} in the trader store`)
    if (!(kinds as readonly string[]).includes(stored.message.kind))
      throw new CliError(`${ref} is a ${stored.message.kind}, not a ${kinds.join(' or ')}`)
    return stored.message as MessageByKind[K]
  }
  const value = await readJson(ref, stdin, LIMITS.manifestBytes)
  const kind = (value as { kind?: unknown } | null)?.kind
  if (!(kinds as readonly unknown[]).includes(kind))
    throw new CliError(`${ref} must hold a ${kinds.join(' or ')}`)
  trader.store.put(value, { origin: `file:${ref}` })
  return value as MessageByKind[K]
}

/** The report's content and oracle, built by its kind's spec from the flags. */
async function buildContent(
  trader: Trader,
  type: string,
  values: ParsedArgs['values'],
  stdin: NodeJS.ReadableStream,
): Promise<{ oracle: string; content: ReportContent }> {
  const spec = REPORT_KINDS.find((kind) => kind.type === type)
  if (!spec) throw new CliError(`<kind> must be one of ${reportTypes().join(', ')}, got "${type}"`, 2)
  const built = await spec.build({
    values,
    load: (ref, kinds) => evidence(trader, ref, kinds, stdin),
    capability: (key) => trader.capability(key),
    key: (value, flag) => hexKey(value as string | undefined, flag),
    usage: (message) => {
      throw new CliError(message, 2)
    },
  })
  return built as { oracle: string; content: ReportContent }
}

function reportTypes(): string[] {
  return REPORT_KINDS.map((kind) => kind.type)
}

/**
 * The flags of every report kind, once each: evidence flags (what the report is about) first,
 * then text flags (links, comments), each group in the order the kinds declare them.
 */
function reportFlags(): [string, ReportFlag][] {
  const flags = new Map<string, ReportFlag>()
  for (const kind of REPORT_KINDS)
    for (const [name, flag] of Object.entries(kind.flags)) if (!flags.has(name)) flags.set(name, flag)
  const all = [...flags]
  return [
    ...all.filter(([, flag]) => flag.group === 'evidence'),
    ...all.filter(([, flag]) => flag.group === 'text'),
  ]
}

function flagOption({ type, multiple, description, placeholder }: ReportFlag): CommandOption {
  return { type, description, ...(multiple && { multiple }), ...(placeholder && { placeholder }) }
}

function flagUsage([name, flag]: [string, ReportFlag]): string {
  const value = flag.type === 'string' ? ` ${(flag.placeholder ?? 'value').toUpperCase()}` : ''
  return `[--${name}${value}]${flag.multiple ? '…' : ''}`
}

/** `mega trader report`: its flags, usage and examples come from the report kinds' specs. */
export const reportCommand: Command = {
  name: 'report',
  get summary() {
    return `Build, check, mine and post a report (${reportTypes().slice(0, 3).join(', ')}, …)`
  },
  get usage() {
    const flags = reportFlags().map(flagUsage).join(' ')
    return `mega trader report <kind> ${flags} [--anonymous] [--bits N] [--dry-run]`
  },
  get options() {
    return {
      ...nodeOptions,
      ...workOptions,
      ...clockSkewOption,
      ...Object.fromEntries(reportFlags().map(([name, flag]) => [name, flagOption(flag)])),
      anonymous: { type: 'boolean', description: 'do not sign with the trader key' },
      'dry-run': { type: 'boolean', description: 'check and print the verdict; mine and post nothing' },
    } satisfies Record<string, CommandOption>
  },
  get examples() {
    return REPORT_KINDS.flatMap((kind) => (kind.example ? [kind.example] : []))
  },
  async run({ values, positionals }, io) {
    const [type, ...extra] = positionals
    if (type === undefined || extra.length > 0) throw new CliError(`usage: ${this.usage}`, 2)
    return (values.anonymous ? withTrader : withKeyedTrader)(values, async (trader) => {
      const { oracle, content } = await buildContent(trader, type, values, io.stdin)
      if (values['dry-run']) {
        const { verdict, draft } = trader.checkReport(oracle, content, values.anonymous === true)
        print(io, values, { verdict, draft }, () => [`the report would be accepted: ${verdict}`])
        return 0
      }
      return file(trader, oracle, content, values, io)
    })
  },
}

async function file(
  trader: Trader,
  oracle: string,
  content: ReportContent,
  values: ParsedArgs['values'],
  io: CliIo,
): Promise<number> {
  return withMining(values, io, async (work) => {
    const filed = await trader.fileReport(oracle, content, { ...work, anonymous: values.anonymous === true })
    const { lines, ok } = postedLines(filed.posted)
    print(io, values, filed, () => [
      `report ${filed.id} (${content.type}, ${filed.verdict}, ${filed.report.pow.bits} bits) against ${oracle}`,
      ...lines,
    ])
    return ok ? 0 : 1
  })
}

export const detectCommand: Command = {
  name: 'detect',
  summary:
    'Propose reports from stored evidence (conflicting facts, missed deadlines, ad collisions); --auto files them',
  usage: 'mega trader detect [--auto] [--grace SECONDS] [--bits N] [--anonymous] [--node URL]…',
  options: {
    ...nodeOptions,
    ...workOptions,
    ...clockSkewOption,
    auto: {
      type: 'boolean',
      description: 'file every verified proposal (subjective ones are only proposed)',
    },
    grace: {
      type: 'string',
      description: 'seconds after a deadline before a fact counts as missing (default 300)',
      placeholder: 'S',
    },
    anonymous: { type: 'boolean', description: 'do not sign filed reports with the trader key' },
  },
  examples: ['mega trader detect', 'mega trader detect --auto --bits 20'],
  async run({ values }, io) {
    const grace = integerFlag(values.grace, 'grace', 0, 86_400) ?? 300
    return (values.auto && !values.anonymous ? withKeyedTrader : withTrader)(values, async (trader) => {
      const proposals = trader.detect(grace)
      const filed: { id: string; ok: boolean; posted: Posted[] }[] = []
      if (values.auto) {
        for (const proposal of proposals.filter((p) => p.verdict === 'verified')) {
          const result = await withMining(values, io, (work) =>
            trader.fileReport(proposal.oracle, proposal.content, {
              ...work,
              anonymous: values.anonymous === true,
            }),
          )
          filed.push({ id: result.id, ok: postedLines(result.posted).ok, posted: result.posted })
        }
      }
      print(io, values, { proposals, filed }, () => [
        ...(proposals.length === 0 ? ['nothing to report'] : []),
        ...proposals.map(
          (p) =>
            `${p.verdict.padEnd(10)} ${p.content.type.padEnd(14)} against ${short(p.oracle)}  ${p.reason}`,
        ),
        // Each node's answer, as `mega trader report` prints it.
        ...filed.flatMap((f) => [
          `filed ${f.id}${f.ok ? '' : ' (no node took it)'}`,
          ...postedLines(f.posted).lines,
        ]),
        ...(values.auto || proposals.length === 0 ? [] : ['file them with: mega trader detect --auto']),
      ])
      return filed.every((f) => f.ok) ? 0 : 1
    })
  },
}

export const verifyReportsCommand: Command = {
  name: 'verify-reports',
  summary: 'Judge every report nodes hold against an oracle: verified, refuted, subjective or disputed',
  usage: 'mega trader verify-reports --oracle KEY [--node URL]…',
  options: {
    ...nodeOptions,
    oracle: {
      type: 'string',
      description: 'the oracle whose reports to verify (required)',
      placeholder: 'key',
    },
  },
  examples: ['mega trader verify-reports --oracle 8a88e3dd…'],
  async run({ values }, io) {
    const oracle = hexKey(values.oracle as string | undefined, '--oracle')
    return withTrader(values, async (trader) => {
      const rows = await trader.verifyReports(oracle)
      print(io, values, { oracle, reports: rows }, () =>
        rows.length === 0
          ? ['no reports against this oracle']
          : rows.map(
              (row) =>
                `${row.verdict.padEnd(10)} ${row.type.padEnd(26)} ${String(row.bits).padStart(3)} bits  ${row.id}${'reason' in row && row.reason ? `  ${row.reason}` : ''}`,
            ),
      )
      return 0
    })
  },
}

export const conflictsCommand: Command = {
  name: 'conflicts',
  summary:
    'List the conflicts nodes caught in their fact pools (an oracle that signed two answers); --file files them',
  usage: 'mega trader conflicts [--file] [--bits N] [--anonymous] [--node URL]…',
  options: {
    ...nodeOptions,
    ...workOptions,
    ...clockSkewOption,
    file: { type: 'boolean', description: 'mine and post a report for each verified conflict not yet filed' },
    anonymous: { type: 'boolean', description: 'do not sign filed reports with the trader key' },
  },
  examples: ['mega trader conflicts --node http://127.0.0.1:8080', 'mega trader conflicts --file --bits 20'],
  async run({ values }, io) {
    return (values.file && !values.anonymous ? withKeyedTrader : withTrader)(values, async (trader) => {
      const { conflicts, rejected } = await trader.nodeConflicts()
      const filed: { id: string; subject: string; ok: boolean }[] = []
      if (values.file) {
        for (const conflict of conflicts.filter((c) => c.verdict === 'verified' && !c.filed)) {
          const result = await withMining(values, io, (work) =>
            trader.fileReport(conflict.oracle, conflict.content, {
              ...work,
              anonymous: values.anonymous === true,
            }),
          )
          filed.push({ id: result.id, subject: conflict.subject, ok: postedLines(result.posted).ok })
        }
      }
      print(io, values, { conflicts, rejected, filed }, () => [
        ...(conflicts.length === 0 ? ['no conflicts held by the nodes'] : []),
        ...conflicts.map(
          (c) =>
            `${c.verdict.padEnd(10)} ${c.type.padEnd(18)} against ${short(c.oracle)}  ${c.content.type}${c.filed ? '  (filed)' : ''}  from ${c.nodes.join(', ')}`,
        ),
        ...rejected.map((r) => `ignored ${r.node}: ${r.reason}`),
        ...filed.map((f) => `filed ${f.id}${f.ok ? '' : ' (no node took it)'}`),
        ...(values.file || !conflicts.some((c) => c.verdict === 'verified' && !c.filed)
          ? []
          : ['file them with: mega trader conflicts --file']),
      ])
      return filed.every((f) => f.ok) ? 0 : 1
    })
  },
}
