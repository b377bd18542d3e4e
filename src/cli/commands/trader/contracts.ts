/**
 * `mega trader contract …`: a finalized offer becomes a Bitcoin contract (DLC) that settles on
 * the oracle's attestation. Messages travel as files (or URLs) between the two traders; coins are
 * signed by the user's own wallet through PSBTs (docs/contracts.md).
 */
import { writeFile } from 'node:fs/promises'
import {
  type ContractMessage,
  type ContractRecord,
  cetsOf,
  commitmentsOf,
  contractState,
  DEFAULT_MAX_FEE_RATE,
  DEFAULT_MAX_REFUND_DELAY,
  deadlineOf,
  exportAcceptDlc,
  exportSignDlc,
  importDlcspecs,
  NETWORKS,
  type Network,
  parseContractMessage,
  type Settlement,
  serializeContractMessage,
} from '../../../contracts/index.ts'
import { type Commitment, type Fact, quorumThreshold } from '../../../protocol/index.ts'
import {
  acceptContract,
  broadcast,
  checkMessage,
  finalizeContract,
  listContractIds,
  loadContract,
  proposeContract,
  refundContract,
  settleContract,
  signContract,
} from '../../../trader/index.ts'
import {
  CliError,
  type CliIo,
  type Command,
  commandGroup,
  integerFlag,
  type ParsedArgs,
} from '../../command.ts'
import { readInput } from '../../input.ts'
import {
  dataDir,
  hexKey,
  nodeOptions,
  postedLines,
  print,
  withKeyedTrader,
  withMining,
  workOptions,
} from './common.ts'

const MAX_MESSAGE_BYTES = 4 * 1024 * 1024

const outOption = {
  out: {
    type: 'string' as const,
    description: 'write the result to this file (default: standard output)',
    placeholder: 'file',
  },
}
const walletOptions = {
  psbt: { type: 'string' as const, description: 'PSBT file (base64) from your wallet', placeholder: 'file' },
  'payout-address': {
    type: 'string' as const,
    description: 'where your winnings go (required)',
    placeholder: 'address',
  },
  'change-address': {
    type: 'string' as const,
    description: 'where the change of your coins goes (required)',
    placeholder: 'address',
  },
}
const broadcastOption = {
  broadcast: {
    type: 'string' as const,
    description: 'post the transaction to this Esplora API (POST <url>/tx)',
    placeholder: 'url',
  },
}

