/**
 * `mega trader …`: the trader toolkit on the command line.
 */
import { commandGroup } from '../../command.ts'
import { contractCommand } from './contracts.ts'
import { exportCommand, importCommand, initCommand, oraclesCommand } from './discovery.ts'
import { askCommand, factCommand } from './facts.ts'
import {
  acceptCommand,
  finalizeCommand,
  matchCommand,
  offerCommand,
  offersCommand,
  settleCommand,
} from './offers.ts'
import { conflictsCommand, detectCommand, reportCommand, verifyReportsCommand } from './reports.ts'

export const traderCommand = commandGroup({
  name: 'trader',
  summary: 'Find oracles by reputation, get verified facts, file reports, trade offers',
  usage: 'mega trader <command> [options]',
  subcommands: [
    initCommand,
    oraclesCommand,
    askCommand,
    factCommand,
    reportCommand,
    detectCommand,
    conflictsCommand,
    verifyReportsCommand,
    offerCommand,
    offersCommand,
    matchCommand,
    acceptCommand,
    finalizeCommand,
    settleCommand,
    contractCommand,
    exportCommand,
    importCommand,
  ],
  examples: [
    'mega trader init',
    'mega trader oracles --tag sports',
    'mega trader ask <capability> --arg home=ARS --arg away=CHE --arg date=2026-11-21',
    'mega trader detect --auto',
  ],
})
