#!/usr/bin/env -S node --max-semi-space-size=1
// The flag caps V8's young generation: see NODE_FLAGS in src/cli/node-bundle.ts. The `mega`
// executable is bin/mega.js, which turns the compile cache on first and imports this file.
import { main } from '../src/cli/main.ts'
import { exitQuietlyOnClosedPipe, returnToInvocationDirectory, stopWithParent } from '../src/cli/shell.ts'

if (returnToInvocationDirectory()) stopWithParent()
exitQuietlyOnClosedPipe()
process.exitCode = await main(process.argv.slice(2))
