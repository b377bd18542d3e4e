/**
 * The entry of `mega node`'s bundle (src/cli/node-bundle.ts): bin/mega.ts with the `node` command
 * alone, run as `mega node …` (bin/mega.js replaces its process with the bundle only for that
 * command). The other commands (trader, oracle, devnet, …) are not in it: less source text and
 * code held by every node.
 */
import { nodeCommand } from './commands/node.ts'
import { runCommandLine } from './run.ts'
import { exitQuietlyOnClosedPipe, returnToInvocationDirectory, stopWithParent } from './shell.ts'

if (returnToInvocationDirectory()) stopWithParent()
exitQuietlyOnClosedPipe()
process.exitCode = await runCommandLine([nodeCommand], process.argv.slice(2))
