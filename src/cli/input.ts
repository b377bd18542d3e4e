/**
 * Reading command input from a file or standard input, with a size limit so a mistaken path
 * (a disk image, /dev/zero) fails fast instead of filling memory.
 */
import { open } from 'node:fs/promises'
import { CliError } from './command.ts'

/** Reads `source` (a path, or `-` for stdin) as UTF-8, refusing more than `maxBytes`. */
export async function readInput(
  source: string,
  stdin: NodeJS.ReadableStream,
  maxBytes: number,
): Promise<string> {
  const chunks: Buffer[] = []
  let size = 0
  const take = (chunk: Buffer) => {
    size += chunk.length
    if (size > maxBytes)
      throw new CliError(`${source === '-' ? 'standard input' : source} is larger than ${maxBytes} bytes`)
    chunks.push(chunk)
  }
  if (source === '-') {
    for await (const chunk of stdin) take(Buffer.from(chunk as Buffer))
  } else {
    let handle: Awaited<ReturnType<typeof open>>
    try {
      handle = await open(source, 'r')
    } catch (error) {
      throw new CliError(
        `cannot read ${source}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
      )
    }
    try {
      if ((await handle.stat()).isDirectory()) throw new CliError(`${source} is a directory: give a file`)
      for await (const chunk of handle.createReadStream({ highWaterMark: 64 * 1024 })) take(chunk as Buffer)
    } catch (error) {
      if (error instanceof CliError) throw error
      throw new CliError(
        `cannot read ${source}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
      )
    } finally {
      await handle.close()
    }
  }
  const bytes = Buffer.concat(chunks)
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes)
  } catch {
    throw new CliError(`${source === '-' ? 'standard input' : source} is not valid UTF-8`)
  }
}
