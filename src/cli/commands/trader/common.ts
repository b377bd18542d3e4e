/**
 * What every `mega trader` command shares: the data directory, the nodes, output, and how a
 * trader is opened and closed around a command.
 */
import { readFile } from 'node:fs/promises'
import { DEFAULT_CLOCK_SKEW_SECONDS, isScheme, workToBits } from '../../../protocol/index.ts'
import {
  type Posted,
  TRADER_PASSPHRASE_ENV,
  Trader,
  TraderStore,
  type WorkOptions,
} from '../../../trader/index.ts'
import { CliError, type CliIo, type CommandOption, integerFlag, type ParsedArgs } from '../../command.ts'
import { readInput } from '../../input.ts'
import { progressBar } from '../../progress.ts'
import { DEFAULT_NODE_URL, nodeUrl } from '../post.ts'

/** Default data directory of the trader. */
const DEFAULT_TRADER_DATA = './trader-data'
/** Default work on reports and offers: above every node's default minimum (12), ~65k hashes. */
const DEFAULT_BITS = 16

export const dataOption: Record<string, CommandOption> = {
  data: {
    type: 'string',
    description: `trader data directory (default ${DEFAULT_TRADER_DATA}, or MEGA_TRADER_DATA)`,
    placeholder: 'dir',
  },
}

/** Where the passphrase of an encrypted trader key comes from. */
export const passphraseOption: Record<string, CommandOption> = {
  'passphrase-file': {
    type: 'string',
    description: `file whose first line is the key's passphrase (or ${TRADER_PASSPHRASE_ENV})`,
    placeholder: 'file',
  },
}

export const nodeOptions: Record<string, CommandOption> = {
  ...dataOption,
  ...passphraseOption,
  node: {
    type: 'string',
    multiple: true,
    description: `node URL, repeatable (default ${DEFAULT_NODE_URL}, or MEGA_NODE)`,
    placeholder: 'url',
  },
  json: { type: 'boolean', description: 'machine output: JSON' },
  help: { type: 'boolean', description: 'show this help' },
}

/** Nodes that relay requests to oracles, so oracles see a node's address, not the trader's. */
export const viaOption: Record<string, CommandOption> = {
  via: {
    type: 'string',
    multiple: true,
    description:
      'ask oracles through this node’s relay, repeatable (each question always takes the same node)',
    placeholder: 'url',
  },
}

/** For commands that file reports: the deadline rule nodes apply (docs/protocol.md §7). */
export const clockSkewOption: Record<string, CommandOption> = {
  'clock-skew': {
    type: 'string',
    description: `seconds the nodes tolerate on deadlines: a fact-missing report waits until the deadline passed by more (default ${DEFAULT_CLOCK_SKEW_SECONDS}, the nodes' mempool.clockSkewSeconds)`,
    placeholder: 'S',
  },
}

export const workOptions: Record<string, CommandOption> = {
  bits: {
    type: 'string',
    description: `proof-of-work bits to mine (default ${DEFAULT_BITS})`,
    placeholder: 'N',
  },
  threads: { type: 'string', description: 'mining threads (default: all cores)', placeholder: 'N' },
}

/** The data directory from the flag, the environment or the default. */
export function dataDir(values: ParsedArgs['values']): string {
  const value = values.data ?? process.env.MEGA_TRADER_DATA ?? DEFAULT_TRADER_DATA
  if (typeof value !== 'string' || value === '') throw new CliError('--data must be a directory', 2)
  return value
}

/** Node URLs from the flags, the environment or the default. */
export function nodeUrls(values: ParsedArgs['values']): string[] {
  const flags = values.node as string[] | undefined
  return flags?.length ? flags.map(nodeUrl) : [nodeUrl(undefined)]
}

/**
 * The passphrase of an encrypted key: the first line of `--passphrase-file`, else
 * {@link TRADER_PASSPHRASE_ENV}, else none. Never a flag value: the process list shows those.
 */
