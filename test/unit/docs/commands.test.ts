/**
 * The documentation's commands, as written. Every `sh` block of the README and docs/ is read:
 * each `mega` command in it must use the one documented invocation and name a command and flags
 * the CLI has.
 */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { parseCommandArgs, resolveCommand } from '../../../src/cli/command.ts'
import { COMMANDS } from '../../../src/cli/main.ts'
import { type Block, documentFiles, shellBlocks } from '../../support/doc-blocks.ts'

const INVOCATION = 'npm run -s mega -- '

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
})
