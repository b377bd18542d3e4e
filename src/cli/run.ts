/**
 * How `mega` runs a command from a table of them: help, `--version`, the command's options, and
 * one error path (`reportFailure`). main.ts gives it every command; `mega node`'s bundle
 * (node-main.ts) only the node's, so that the other commands' code stays out of a node process.
 */
import {
  CliError,
  type CliIo,
  type Command,
  formatHelp,
  parseCommandArgs,
  reportFailure,
  resolveCommand,
} from './command.ts'
import { didYouMean } from './suggest.ts'

const PROCESS_IO: CliIo = { stdout: process.stdout, stderr: process.stderr, stdin: process.stdin }

/** Runs the command of `argv` (without node and script) from `COMMANDS`; returns the exit code. */
export async function runCommandLine(
  COMMANDS: readonly Command[],
  argv: string[],
  io: CliIo = PROCESS_IO,
): Promise<number> {
  const [name, ...rest] = argv
  if (name === undefined || name === 'help' || name === '--help' || name === '-h') {
    const resolved = resolveCommand(COMMANDS, rest)
    io.stdout.write(resolved ? formatHelp(resolved.command) : overview(COMMANDS))
    return 0
  }
  if (name === '--version' || name === '-v') {
    io.stdout.write(`${await version()}\n`)
    return 0
  }
  const resolved = resolveCommand(COMMANDS, argv)
  if (!resolved) {
    const names = COMMANDS.map((command) => command.name)
    const message = `unknown command "${name}"${didYouMean(name, names)} (mega --help lists them)`
    return reportFailure(new CliError(message, 2), 'mega', io)
  }
  const { command, path } = resolved
  const fullName = path.join(' ')
  try {
    const args = parseCommandArgs(command, resolved.rest)
    if (args.values.help) {
      io.stdout.write(formatHelp(command))
      return 0
    }
    return await command.run(args, io)
  } catch (error) {
    return reportFailure(error, `mega ${fullName}`, io)
  }
}

function overview(COMMANDS: readonly Command[]): string {
  const width = Math.max(...COMMANDS.map((command) => command.name.length)) + 2
  const lines = [
    'mega — Mega Peers, a peer-to-peer fact-sharing network',
    '',
    'usage: mega <command> [options]',
    '',
    'commands:',
    ...COMMANDS.map((command) => `  ${command.name.padEnd(width)}${command.summary}`),
    '',
    'examples:',
    ...COMMANDS.flatMap((command) => command.examples.slice(0, 1).map((example) => `  ${example}`)),
    '',
    'Run `mega help <command>` or `mega <command> --help` for the options of a command.',
  ]
  return `${lines.join('\n')}\n`
}

async function version(): Promise<string> {
  const { default: pkg } = await import('../../package.json', { with: { type: 'json' } })
  return `mega ${pkg.version}`
}
