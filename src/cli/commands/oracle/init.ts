/** `mega oracle init` and `mega oracle backup`: the encrypted root key and its backup. */
import { writeFile } from 'node:fs/promises'
import { readPassphrase } from '../../../keys/index.ts'
import { initOracle } from '../../../oracle/index.ts'
import { isScheme } from '../../../protocol/index.ts'
import { CliError, type Command } from '../../command.ts'
import { readInput } from '../../input.ts'
import { dirOption, jsonOption, oracleDir, output, passphraseOption, unlock } from './common.ts'

export const oracleInitCommand: Command = {
  name: 'init',
  summary: 'Create an oracle: a root key in an encrypted keystore (scrypt + AES-256-GCM)',
  usage: 'mega oracle init [--dir D] [--scheme ed25519|bip340] [--passphrase-file F] [--restore F] [--json]',
  options: {
    ...dirOption,
    scheme: {
      type: 'string',
      description: 'scheme of the root key (default ed25519)',
      placeholder: 'scheme',
    },
    ...passphraseOption,
    restore: {
      type: 'string',
      description: 'restore from a backup file holding the root secret (hex)',
      placeholder: 'file',
    },
    ...jsonOption,
  },
  examples: [
    'mega oracle init --dir ./oracle',
    'MEGA_ORACLE_PASSPHRASE=… mega oracle init --restore root-secret.txt',
  ],
  async run({ values }, io) {
    const scheme = (values.scheme as string | undefined) ?? 'ed25519'
    if (!isScheme(scheme)) throw new CliError('--scheme must be ed25519 or bip340', 2)
    const dir = oracleDir(values)
    let secretKey: string | undefined
    if (values.restore !== undefined) {
      secretKey = (await readInput(values.restore as string, io.stdin, 4096)).trim()
      if (!/^[0-9a-f]{64}$/.test(secretKey))
        throw new CliError(`${values.restore} must hold 64 lowercase hex digits`)
    }
    const passphrase = await readPassphrase({
      file: values['passphrase-file'] as string | undefined,
      io,
      confirm: true,
    })
    const key = await initOracle({ dir, passphrase, scheme, ...(secretKey && { secretKey }) })
    output(
      io,
      Boolean(values.json),
      { dir, scheme, publicKey: key.publicKey },
      `oracle ${key.publicKey} (${scheme}) created in ${dir}\n` +
        'back up the root secret now: `mega oracle backup --out <file>`; it restores every key',
    )
    return 0
  },
}

export const oracleBackupCommand: Command = {
  name: 'backup',
  summary: 'Write the root secret (hex) to a new file with mode 0600: it restores every key',
  usage: 'mega oracle backup --out FILE [--dir D] [--passphrase-file F]',
  options: {
    ...dirOption,
    ...passphraseOption,
    out: { type: 'string', description: 'the file to create (never overwritten)', placeholder: 'file' },
    ...jsonOption,
  },
  examples: ['mega oracle backup --out /media/usb/oracle-root.txt'],
  async run({ values }, io) {
    if (values.out === undefined) throw new CliError('--out is required', 2)
    const { root } = await unlock(values, io)
    await writeFile(values.out as string, `${root.secretKey}\n`, { flag: 'wx', mode: 0o600 }).catch(
      (error: NodeJS.ErrnoException) => {
        throw new CliError(`cannot create ${values.out}: ${error.code}`)
      },
    )
    output(
      io,
      Boolean(values.json),
      { out: values.out },
      `root secret written to ${values.out}; keep it offline`,
    )
    return 0
  },
}