/** Reads a file, standard input (`-`) or an http(s) URL. */
async function readSource(source: string, io: CliIo): Promise<string> {
  if (!/^https?:\/\//.test(source)) return readInput(source, io.stdin, MAX_MESSAGE_BYTES)
  const response = await fetch(source, { signal: AbortSignal.timeout(20_000) }).catch((error: Error) => {
    throw new CliError(`cannot fetch ${source}: ${error.message}`)
  })
  if (!response.ok) throw new CliError(`cannot fetch ${source}: HTTP ${response.status}`)
  const text = await response.text()
  if (text.length > MAX_MESSAGE_BYTES)
    throw new CliError(`${source} is larger than ${MAX_MESSAGE_BYTES} bytes`)
  return text
}

function required(values: ParsedArgs['values'], flag: string): string {
  const value = values[flag]
  if (typeof value !== 'string' || value === '') throw new CliError(`--${flag} is required`, 2)
  return value
}

async function walletSide(values: ParsedArgs['values'], io: CliIo) {
  return {
    walletPsbt: await readSource(required(values, 'psbt'), io),
    payoutAddress: required(values, 'payout-address'),
    changeAddress: required(values, 'change-address'),
  }
}

/** Writes `text` to `--out` (saying so on stderr) or prints it. */
async function emit(values: ParsedArgs['values'], io: CliIo, text: string, what: string): Promise<void> {
  const out = values.out
  if (typeof out === 'string') {
    await writeFile(out, `${text}\n`)
    io.stderr.write(`${what} written to ${out}\n`)
  } else io.stdout.write(`${text}\n`)
}

async function emitMessage(values: ParsedArgs['values'], io: CliIo, message: ContractMessage, next: string) {
  await emit(values, io, serializeContractMessage(message), message.type)
  io.stderr.write(`${next}\n`)
}

/** Prints a signed transaction for `sendrawtransaction`, or posts it with `--broadcast`. */
async function emitTransaction(
  values: ParsedArgs['values'],
  io: CliIo,
  tx: string,
  summary: string,
): Promise<void> {
  io.stderr.write(`${summary}\n`)
  const url = values.broadcast
  if (typeof url === 'string') {
    const txid = await broadcast(url, tx)
    io.stdout.write(`${values.json ? JSON.stringify({ txid, tx }) : `broadcast: ${txid}`}\n`)
  } else await emit(values, io, values.json ? JSON.stringify({ tx }) : tx, 'transaction')
}

function settlementLine(settlement: Settlement): string {
  const what = settlement.answer === '' ? 'refund' : `CET for "${settlement.answer}"`
  return `${what} ${settlement.txid}: originator ${settlement.payout.originator}, acceptor ${settlement.payout.acceptor} sat (before fees); send with bitcoin-cli sendrawtransaction or --broadcast`
}

const proposeCommand: Command = {
  name: 'propose',
  summary: 'Originator: propose the contract of your finalized offer, funded from your wallet’s PSBT',
  usage:
    'mega trader contract propose <offer-key> --psbt FILE --payout-address A --change-address A [--fee-rate SAT/VB] [--refund-locktime UNIX] [--network NAME] [--out FILE]',
  options: {
    ...nodeOptions,
    ...walletOptions,
    ...outOption,
    'fee-rate': {
      type: 'string',
      description: 'fee rate of the contract transactions, sat/vB (default 2)',
      placeholder: 'N',
    },
    'refund-locktime': {
      type: 'string',
      description: 'Unix time from which the refund is valid (default: the commitment deadline + 7 days)',
      placeholder: 'T',
    },
    network: {
      type: 'string',
      description: `${NETWORKS.join(', ')} (default: from the offer's chain)`,
      placeholder: 'name',
    },
  },
  examples: [
    'mega trader contract propose 2f40… --psbt coins.psbt --payout-address bcrt1q… --change-address bcrt1q… --out proposal.json',
  ],
  async run({ values, positionals }, io) {
    const [key, ...extra] = positionals
    if (extra.length > 0) throw new CliError(`usage: ${this.usage}`, 2)
    const offerKey = hexKey(key, '<offer-key>')
    const feeRate = integerFlag(values['fee-rate'], 'fee-rate', 1, 10_000) ?? 2
    const refundLocktime = integerFlag(values['refund-locktime'], 'refund-locktime', 500_000_000, 2 ** 32 - 1)
    const network = values.network
    if (network !== undefined && !NETWORKS.includes(network as Network))
      throw new CliError(`--network must be one of ${NETWORKS.join(', ')}`, 2)
    const side = await walletSide(values, io)
    return withKeyedTrader(values, async (trader) => {
      const { record, message } = await proposeContract(trader, offerKey, {
        ...side,
        feeRate,
        ...(refundLocktime !== undefined && { refundLocktime }),
        ...(network !== undefined && { network: network as Network }),
      })
      await emitMessage(
        values,
        io,
        message,
        `contract ${record.id} proposed: send the proposal to the acceptor (mega trader contract accept)`,
      )
      return 0
    })
  },
}

const acceptContractCommand: Command = {
  name: 'accept',
  summary: 'Acceptor: check a proposal, fund it from your wallet’s PSBT, return your signatures',
  usage:
    'mega trader contract accept <proposal-file|url|-> --psbt FILE --payout-address A --change-address A [--max-fee-rate SAT/VB] [--max-refund-delay S] [--out FILE]',
  options: {
    ...nodeOptions,
    ...walletOptions,
    ...outOption,
    'max-fee-rate': {
      type: 'string',
      description: `highest fee rate you pay your share at, sat/vB (default ${DEFAULT_MAX_FEE_RATE})`,
      placeholder: 'N',
    },
    'max-refund-delay': {
      type: 'string',
      description: `longest wait for the refund after the oracle's deadline, seconds (default ${DEFAULT_MAX_REFUND_DELAY}: 30 days)`,
      placeholder: 'S',
    },
  },
  examples: [
    'mega trader contract accept proposal.json --psbt coins.psbt --payout-address bcrt1q… --change-address bcrt1q… --out accept.json',
  ],
  async run({ values, positionals }, io) {
    const [source, ...extra] = positionals
    if (source === undefined || extra.length > 0) throw new CliError(`usage: ${this.usage}`, 2)
    const proposal = parseContractMessage(await readSource(source, io), 'mega-contract-offer')
    const maxFeeRate = integerFlag(values['max-fee-rate'], 'max-fee-rate', 1, 10_000)
    const maxRefundDelay = integerFlag(
      values['max-refund-delay'],
      'max-refund-delay',
      3_600,
      10 * 365 * 86_400,
    )
    const side = await walletSide(values, io)
    return withKeyedTrader(values, async (trader) => {
      const { record, message } = await acceptContract(trader, proposal, {
        ...side,
        ...(maxFeeRate !== undefined && { maxFeeRate }),
        ...(maxRefundDelay !== undefined && { maxRefundDelay }),
      })
      await emitMessage(
        values,
        io,
        message,
        `contract ${record.id} accepted: send it to the originator (mega trader contract sign)`,
      )
      return 0
    })
  },
}

const signContractCommand: Command = {
  name: 'sign',
  summary:
    'Originator: check the accept; without --psbt print the funding PSBT for your wallet, with it the sign message',
  usage: 'mega trader contract sign <accept-file|url|-> [--psbt WALLET-SIGNED-FILE] [--out FILE]',
  options: { ...nodeOptions, psbt: walletOptions.psbt, ...outOption },
  examples: [
    'mega trader contract sign accept.json --out funding.psbt   # then: bitcoin-cli walletprocesspsbt "$(cat funding.psbt)"',
    'mega trader contract sign accept.json --psbt signed.psbt --out sign.json',
  ],
  async run({ values, positionals }, io) {
    const [source, ...extra] = positionals
    if (source === undefined || extra.length > 0) throw new CliError(`usage: ${this.usage}`, 2)
    const message = parseContractMessage(await readSource(source, io), 'mega-contract-accept')
    const signed = typeof values.psbt === 'string' ? (await readSource(values.psbt, io)).trim() : undefined
    return withKeyedTrader(values, async (trader) => {
      const result = await signContract(trader, message, signed)
      if ('fundingPsbt' in result) {
        await emit(values, io, result.fundingPsbt, 'funding PSBT')
        io.stderr.write(
          'the accept verifies: sign the funding PSBT with your wallet, then run again with --psbt\n',
        )
      } else {
        await emitMessage(
          values,
          io,
          result.message,
          `contract ${result.record.id} signed: send it to the acceptor (mega trader contract finalize)`,
        )
      }
      return 0
    })
  },
}

const finalizeContractCommand: Command = {
  name: 'finalize',
  summary:
    'Acceptor: check the sign message; without --psbt print the funding PSBT, with it the signed funding transaction',
  usage:
    'mega trader contract finalize <sign-file|url|-> [--psbt WALLET-SIGNED-FILE] [--broadcast URL] [--out FILE]',
  options: { ...nodeOptions, psbt: walletOptions.psbt, ...outOption, ...broadcastOption },
  examples: [
    'mega trader contract finalize sign.json --psbt signed.psbt --broadcast https://mempool.space/signet/api',
  ],
  async run({ values, positionals }, io) {
    const [source, ...extra] = positionals
    if (source === undefined || extra.length > 0) throw new CliError(`usage: ${this.usage}`, 2)
    const message = parseContractMessage(await readSource(source, io), 'mega-contract-sign')
    const signed = typeof values.psbt === 'string' ? (await readSource(values.psbt, io)).trim() : undefined
    return withKeyedTrader(values, async (trader) => {
      const result = await finalizeContract(trader, message, signed)
      if ('fundingPsbt' in result) {
        await emit(values, io, result.fundingPsbt, 'funding PSBT')
        io.stderr.write(
          'the sign message verifies: sign the funding PSBT with your wallet, then run again with --psbt\n',
        )
      } else {
        await emitTransaction(
          values,
          io,
          result.fundingTx,
          `contract ${result.record.id} funded: the funding transaction is complete`,
        )
      }
      return 0
    })
  },
}

const settleCommand: Command = {
  name: 'settle',
  summary: 'Complete the CET of the answer the oracle attested (fact fetched from its endpoint, or --fact)',
  usage:
    'mega trader contract settle <contract-id> [--fact FILE] [--wait SECONDS] [--broadcast URL] [--out FILE] [--bits N]',
  options: {
    ...nodeOptions,
    ...workOptions,
    ...outOption,
    ...broadcastOption,
    fact: {
      type: 'string',
      multiple: true,
      description:
        'the oracle’s fact (JSON file) instead of asking its endpoint; with a quorum, once per fact',
      placeholder: 'file',
    },
    wait: { type: 'string', description: 'seconds to wait for the fact (default 0)', placeholder: 'S' },
  },
  examples: ['mega trader contract settle 7c1e… --wait 60'],
  async run({ values, positionals }, io) {
    const [id, ...extra] = positionals
    if (id === undefined || extra.length > 0) throw new CliError(`usage: ${this.usage}`, 2)
    const wait = integerFlag(values.wait, 'wait', 0, 86_400) ?? 0
    const facts: Fact[] = []
    const files = values.fact === undefined ? [] : ([] as Array<string | boolean>).concat(values.fact)
    for (const file of files) {
      if (typeof file !== 'string') continue
      facts.push(checkMessage(JSON.parse(await readSource(file, io)), 'fact', file))
    }
    return withKeyedTrader(values, async (trader) => {
      // A cheating oracle's fact-conflict report is mined with --bits and filed on the spot.
      const result = await withMining(values, io, (report) =>
        settleContract(trader, id, { ...(facts.length > 0 && { facts }), waitSeconds: wait, report }),
      )
      if (result.equivocation) {
        const { answers, counterpartyCanPublish, capability } = result.equivocation
        // A numeric contract has hundreds of CETs: name the first few.
        const named = counterpartyCanPublish
          .slice(0, 8)
          .map((entry) => `"${entry.answer}" (${entry.counterpartyGets} sat to them)`)
        if (counterpartyCanPublish.length > 8) named.push(`${counterpartyCanPublish.length - 8} more`)
        io.stderr.write(
          `WARNING: the oracle${capability ? ` of capability ${capability}` : ''} attested both "${answers[0]}" and "${answers[1]}": its capability key is public now, so the counterparty can complete the CETs of ${named.join(', ') || 'no answer better for it'}. Publish yours first.\n`,
        )
        for (const { id, posted } of result.reported ?? []) {
          const { lines, ok } = postedLines(posted)
          io.stderr.write(
            `${ok ? 'filed' : 'no node took'} the fact-conflict report ${id}\n${lines.map((line) => `${line}\n`).join('')}`,
          )
        }
      }
      if (result.noQuorum) throw result.noQuorum
      if (!result.settlement) {
        io.stderr.write(
          `no fact yet (${result.notYet?.status}: ${result.notYet?.detail}); run again later or with --wait\n`,
        )
        return 1
      }
      await emitTransaction(values, io, result.settlement.tx, settlementLine(result.settlement))
      return 0
    })
  },
}

const refundCommand: Command = {
  name: 'refund',
  summary: 'The signed refund transaction (each stake back), valid from the refund locktime',
  usage: 'mega trader contract refund <contract-id> [--broadcast URL] [--out FILE]',
  options: { ...nodeOptions, ...outOption, ...broadcastOption },
  examples: ['mega trader contract refund 7c1e…'],
  async run({ values, positionals }, io) {
    const [id, ...extra] = positionals
    if (id === undefined || extra.length > 0) throw new CliError(`usage: ${this.usage}`, 2)
    return withKeyedTrader(values, async (trader) => {
      const settlement = refundContract(trader, id)
      await emitTransaction(values, io, settlement.tx, settlementLine(settlement))
      return 0
    })
  },
}

const formatOption = {
  format: {
    type: 'string' as const,
    description: 'dlcspecs (the only one besides JSON)',
    placeholder: 'name',
  },
}

function dlcspecsFormat(values: ParsedArgs['values']): void {
  if (values.format !== 'dlcspecs') throw new CliError('--format dlcspecs is required', 2)
}

const exportCommand: Command = {
  name: 'export',
  summary:
    'Your accept (acceptor) or sign (originator) message in dlcspecs’ binary form (accept_dlc / sign_dlc, hex)',
  usage: 'mega trader contract export <contract-id> --format dlcspecs [--out FILE]',
  options: { ...nodeOptions, ...outOption, ...formatOption },
  examples: ['mega trader contract export 7c1e… --format dlcspecs --out accept.hex'],
  async run({ values, positionals }, io) {
    const [id, ...extra] = positionals
    if (id === undefined || extra.length > 0) throw new CliError(`usage: ${this.usage}`, 2)
    dlcspecsFormat(values)
    const record = loadContract(dataDir(values), id)
    const hex = record.role === 'acceptor' ? exportAcceptDlc(record) : exportSignDlc(record)
    await emit(values, io, hex, record.role === 'acceptor' ? 'accept_dlc' : 'sign_dlc')
    return 0
  },
}

const importCommand: Command = {
  name: 'import',
  summary: 'The counterparty’s accept_dlc or sign_dlc (hex) as the Mega message for contract sign / finalize',
  usage: 'mega trader contract import <contract-id> <file|-|url> --format dlcspecs [--out FILE]',
  options: { ...nodeOptions, ...outOption, ...formatOption },
  examples: ['mega trader contract import 7c1e… accept.hex --format dlcspecs --out accept.json'],
  async run({ values, positionals }, io) {
    const [id, source, ...extra] = positionals
    if (id === undefined || source === undefined || extra.length > 0)
      throw new CliError(`usage: ${this.usage}`, 2)
    dlcspecsFormat(values)
    const record = loadContract(dataDir(values), id)
    const message = importDlcspecs(await readSource(source, io), record)
    const next =
      message.type === 'mega-contract-accept'
        ? 'next: mega trader contract sign <this file>'
        : 'next: mega trader contract finalize <this file>'
    await emitMessage(values, io, message, next)
    return 0
  },
}

interface Summary {
  id: string
  role: ContractRecord['role']
  state: ReturnType<typeof contractState>
  network: string
  question: Commitment['request']
  /** A quorum contract: the further requests and k of n. */
  quorum?: { requests: Array<Commitment['request']>; threshold: string }
  deadline: number
  refundLocktime: number
  payouts?: ContractRecord['proposal']['payouts']
  curve?: ContractRecord['proposal']['curve']
  cets?: number
}

function summary(record: ContractRecord): Summary {
  const { proposal } = record
  return {
    id: record.id,
    role: record.role,
    state: contractState(record),
    network: proposal.network,
    question: commitmentsOf(proposal)[0]!.request,
    ...(proposal.commitments && {
      quorum: {
        requests: proposal.commitments.slice(1).map((commitment) => commitment.request),
        threshold: `${quorumThreshold(proposal.offer.terms)} of ${proposal.commitments.length}`,
      },
    }),
    deadline: deadlineOf(proposal),
    refundLocktime: proposal.refundLocktime,
    ...(proposal.curve
      ? { curve: proposal.curve, cets: cetsOf(proposal).length }
      : { payouts: proposal.payouts }),
  }
}

/** A contract's payouts in a line: per answer, or the curve's points and CET count. */
function payoutsText(one: Summary): string {
  if (one.curve) {
    const points = one.curve.points.map((point) => `${point.value}:${point.originator}`).join(',')
    return `curve ${points} (rounding ${one.curve.rounding}, ${one.cets} CETs)`
  }
  return (one.payouts ?? [])
    .map((payout) => `${payout.answer}: ${payout.originator}/${payout.acceptor}`)
    .join('  ')
}

const showCommand: Command = {
  name: 'show',
  summary: 'Your contracts, or one contract: role, state, payouts per answer, refund time',
  usage: 'mega trader contract show [<contract-id>] [--json]',
  options: { ...nodeOptions },
  examples: ['mega trader contract show', 'mega trader contract show 7c1e… --json'],
  async run({ values, positionals }, io) {
    const [id, ...extra] = positionals
    if (extra.length > 0) throw new CliError(`usage: ${this.usage}`, 2)
    const dir = dataDir(values)
    const records =
      id === undefined ? listContractIds(dir).map((one) => loadContract(dir, one)) : [loadContract(dir, id)]
    const summaries = records.map(summary)
    print(io, values, id === undefined ? { contracts: summaries } : summaries[0], () =>
      summaries.length === 0
        ? ['no contracts']
        : summaries.map(
            (one) =>
              `${one.id}  ${one.role}  ${one.state}  ${one.network}${one.quorum ? `  ${one.quorum.threshold} oracles` : ''}  refund from ${one.refundLocktime}  ${payoutsText(one)}`,
          ),
    )
    return 0
  },
}

export const contractCommand = commandGroup({
  name: 'contract',
  summary: 'Turn a finalized offer into a Bitcoin contract (DLC) that settles on the oracle’s attestation',
  usage: 'mega trader contract <command> [options]',
  subcommands: [
    proposeCommand,
    acceptContractCommand,
    signContractCommand,
    finalizeContractCommand,
    settleCommand,
    refundCommand,
    showCommand,
    exportCommand,
    importCommand,
  ],
  examples: [
    'mega trader contract propose <offer-key> --psbt coins.psbt --payout-address … --change-address …',
    'mega trader contract show',
  ],
})
