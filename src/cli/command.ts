/**
 * The shape of a CLI command: data (name, summary, options, examples) plus a handler.
 * Flags are parsed with `node:util` parseArgs into plain values; the handler only maps them
 * onto library calls.
 */
import { type ParseArgsOptionsConfig, parseArgs } from 'node:util'
import { CodedError } from '../protocol/index.ts'
import { didYouMean } from './suggest.ts'

/** Where a command writes: injected so tests can capture output. */
export interface CliIo {
  stdout: NodeJS.WritableStream & { isTTY?: boolean }
  stderr: NodeJS.WritableStream & { isTTY?: boolean }
  stdin: NodeJS.ReadableStream
}

/** An option with its help text. */
export type CommandOption = ParseArgsOptionsConfig[string] & { description: string; placeholder?: string }

export interface Command {
  name: string
  summary: string
  usage: string
  options: Record<string, CommandOption>
  examples: string[]
  /**
   * Commands under this one (`mega oracle init`): the first positional picks one, and the
   * rest of the arguments are that command's. A group's own `run` handles a missing or
   * unknown sub-command name (usually with its help).
   */
  subcommands?: readonly Command[]
  /** Runs the command; returns the process exit code. */
  run(args: ParsedArgs, io: CliIo): Promise<number>
}

/** The command named by the leading words of `argv`, descending into groups. */
export interface ResolvedCommand {
  command: Command
  /** Names from the top, e.g. `['oracle', 'init']`. */
  path: string[]
  /** Arguments after the command's names. */
  rest: string[]
}

/** Resolves `argv` (after `mega`) against `commands`; undefined when the first word names none. */
export function resolveCommand(commands: readonly Command[], argv: string[]): ResolvedCommand | undefined {
  let command = commands.find((candidate) => candidate.name === argv[0])
  if (!command) return undefined
  const path = [command.name]
  let rest = argv.slice(1)
  for (;;) {
    const sub: Command | undefined = command.subcommands?.find((candidate) => candidate.name === rest[0])
    if (!sub) return { command, path, rest }
    command = sub
    path.push(sub.name)
    rest = rest.slice(1)
  }
}

/** A group of sub-commands: without a known sub-command it prints its help (exit 2 if one was named). */
export function commandGroup(
  group: Omit<Command, 'run' | 'options' | 'subcommands'> & { subcommands: readonly Command[] },
): Command {
  const command: Command = {
    ...group,
    options: { help: { type: 'boolean', description: 'show this help' } },
    async run(args, io) {
      const [name] = args.positionals
      if (name === undefined) {
        io.stdout.write(formatHelp(command))
        return 0
      }
      const names = command.subcommands?.map((sub) => sub.name) ?? []
      throw new CliError(
        `unknown command "${name}"${didYouMean(name, names)} (${group.usage.split(' <')[0]} --help lists them)`,
        2,
      )
    },
  }
  return command
}

export interface ParsedArgs {
  values: Record<string, string | boolean | string[] | boolean[] | undefined>
  positionals: string[]
}

/** Codes of the command line itself (the catalogue's `cli` area). */
export const CliErrorCode = {
  /** The command was called wrongly (exit code 2). */
  USAGE: 'USAGE',
  /** An input the command was given cannot be read or is not what it takes (exit code 1). */
  INPUT_INVALID: 'INPUT_INVALID',
  /** A node of `mega devnet` exited or did not start in time. */
  DEVNET_FAILED: 'DEVNET_FAILED',
} as const
export type CliErrorCode = (typeof CliErrorCode)[keyof typeof CliErrorCode]

/**
 * Thrown for a mistake in how the command was called (exit code 2, `USAGE`), or for input it
 * refuses (exit code 1, `INPUT_INVALID` unless another code is given). Printed as one line, as
 * every coded error is, without a stack.
 */
export class CliError extends CodedError<CliErrorCode> {
  static override name = 'CliError'
  override readonly name = 'CliError'
  readonly exitCode: number
  constructor(
    message: string,
    exitCode = 1,
    code: CliErrorCode = exitCode === 2 ? CliErrorCode.USAGE : CliErrorCode.INPUT_INVALID,
  ) {
    super(code, message)
    this.exitCode = exitCode
  }
}

/** An error on one line: its message, and `[CODE]` for a coded error. */
export function describeError(error: Error): string {
  const message = error.message.replace(/\s*\n\s*/g, ' ')
  return error instanceof CodedError ? `${message} [${error.code}]` : message
}

/**
 * Reports a command's failure on `io.stderr` and returns the exit code: a coded error is an
 * expected failure, printed as one line after `prefix` (no stack); anything else is a bug and
 * is thrown on, so its stack is printed.
 */
export function reportFailure(error: unknown, prefix: string, io: CliIo): number {
  if (!(error instanceof CodedError)) throw error
  io.stderr.write(`${prefix}: ${describeError(error)}\n`)
  return error instanceof CliError ? error.exitCode : 1
}

/** Parses `argv` against a command's options; unknown flags are a usage error. */
export function parseCommandArgs(command: Command, argv: string[]): ParsedArgs {
  const options: ParseArgsOptionsConfig = {}
  for (const [name, { description: _d, placeholder: _p, ...config }] of Object.entries(command.options)) {
    options[name] = config
  }
  try {
    return parseArgs({ args: argv, options, allowPositionals: true, strict: true }) as ParsedArgs
  } catch (error) {
    const unknown = /^Unknown option '(-{1,2}[^']+)'/.exec((error as Error).message)?.[1]
    if (unknown) {
      const flags = Object.keys(command.options).map((name) => `--${name}`)
      throw new CliError(
        `unknown option ${unknown}${didYouMean(unknown.split('=')[0]!, flags, (flag) => flag)} (usage: ${command.usage})`,
        2,
      )
    }
    throw new CliError(`${(error as Error).message} (usage: ${command.usage})`, 2)
  }
}

/** Reads an integer flag within bounds, or throws a usage error naming the flag. */
export function integerFlag(value: unknown, flag: string, min: number, max: number): number | undefined {
  if (value === undefined) return undefined
  const number = Number(value)
  if (typeof value !== 'string' || !/^\d+$/.test(value) || number < min || number > max) {
    throw new CliError(`--${flag} must be an integer from ${min} to ${max}, got ${JSON.stringify(value)}`, 2)
  }
  return number
}

/** Formats help for one command. */
export function formatHelp(command: Command): string {
  const lines = [`${command.summary}`, '', `usage: ${command.usage}`]
  const entries = Object.entries(command.options)
  if (entries.length > 0) {
    lines.push('', 'options:')
    for (const [name, option] of entries) {
      const flag = option.type === 'string' ? `--${name} <${option.placeholder ?? 'value'}>` : `--${name}`
      lines.push(`  ${flag.padEnd(28)} ${option.description}`)
    }
  }
  if (command.subcommands?.length) {
    const width = Math.max(...command.subcommands.map((sub) => sub.name.length)) + 2
    lines.push(
      '',
      'commands:',
      ...command.subcommands.map((sub) => `  ${sub.name.padEnd(width)}${sub.summary}`),
    )
  }
  if (command.examples.length > 0)
    lines.push('', 'examples:', ...command.examples.map((example) => `  ${example}`))
  return `${lines.join('\n')}\n`
}
