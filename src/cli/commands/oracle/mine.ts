/** `mega oracle mine`: identity proof of work on all cores, resumable and upgradable. */
import { mineIdentity } from '../../../oracle/index.ts'
import { CliError, type Command, integerFlag } from '../../command.ts'
import {
  dirOption,
  interruptible,
  jsonOption,
  listFlag,
  miningProgress,
  output,
  passphraseOption,
  unlock,
} from './common.ts'

export const oracleMineCommand: Command = {
  name: 'mine',
  summary: 'Mine (or upgrade) the identity proof of work and sign the oracle ad',
  usage: 'mega oracle mine --bits N [--threads N] [--tags a,b] [--manifest-uri URL] [--dir D]',
  options: {
    bits: {
      type: 'string',
      description: 'leading zero bits (required); more bits = more trust',
      placeholder: 'N',
    },
    threads: { type: 'string', description: 'worker threads (default: all cores)', placeholder: 'N' },
    tags: { type: 'string', description: 'discovery tags of the ad, comma-separated', placeholder: 'a,b' },
    'manifest-uri': { type: 'string', description: 'https URL of the domain manifest', placeholder: 'url' },
    ...dirOption,
    ...passphraseOption,
    ...jsonOption,
  },
  examples: [
    'mega oracle mine --bits 24 --tags sports,football',
    'mega oracle mine --bits 28   # upgrade later',
  ],
  async run({ values }, io) {
    const bits = integerFlag(values.bits, 'bits', 0, 64)
    if (bits === undefined) throw new CliError('--bits is required', 2)
    const threads = integerFlag(values.threads, 'threads', 1, 256)
    const { dir, root } = await unlock(values, io)
    const progress = miningProgress(io, Boolean(values.json))
    const started = performance.now()
    const ad = await interruptible((signal) =>
      mineIdentity({
        dir,
        root,
        bits,
        signal,
        onProgress: progress.onProgress,
        ...(threads !== undefined && { threads }),
        ...(values.tags !== undefined && { tags: listFlag(values.tags) }),
        ...(values['manifest-uri'] !== undefined && { manifestUri: values['manifest-uri'] as string }),
      }),
    ).finally(progress.done)
    const seconds = (performance.now() - started) / 1000
    output(
      io,
      Boolean(values.json),
      { ad, seconds },
      `oracle ad signed with ${ad.pow.bits} bits of work (seqNo ${ad.seqNo}) in ${seconds.toFixed(1)} s`,
    )
    return 0
  },
}
