/**
 * `mega trader report`, `detect`, `verify-reports`: filing reports of every kind with their
 * evidence (checked before any work is spent), proposing them from stored evidence, and
 * judging the reports nodes hold.
 */
import type { MessageByKind, ReportContent } from '../../../protocol/messages/index.ts'
import { LIMITS, REPORT_TYPES } from '../../../protocol/messages/index.ts'
import {
  adCollision,
  factConflict,
  factDisagreesWithPublic,
  factMissing,
  freeForm,
} from '../../../trader/reports.ts'
import type { Posted, Trader } from '../../../trader/trader.ts'
import { CliError, type CliIo, type Command, integerFlag, type ParsedArgs } from '../../command.ts'
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

type EvidenceKind = 'fact' | 'commitment' | 'oracle' | 'capability'

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

function list(values: ParsedArgs['values'], name: string): string[] {
  return (values[name] as string[] | undefined) ?? []
}

async function buildContent(
  trader: Trader,
  type: string,
  values: ParsedArgs['values'],
  stdin: NodeJS.ReadableStream,
): Promise<{ oracle: string; content: ReportContent }> {
  const load = <K extends EvidenceKind>(ref: string, kinds: readonly K[]) =>
    evidence(trader, ref, kinds, stdin)
  const links = list(values, 'link')
  const comment = typeof values.comment === 'string' ? values.comment : undefined
  switch (type) {
    case 'fact-conflict': {
      const refs = list(values, 'fact')
      if (refs.length !== 2) throw new CliError('fact-conflict needs exactly two --fact (id or file)', 2)
      const first = await load(refs[0]!, ['fact'])
      const second = await load(refs[1]!, ['fact'])
      const capability = await trader.capability(first.request.capability)
      const counter =
        second.request.capability === capability.capabilityKey
          ? undefined
          : await trader.capability(second.request.capability)
      return { oracle: capability.oracle, content: factConflict(capability, [first, second], counter) }
    }
    case 'fact-missing': {
      if (typeof values.commitment !== 'string')
        throw new CliError('fact-missing needs --commitment (id or file)', 2)
      const commitment = await load(values.commitment, ['commitment'])
      const capability = await trader.capability(commitment.request.capability)
      return { oracle: capability.oracle, content: factMissing(capability, commitment) }
    }
    case 'ad-collision': {
      const refs = list(values, 'ad')
      if (refs.length !== 2) throw new CliError('ad-collision needs exactly two --ad (id or file)', 2)
      const first = await load(refs[0]!, ['oracle', 'capability'])
      const second = await load(refs[1]!, ['oracle', 'capability'])
      if (first.kind !== second.kind) throw new CliError('the two --ad must be of the same kind', 2)
      const oracle = first.kind === 'oracle' ? first.pubkey : first.oracle
      return { oracle, content: adCollision([first, second] as never) }
    }
    case 'fact-disagrees-with-public': {
      if (list(values, 'fact').length !== 1)
        throw new CliError('fact-disagrees-with-public needs one --fact (id or file)', 2)
      if (comment === undefined) throw new CliError('fact-disagrees-with-public needs --comment', 2)
      const fact = await load(list(values, 'fact')[0]!, ['fact'])
      const capability = await trader.capability(fact.request.capability)
      return {
        oracle: capability.oracle,
        content: factDisagreesWithPublic(capability, fact, links, comment),
      }
    }
    case 'free-form': {
      const oracle = hexKey(values.oracle as string | undefined, '--oracle')
      if (comment === undefined) throw new CliError('free-form needs --comment', 2)
      return { oracle, content: freeForm(comment, links) }
    }
    default:
      throw new CliError(`<kind> must be one of ${REPORT_TYPES.join(', ')}, got "${type}"`, 2)
  }
}

export const reportCommand: Command = {
  name: 'report',
  summary: 'Build, check, mine and post a report (fact-conflict, fact-missing, ad-collision, …)',
  usage:
    'mega trader report <kind> [--fact ID|FILE]… [--commitment ID|FILE] [--ad ID|FILE]… [--oracle KEY] [--link URL]… [--comment TEXT] [--anonymous] [--bits N] [--dry-run]',
  options: {
    ...nodeOptions,
    ...workOptions,
    ...clockSkewOption,
    fact: {
      type: 'string',
      multiple: true,
      description: 'a fact: id in the store or JSON file',
      placeholder: 'id|file',
    },
    commitment: {
      type: 'string',
      description: 'a commitment: id in the store or JSON file',
      placeholder: 'id|file',
    },
    ad: {
      type: 'string',
      multiple: true,
      description: 'an oracle or capability ad: id or file',
      placeholder: 'id|file',
    },
    oracle: { type: 'string', description: 'the oracle reported (free-form)', placeholder: 'key' },
    link: { type: 'string', multiple: true, description: 'a public source, repeatable', placeholder: 'url' },
    comment: { type: 'string', description: 'what is wrong, for people', placeholder: 'text' },
    anonymous: { type: 'boolean', description: 'do not sign with the trader key' },
    'dry-run': { type: 'boolean', description: 'check and print the verdict; mine and post nothing' },
  },
  examples: [
    'mega trader report fact-conflict --fact 1c9e… --fact 77ab…',
    'mega trader report fact-missing --commitment 5d01… --bits 20',
    'mega trader report free-form --oracle 8a88… --comment "answers a day late" --link https://example.org/log',
  ],
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
