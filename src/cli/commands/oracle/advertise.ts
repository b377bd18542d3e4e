/** `mega oracle advertise`: announce the ad and capabilities to nodes, again on an interval. */
import {
  advertiseLoop,
  advertiseRound,
  minedAd,
  type NodeAnnouncement,
  type PostOutcome,
} from '../../../oracle/index.ts'
import { CliError, type Command, integerFlag } from '../../command.ts'
import { dirOption, interruptible, jsonOption, passphraseOption, unlock } from './common.ts'

export const oracleAdvertiseCommand: Command = {
  name: 'advertise',
  summary: 'Announce the oracle ad and capabilities to nodes; re-announce on an interval',
  usage: 'mega oracle advertise --node URL… [--once] [--interval S] [--mine-up-to N] [--dir D]',
  options: {
    node: {
      type: 'string',
      multiple: true,
      description: 'a node’s REST URL (repeatable, required)',
      placeholder: 'url',
    },
    once: { type: 'boolean', description: 'one round, then exit (exit code 1 if a node refused)' },
    interval: { type: 'string', description: 'seconds between rounds (default 600)', placeholder: 'S' },
    'mine-up-to': {
      type: 'string',
      description: 'mine more when a node asks, up to this many bits',
      placeholder: 'N',
    },
    threads: { type: 'string', description: 'mining threads (default: all cores)', placeholder: 'N' },
    ...dirOption,
    ...passphraseOption,
    ...jsonOption,
  },
  examples: [
    'mega oracle advertise --node http://127.0.0.1:8080 --once',
    'mega oracle advertise --node https://n1.example --node https://n2.example --mine-up-to 28',
  ],
  async run({ values }, io) {
    const nodes = (values.node as string[] | undefined) ?? []
    if (nodes.length === 0) throw new CliError('give at least one --node URL', 2)
    const interval = integerFlag(values.interval, 'interval', 1, 86_400) ?? 600
    const mineUpTo = integerFlag(values['mine-up-to'], 'mine-up-to', 0, 64)
    const threads = integerFlag(values.threads, 'threads', 1, 256)
    const { dir, root, state } = await unlock(values, io)
    minedAd(state)
    const json = Boolean(values.json)
    let refused = false
    const options = {
      dir,
      root,
      nodes,
      intervalMs: interval * 1000,
      ...(mineUpTo !== undefined && { mineUpToBits: mineUpTo }),
      ...(threads !== undefined && { threads }),
      onRound: (round: NodeAnnouncement[]) => {
        refused = round.some((node) => !fine(node.oracle) || node.capabilities.some((c) => !fine(c.outcome)))
        io.stdout.write(json ? `${JSON.stringify({ round })}\n` : describeRound(round))
      },
      onMining: (what: string, bits: number) =>
        io.stderr.write(json ? '' : `mining ${what} up to ${bits} bits, as a node asks…\n`),
    }
    if (values.once) {
      await advertiseRound(options)
      return refused ? 1 : 0
    }
    await interruptible((signal) => advertiseLoop({ ...options, signal }))
    return 0
  },
}

function fine(outcome: PostOutcome): boolean {
  return outcome.status >= 200 && outcome.status < 300
}

/** One line per node and message, saying what it needs when it refused. */
function describeRound(round: readonly NodeAnnouncement[]): string {
  const lines: string[] = []
  for (const node of round) {
    if (node.evicted) lines.push(`${node.node}: EVICTED the oracle since the last round`)
    lines.push(`${node.node}: oracle ${describe(node.oracle)}`)
    if (node.atRisk && node.pool) {
      lines.push(
        `${node.node}: AT RISK: the oracle pool is full (${node.pool.count}/${node.pool.capacity}) and its floor is ${node.pool.floorBits.toFixed(2)} bits against your ${node.adBits}: mine more before you are evicted`,
      )
    }
    for (const { label, outcome } of node.capabilities)
      lines.push(`${node.node}:   ${label} ${describe(outcome)}`)
  }
  return `${lines.join('\n')}\n`
}

function describe(outcome: PostOutcome): string {
  if (outcome.result === 'low-pow') {
    const floor = outcome.floorBits !== undefined ? ` (pool floor ${outcome.floorBits.toFixed(2)} bits)` : ''
    return `needs ${outcome.requiredBits ?? '?'} bits of work${floor}: mine more (--mine-up-to) or wait for the floor to decay`
  }
  if (outcome.result === 'refused')
    return `refused: ${outcome.code ?? outcome.status} ${outcome.message ?? ''}`
  if (outcome.result === 'unreachable') return `unreachable: ${outcome.message ?? ''}`
  return outcome.result
}
