/**
 * The `sh` blocks of the README and docs/, read as the documentation tests read them; a block
 * marked `<!-- doc-test: run -->` is one the end-to-end test runs.
 */
import { readdir, readFile } from 'node:fs/promises'
import { join } from 'node:path'

export const ROOT = new URL('../..', import.meta.url).pathname
export const RUN_MARK = '<!-- doc-test: run -->'

export interface Block {
  file: string
  line: number
  text: string
  run: boolean
}

export async function documentFiles(): Promise<string[]> {
  const docs = (await readdir(join(ROOT, 'docs'))).filter((name) => name.endsWith('.md'))
  return ['README.md', ...docs.map((name) => `docs/${name}`)]
}

export async function shellBlocks(file: string): Promise<Block[]> {
  const lines = (await readFile(join(ROOT, file), 'utf8')).split('\n')
  const blocks: Block[] = []
  for (let index = 0; index < lines.length; index++) {
    if (lines[index] !== '```sh') continue
    const start = index
    const body: string[] = []
    while (++index < lines.length && lines[index] !== '```') body.push(lines[index]!)
    blocks.push({ file, line: start + 1, text: body.join('\n'), run: lines[start - 1] === RUN_MARK })
  }
  return blocks
}
