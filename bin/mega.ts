#!/usr/bin/env node
import { main } from '../src/cli/main.ts'
import { exitQuietlyOnClosedPipe, returnToInvocationDirectory } from '../src/cli/shell.ts'

returnToInvocationDirectory()
exitQuietlyOnClosedPipe()
process.exitCode = await main(process.argv.slice(2))
