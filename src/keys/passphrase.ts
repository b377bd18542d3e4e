/**
 * Where the keystore passphrase comes from, in order: `--passphrase-file`, the environment
 * variable {@link PASSPHRASE_ENV}, or a prompt on the terminal (not echoed). Never a command
 * line argument: those are visible to every user in the process list.
 */
import { readFile } from 'node:fs/promises'
import { KeyError, KeyErrorCode } from './errors.ts'

export const PASSPHRASE_ENV = 'MEGA_ORACLE_PASSPHRASE'

/** Where a prompt reads from and writes to (a command's standard streams). */
export interface PassphraseIo {
  stdin: NodeJS.ReadableStream
  stderr: NodeJS.WritableStream
}

export interface PassphraseOptions {
  /** A file whose first line is the passphrase. */
  file?: string
  env?: NodeJS.ProcessEnv
  io: PassphraseIo
  /** Ask twice on a terminal (a new keystore). */
  confirm?: boolean
}

/** Returns the passphrase; throws `PASSPHRASE_MISSING` when there is none to be had. */
export async function readPassphrase(options: PassphraseOptions): Promise<string> {
  const { file, io, confirm = false } = options
  const env = options.env ?? process.env
  if (file !== undefined) {
    const text = await readFile(file, 'utf8').catch((error: NodeJS.ErrnoException) => {
      throw new KeyError(KeyErrorCode.PASSPHRASE_MISSING, `cannot read ${file}: ${error.code}`)
    })
    return nonEmpty(text.split(/\r?\n/)[0] ?? '', file)
  }
  const fromEnv = env[PASSPHRASE_ENV]
  if (fromEnv !== undefined) return nonEmpty(fromEnv, PASSPHRASE_ENV)
  const stdin = io.stdin as NodeJS.ReadStream
  if (!stdin.isTTY) {
    throw new KeyError(
      KeyErrorCode.PASSPHRASE_MISSING,
      `no passphrase: use --passphrase-file, set ${PASSPHRASE_ENV}, or run on a terminal`,
    )
  }
  const first = nonEmpty(await prompt(stdin, io.stderr, 'keystore passphrase: '), 'the prompt')
  if (confirm && (await prompt(stdin, io.stderr, 'again: ')) !== first) {
    throw new KeyError(KeyErrorCode.PASSPHRASE_MISSING, 'the two passphrases differ')
  }
  return first
}

function nonEmpty(passphrase: string, where: string): string {
  if (passphrase.length === 0) {
    throw new KeyError(KeyErrorCode.PASSPHRASE_MISSING, `the passphrase from ${where} is empty`)
  }
  return passphrase
}

/** Reads one line in raw mode without echo; Ctrl-C aborts. */
function prompt(stdin: NodeJS.ReadStream, out: NodeJS.WritableStream, question: string): Promise<string> {
  out.write(question)
  stdin.setRawMode(true)
  stdin.resume()
  let line = ''
  return new Promise((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      for (const char of chunk.toString('utf8')) {
        if (char === '\r' || char === '\n') return finish(() => resolve(line))
        if (char === '\u0003')
          return finish(() => reject(new KeyError(KeyErrorCode.PASSPHRASE_MISSING, 'cancelled')))
        if (char === '\u007f' || char === '\b') line = line.slice(0, -1)
        else line += char
      }
    }
    const finish = (settle: () => void) => {
      stdin.off('data', onData)
      stdin.setRawMode(false)
      stdin.pause()
      out.write('\n')
      settle()
    }
    stdin.on('data', onData)
  })
}
