/**
 * Options and helpers shared by the `mega oracle …` commands: the working directory, the
 * passphrase, unlocking the keystore, and the output of mining progress.
 */

import { PASSPHRASE_ENV, type RootKey, readPassphrase, unlockKeystore } from '../../../keys/index.ts'
import type { MiningProgress } from '../../../miner/index.ts'
import {
  DEFAULT_ORACLE_DIR,
  loadState,
  ORACLE_DIR_ENV,
  type OracleState,
  oracleFiles,
} from '../../../oracle/index.ts'
import { CliError, type CliIo, type CommandOption, type ParsedArgs } from '../../command.ts'
import { progressBar } from '../../progress.ts'

export const dirOption: Record<string, CommandOption> = {
  dir: {
    type: 'string',
    description: `oracle directory (default: $${ORACLE_DIR_ENV} or ./${DEFAULT_ORACLE_DIR})`,
    placeholder: 'path',
  },
}

export const passphraseOption: Record<string, CommandOption> = {
  'passphrase-file': {
    type: 'string',
    description: `file holding the keystore passphrase (else $${PASSPHRASE_ENV}, else a prompt)`,
    placeholder: 'file',
  },
}

export const jsonOption: Record<string, CommandOption> = {
  json: { type: 'boolean', description: 'machine output: JSON' },
  help: { type: 'boolean', description: 'show this help' },
}

/** The oracle directory from `--dir`, the environment, or the default. */
export function oracleDir(values: ParsedArgs['values']): string {
  return (values.dir as string | undefined) ?? process.env[ORACLE_DIR_ENV] ?? DEFAULT_ORACLE_DIR
}

/** Loads the state and unlocks the root key. */
export async function unlock(
  values: ParsedArgs['values'],
  io: CliIo,
): Promise<{ dir: string; state: OracleState; root: RootKey }> {
  const dir = oracleDir(values)
  const state = await loadState(dir)
  const passphrase = await readPassphrase({ file: values['passphrase-file'] as string | undefined, io })
  const root = await unlockKeystore(oracleFiles(dir).keystore, passphrase)
  return { dir, state, root }
}

/** Comma-separated list flag → array (empty entries dropped). */
export function listFlag(value: unknown): string[] {
  if (value === undefined) return []
  return String(value)
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '')
}

/**
 * A flag holding a program and its arguments as a JSON array of strings (never a shell line),
 * e.g. `["./lookup.sh","--fast"]`; `example` is shown when the flag is not JSON.
 */
export function argvFlag(value: string, flag: string, example: string): string[] {
  let command: unknown
  try {
    command = JSON.parse(value)
  } catch {
    throw new CliError(`--${flag} must be a JSON array such as ${example}`, 2)
  }
  if (!Array.isArray(command) || command.length === 0 || !command.every((part) => typeof part === 'string')) {
    throw new CliError(`--${flag} must be a non-empty JSON array of strings`, 2)
  }
  return command
}

/** Mining progress on the terminal (nothing when not a TTY or with --json). */
export function miningProgress(io: CliIo, json: boolean) {
  const bar = json ? undefined : progressBar(io.stderr)
  return {
    onProgress: (progress: MiningProgress) => bar?.update(progress),
    done: () => bar?.done(),
  }
}

/** Aborts on Ctrl-C while `action` runs. */
export async function interruptible<T>(action: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController()
  const stop = () => controller.abort()
  process.once('SIGINT', stop)
  process.once('SIGTERM', stop)
  try {
    return await action(controller.signal)
  } finally {
    process.off('SIGINT', stop)
    process.off('SIGTERM', stop)
  }
}

/** Writes `value` as JSON or `text` for people. */
export function output(io: CliIo, json: boolean, value: unknown, text: string): void {
  io.stdout.write(json ? `${JSON.stringify(value)}\n` : `${text}\n`)
}
