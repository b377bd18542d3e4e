/** Runs the `mega` CLI in process with captured output, as a test would from a shell. */
import { PassThrough } from 'node:stream'
import { main } from '../../src/cli/main.ts'

export async function runCli(
  argv: string[],
  stdinText = '',
): Promise<{ code: number; out: string; err: string }> {
  const stdout = new PassThrough()
  const stderr = new PassThrough()
  const stdin = PassThrough.from([stdinText])
  let out = ''
  let err = ''
  stdout.on('data', (chunk) => (out += chunk))
  stderr.on('data', (chunk) => (err += chunk))
  const code = await main(argv, { stdout, stderr, stdin })
  return { code, out, err }
}
