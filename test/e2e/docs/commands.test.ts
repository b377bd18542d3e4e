/**
 * The documentation's commands, as written. Every `sh` block of the README and docs/ is read:
 * each `mega` command in it must use the one documented invocation and name a command and flags
 * the CLI has; blocks marked `<!-- doc-test: run -->` are run in bash, document by document (one
 * shell each, like a user in one terminal), in a fresh directory inside the checkout, against a
 * node started for the test. The only liberty taken: the docs' fixed ports (node 8080, oracle
 * endpoint 8090) become free ones, so the test can run beside anything else.
 */
import assert from 'node:assert/strict'
import { type ChildProcess, spawn } from 'node:child_process'
import { once } from 'node:events'
import { mkdir, mkdtemp, readdir, readFile, rm } from 'node:fs/promises'
import { createServer } from 'node:net'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { parseCommandArgs, resolveCommand } from '../../../src/cli/command.ts'
import { COMMANDS } from '../../../src/cli/main.ts'
import { NodeClient } from '../../../src/client/node-client.ts'

const ROOT = new URL('../../..', import.meta.url).pathname
const MEGA = join(ROOT, 'bin/mega.ts')
const INVOCATION = 'npm run -s mega -- '
const RUN_MARK = '<!-- doc-test: run -->'
/** Documents whose marked blocks run, in this order (the traders' part reads the oracle's ad). */
const RUN_ORDER = ['README.md', 'docs/oracles.md', 'docs/traders.md']

interface Block {
  file: string
  line: number
  text: string
  run: boolean
}

async function documentFiles(): Promise<string[]> {
  const docs = (await readdir(join(ROOT, 'docs'))).filter((name) => name.endsWith('.md'))
  return ['README.md', ...docs.map((name) => `docs/${name}`)]
}