export async function passphrase(values: ParsedArgs['values']): Promise<string | undefined> {
  const file = values['passphrase-file']
  if (typeof file === 'string') {
    let text: string
    try {
      text = await readFile(file, 'utf8')
    } catch (error) {
      throw new CliError(
        `cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
      )
    }
    const line = text.split(/\r?\n/)[0] ?? ''
    if (line === '') throw new CliError(`the passphrase in ${file} is empty`)
    return line
  }
  const fromEnv = process.env[TRADER_PASSPHRASE_ENV]
  return fromEnv === undefined || fromEnv === '' ? undefined : fromEnv
}

/** Opens the trader for one command (unlocking its key when `needsKey`) and closes it afterwards. */
export async function withTrader<T>(
  values: ParsedArgs['values'],
  work: (trader: Trader) => Promise<T>,
  options: { needsKey?: boolean } = {},
): Promise<T> {
  const threads = integerFlag(values.threads, 'threads', 1, 256)
  const clockSkewSeconds = integerFlag(values['clock-skew'], 'clock-skew', 0, 86_400)
  const trader = new Trader({
    dataDir: dataDir(values),
    nodes: nodeUrls(values),
    via: ((values.via as string[] | undefined) ?? []).map(nodeUrl),
    ...(threads !== undefined && { threads }),
    ...(clockSkewSeconds !== undefined && { clockSkewSeconds }),
  })
  try {
    if (options.needsKey) await trader.unlock(await passphrase(values))
    return await work(trader)
  } finally {
    trader.close()
  }
}

/** Opens the trader store alone (no key, no nodes) for one command and closes it afterwards. */
export async function withStore<T>(
  values: ParsedArgs['values'],
  work: (store: TraderStore) => Promise<T>,
): Promise<T> {
  const store = new TraderStore({ dataDir: dataDir(values) })
  try {
    return await work(store)
  } finally {
    store.close()
  }
}

/**
 * Runs `work` with mining options from `--bits`: a progress bar on a terminal and Ctrl-C to
 * cancel, both removed when it ends.
 */
export async function withMining<T>(
  values: ParsedArgs['values'],
  io: CliIo,
  work: (options: WorkOptions) => Promise<T>,
): Promise<T> {
  const bits = integerFlag(values.bits, 'bits', 0, 64) ?? DEFAULT_BITS
  const bar = values.json ? undefined : progressBar(io.stderr)
  const controller = new AbortController()
  const stop = () => controller.abort()
  process.once('SIGINT', stop)
  try {
    return await work({ bits, signal: controller.signal, onProgress: (progress) => bar?.update(progress) })
  } finally {
    bar?.done()
    process.off('SIGINT', stop)
  }
}

/** A request argument `name=value`: the name a capability parameter may have, a non-empty value. */
export const ARG_PAIR = /^([A-Za-z_][A-Za-z0-9_]{0,31})=(.+)$/

/** Parses repeated `--arg name=value` flags. */
export function argsFlag(values: ParsedArgs['values']): Record<string, string> {
  const args: Record<string, string> = {}
  for (const pair of (values.arg as string[] | undefined) ?? []) {
    const match = ARG_PAIR.exec(pair)
    if (!match) throw new CliError(`--arg must be name=value, got "${pair}"`, 2)
    if (Object.hasOwn(args, match[1]!)) throw new CliError(`--arg ${match[1]} is given twice`, 2)
    args[match[1]!] = match[2]!
  }
  return args
}

/** A 64-hex-digit key argument, or a usage error naming it. */
export function hexKey(value: string | undefined, what: string): string {
  if (value === undefined || !/^[0-9a-f]{64}$/.test(value))
    throw new CliError(`${what} must be 64 lowercase hex digits, got ${JSON.stringify(value ?? '')}`, 2)
  return value
}

/** A scheme flag. */
export function schemeFlag(value: unknown, fallback: 'ed25519' | 'bip340') {
  if (value === undefined) return fallback
  if (!isScheme(value))
    throw new CliError(`--scheme must be ed25519 or bip340, got ${JSON.stringify(value)}`, 2)
  return value
}

/** Reads a JSON file (or `-`, standard input) of at most `maxBytes`, with errors naming it. */
export async function readJson(
  source: string,
  stdin: NodeJS.ReadableStream,
  maxBytes: number,
): Promise<unknown> {
  const text = await readInput(source, stdin, maxBytes)
  try {
    return JSON.parse(text)
  } catch (error) {
    throw new CliError(
      `${source === '-' ? 'standard input' : source} is not JSON: ${(error as Error).message}`,
    )
  }
}

/** Prints `value` as JSON, or the human lines. */
export function print(io: CliIo, values: ParsedArgs['values'], value: unknown, human: () => string[]): void {
  if (values.json) io.stdout.write(`${JSON.stringify(value, bigints, 2)}\n`)
  else io.stdout.write(`${human().join('\n')}\n`)
}

/** JSON replacer writing bigints as decimal strings. */
export function bigints(_key: string, value: unknown): unknown {
  return typeof value === 'bigint' ? value.toString() : value
}

/** Lines saying how each node took a post; exit code 0 when at least one took it. */
export function postedLines(posted: readonly Posted[]): { lines: string[]; ok: boolean } {
  const lines = posted.map(({ url, status, body }) => {
    const outcome = body as { status?: string; code?: string; detail?: string } | null
    const what = outcome?.status ?? `${outcome?.code ?? 'error'}: ${outcome?.detail ?? ''}`
    return `  ${url}: ${status === 0 ? 'unreachable' : status} ${what}`
  })
  return { lines, ok: posted.some(({ status }) => status >= 200 && status < 300) }
}

/** Work as bits for people. */
export function bits(work: bigint): string {
  return `${workToBits(work).toFixed(2)} bits`
}

/** A key shortened for tables. */
export function short(key: string): string {
  return `${key.slice(0, 12)}…`
}

/** {@link withTrader} for commands that sign: the key is unlocked first. */
export function withKeyedTrader<T>(
  values: ParsedArgs['values'],
  work: (trader: Trader) => Promise<T>,
): Promise<T> {
  return withTrader(values, work, { needsKey: true })
}
