/** `mega oracle …`: the oracle toolkit's commands (docs/oracles.md). */
import { commandGroup } from '../../command.ts'
import { oracleAdvertiseCommand } from './advertise.ts'
import { oracleCapabilityCommand } from './capability.ts'
import { oracleDisputeCommand } from './dispute.ts'
import { oracleBackupCommand, oracleInitCommand } from './init.ts'
import { oracleManifestCommand } from './manifest.ts'
import { oracleMineCommand } from './mine.ts'
import { oracleServeCommand } from './serve.ts'
import { oracleStatusCommand } from './status.ts'

export const oracleCommand = commandGroup({
  name: 'oracle',
  summary: 'Run an oracle: keys, identity work, capabilities, advertising, endpoint, manifest, disputes',
  usage: 'mega oracle <command> [options]',
  examples: [
    'mega oracle init && mega oracle mine --bits 24',
    'mega oracle advertise --node http://127.0.0.1:8080 --once',
    'mega oracle serve --port 8090',
  ],
  subcommands: [
    oracleInitCommand,
    oracleBackupCommand,
    oracleMineCommand,
    oracleCapabilityCommand,
    oracleAdvertiseCommand,
    oracleServeCommand,
    oracleManifestCommand,
    oracleDisputeCommand,
    oracleStatusCommand,
  ],
})