async function shellBlocks(file: string): Promise<Block[]> {
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

/** Shell words of one command (quotes removed), up to a comment, pipe, redirect, `&` or `)`. */
function shellWords(text: string): string[] {
  const words: string[] = []
  let word: string | undefined
  for (let index = 0; index < text.length; index++) {
    const char = text[index]!
    if (char === "'" || char === '"') {
      const end = text.indexOf(char, index + 1)
      word = (word ?? '') + text.slice(index + 1, end)
      index = end
    } else if (/\s/.test(char)) {
      if (word !== undefined) words.push(word)
      word = undefined
    } else if ('#|>&;)'.includes(char) && word === undefined) {
      break
    } else word = (word ?? '') + char
  }
  if (word !== undefined) words.push(word)
  return words
}

/** A command line without its trailing `# comment` (a `#` outside quotes, after a space). */
function withoutComment(line: string): string {
  let quote: string | undefined
  for (let index = 0; index < line.length; index++) {
    const char = line[index]!
    if (quote) {
      if (char === quote) quote = undefined
    } else if (char === "'" || char === '"') quote = char
    else if (char === '#' && (index === 0 || /\s/.test(line[index - 1]!))) return line.slice(0, index)
  }
  return line
}

/** Problems with the `mega` commands of a block: wrong invocation, unknown command or flag. */
function invocationProblems(block: Block): string[] {
  const problems: string[] = []
  const where = `${block.file}:${block.line}`
  for (const line of block.text.replace(/\\\n/g, ' ').split('\n').map(withoutComment)) {
    if (/(^|\$\(|[;&|]\s*)mega\s/.test(line.trim()))
      problems.push(`${where}: use "${INVOCATION}…": ${line.trim()}`)
    if (/npm run mega\b/.test(line))
      problems.push(`${where}: npm run without -s prints npm's header lines: ${line.trim()}`)
    for (let from = line.indexOf(INVOCATION); from >= 0; from = line.indexOf(INVOCATION, from + 1)) {
      const words = shellWords(line.slice(from + INVOCATION.length))
      if (['--help', '-h', '--version', 'help'].includes(words[0]!)) continue
      const resolved = resolveCommand(COMMANDS, words)
      if (!resolved) {
        problems.push(`${where}: no command "${words[0]}"`)
        continue
      }
      const sub = resolved.rest[0]
      if (resolved.command.subcommands && sub !== undefined && !sub.startsWith('-')) {
        problems.push(`${where}: no command "${[...resolved.path, sub].join(' ')}"`)
        continue
      }
      try {
        parseCommandArgs(resolved.command, resolved.rest)
      } catch (error) {
        problems.push(`${where}: ${words.join(' ')}: ${(error as Error).message.split('\n')[0]}`)
      }
    }
  }
  return problems
}

async function freePort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as { port: number }
  await new Promise((resolve) => server.close(resolve))
  return port
}

describe('documented commands', () => {
  it('every mega command in the docs uses the one invocation and exists with its flags', async () => {
    const problems: string[] = []
    let commands = 0
    for (const file of await documentFiles()) {
      for (const block of await shellBlocks(file)) {
        commands += block.text.split(INVOCATION).length - 1
        problems.push(...invocationProblems(block))
      }
    }
    assert.deepEqual(problems, [])
    assert.ok(commands > 50, `found only ${commands} documented commands`)
  })

  it('the checker notices a bare command, a missing -s and an unknown flag', () => {
    const block = (text: string): Block => ({ file: 'x.md', line: 1, text, run: false })
    assert.equal(invocationProblems(block('mega oracle init')).length, 1)
    assert.equal(invocationProblems(block('KEY=$(mega oracle status --json | jq .)')).length, 1)
    assert.equal(invocationProblems(block('npm run mega -- get oracles')).length, 1)
    assert.equal(invocationProblems(block(`${INVOCATION}node --htttp 127.0.0.1:1`)).length, 1)
    assert.equal(invocationProblems(block(`${INVOCATION}oracle capabilty list`)).length, 1)
    assert.deepEqual(invocationProblems(block(`${INVOCATION}node --http 127.0.0.1:1 # a node`)), [])
  })

  describe('blocks marked to run', () => {
    let node: ChildProcess | undefined
    let work = ''
    let nodePort = 0
    before(
      async () => {
        await mkdir(join(ROOT, '.tmp'), { recursive: true })
        work = await mkdtemp(join(ROOT, '.tmp', 'doc-commands-'))
        nodePort = await freePort()
        node = spawn(
          process.execPath,
          [MEGA, 'node', '--data', join(work, 'node-data'), '--http', `127.0.0.1:${nodePort}`],
          {
            env: { ...process.env, MEGA_LOG_LEVEL: 'warn', MEGA_NETWORK__ENABLED: 'false' },
            stdio: 'ignore',
          },
        )
        const client = new NodeClient({ url: `http://127.0.0.1:${nodePort}`, timeoutMs: 2000 })
        // A loaded machine may take many seconds to start a node.
        for (const deadline = Date.now() + 90_000; ; ) {
          try {
            if ((await client.get('health')).status === 200) break
          } catch {
            if (Date.now() > deadline) throw new Error('node did not start')
            await new Promise((resolve) => setTimeout(resolve, 100))
          }
        }
      },
      { timeout: 120_000 },
    )
    after(async () => {
      node?.kill('SIGTERM')
      if (node && node.exitCode === null) await once(node, 'exit')
      await rm(work, { recursive: true, force: true })
    })

    for (const file of RUN_ORDER) {
      it(`${file}: its marked blocks run as written`, { timeout: 240_000 }, async () => {
        assert.ok(work.startsWith(join(ROOT, '.tmp')) && nodePort > 0, 'runs only in its own directory')
        const blocks = (await shellBlocks(file)).filter((block) => block.run)
        assert.ok(blocks.length > 0, `${file} has no block marked ${RUN_MARK}`)
        const endpointPort = await freePort()
        const script = [
          'set -euo pipefail',
          // Whatever a block left running in the background (an oracle endpoint) stops with it.
          "trap 'kill $(jobs -p) 2>/dev/null || true' EXIT",
          ...blocks.map((block) =>
            block.text
              .replaceAll('127.0.0.1:8080', `127.0.0.1:${nodePort}`)
              .replaceAll(/\b8090\b/g, String(endpointPort)),
          ),
        ].join('\n')
        const shell = spawn('bash', ['-c', script], {
          cwd: work,
          env: { ...process.env, MEGA_NODE: `http://127.0.0.1:${nodePort}` },
          stdio: ['ignore', 'pipe', 'pipe'],
        })
        let output = ''
        shell.stdout.on('data', (chunk) => (output += chunk))
        shell.stderr.on('data', (chunk) => (output += chunk))
        const timer = setTimeout(() => shell.kill('SIGKILL'), 200_000)
        const [code] = (await once(shell, 'exit')) as [number | null]
        clearTimeout(timer)
        assert.equal(code, 0, `${file} failed:\n${output}`)
        assert.doesNotMatch(output, /^\s+at .*\(.*:\d+:\d+\)$/m, `a stack trace in the output:\n${output}`)
      })
    }
  })
})
