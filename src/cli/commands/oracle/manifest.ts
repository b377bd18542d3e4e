/** `mega oracle manifest`: the signed manifest to publish at https://<domain>/.well-known/mega-oracle.json. */
import { writeFile } from 'node:fs/promises'
import { writeManifest } from '../../../oracle/index.ts'
import { CliError, type Command } from '../../command.ts'
import { dirOption, jsonOption, passphraseOption, unlock } from './common.ts'

export const oracleManifestCommand: Command = {
  name: 'manifest',
  summary: 'Write the signed domain manifest (the ad gains a manifestUri pointing back at the domain)',
  usage: 'mega oracle manifest --domain D [--out FILE] [--dir D]',
  options: {
    domain: {
      type: 'string',
      description: 'the domain that will serve it, e.g. oracle.example (required)',
      placeholder: 'domain',
    },
    out: {
      type: 'string',
      description: 'write to this file (default: standard output)',
      placeholder: 'file',
    },
    ...dirOption,
    ...passphraseOption,
    ...jsonOption,
  },
  examples: ['mega oracle manifest --domain oracle.example --out public/.well-known/mega-oracle.json'],
  async run({ values }, io) {
    const domain = values.domain as string | undefined
    if (domain === undefined) throw new CliError('--domain is required', 2)
    const { dir, root } = await unlock(values, io)
    const manifest = await writeManifest(dir, root, domain)
    const text = `${JSON.stringify(manifest, null, 2)}\n`
    if (values.out === undefined) {
      io.stdout.write(text)
      return 0
    }
    await writeFile(values.out as string, text, { mode: 0o644 })
    io.stderr.write(
      `manifest written to ${values.out}; publish it at https://${domain}/.well-known/mega-oracle.json and re-advertise (the ad changed)\n`,
    )
    return 0
  },
}
