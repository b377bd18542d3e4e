/**
 * The `mega` command line: a table of commands, help, and one error path (`reportFailure`).
 */
import type { CliIo, Command } from './command.ts'
import { demoCommand } from './commands/demo.ts'
import { devnetCommand } from './commands/devnet.ts'
import { getCommand } from './commands/get.ts'
import { keygenCommand } from './commands/keygen.ts'
import { mineCommand } from './commands/mine.ts'
import { nodeCommand } from './commands/node.ts'
import { oracleCommand } from './commands/oracle/index.ts'
import { postCommand } from './commands/post.ts'
import { traderCommand } from './commands/trader/index.ts'
import { runCommandLine } from './run.ts'

/** Every command, in the order help lists them. */
export const COMMANDS: readonly Command[] = [
  nodeCommand,
  devnetCommand,
  postCommand,
  getCommand,
  keygenCommand,
  mineCommand,
  demoCommand,
  oracleCommand,
  traderCommand,
]

/** Runs the CLI with `argv` (without node and script); returns the exit code. */
export function main(argv: string[], io?: CliIo): Promise<number> {
  return runCommandLine(COMMANDS, argv, io)
}
