/** `mega oracle dispute`: answer fact-missing reports against this oracle with the signed fact. */
import { NodeClient } from '../../../client/index.ts'
import {
  AnswerJournal,
  type DisputeOutcome,
  disputeAll,
  disputeReport,
  listMissingReports,
  oracleFiles,
  servedCapabilities,
} from '../../../oracle/index.ts'
import { CliError, type Command } from '../../command.ts'
import { dirOption, jsonOption, output, passphraseOption, unlock } from './common.ts'

export const oracleDisputeCommand: Command = {
  name: 'dispute',
  summary: 'Answer a fact-missing report (or all of them with --all) with the signed fact',
  usage: 'mega oracle dispute <report-id> --node URL… | mega oracle dispute --all --node URL…',
  options: {
    node: {
      type: 'string',
      multiple: true,
      description: 'node REST URL (repeatable, required)',
      placeholder: 'url',
    },
    all: { type: 'boolean', description: 'every open fact-missing report against this oracle' },
    ...dirOption,
    ...passphraseOption,
    ...jsonOption,
  },
  examples: [
    'mega oracle dispute 84723de5… --node http://127.0.0.1:8080',
    'mega oracle dispute --all --node http://127.0.0.1:8080',
  ],
  async run({ values, positionals }, io) {
    const nodes = (values.node as string[] | undefined) ?? []
    if (nodes.length === 0) throw new CliError('give at least one --node URL', 2)
    const [reportId] = positionals
    if ((reportId === undefined) === !values.all || positionals.length > 1) {
      throw new CliError(`give one report id, or --all (usage: ${this.usage})`, 2)
    }
    if (reportId !== undefined && !/^[0-9a-f]{64}$/.test(reportId))
      throw new CliError('a report id is 64 lowercase hex digits', 2)
    const { dir, state, root } = await unlock(values, io)
    const capabilities = servedCapabilities(state, root)
    const journal = await AnswerJournal.open(oracleFiles(dir).journal)
    let outcomes: DisputeOutcome[] = []
    if (values.all) {
      outcomes = await disputeAll(nodes, root.publicKey, capabilities, journal)
    } else {
      for (const url of nodes) {
        const client = new NodeClient({ url })
        const report = (await listMissingReports(client, root.publicKey)).find(
          (candidate) => candidate.id === reportId,
        )
        outcomes.push(
          report
            ? await disputeReport(client, report, capabilities, journal)
            : {
                node: url,
                report: reportId!,
                result: 'not-ours',
                reason: 'no such fact-missing report against this oracle',
              },
        )
      }
    }
    const lines = outcomes.map(
      (o) =>
        `${o.node} ${o.report.slice(0, 16)}… ${o.result}${o.answer ? ` (${o.answer})` : ''}${o.reason ? `: ${o.reason}` : ''}`,
    )
    output(io, Boolean(values.json), outcomes, lines.join('\n') || 'no open fact-missing reports')
    return outcomes.every((o) => o.result === 'disputed' || o.result === 'already-disputed') ? 0 : 1
  },
}
