#!/usr/bin/env node
import { main } from '../src/cli/main.ts'
import { exitQuietlyOnClosedPipe, returnToInvocationDirectory, stopWithParent } from '../src/cli/shell.ts'

if (returnToInvocationDirectory()) stopWithParent()
exitQuietlyOnClosedPipe()
process.exitCode = await main(process.argv.slice(2))
