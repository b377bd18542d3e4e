import assert from 'node:assert/strict'
import { PassThrough } from 'node:stream'
import { describe, it } from 'node:test'
import {
  type CliIo,
  type Command,
  commandGroup,
  formatHelp,
  parseCommandArgs,
  resolveCommand,
} from '../../../src/cli/command.ts'

function io(): CliIo & { out: () => string } {
  const stdout = new PassThrough()
  const chunks: Buffer[] = []
  stdout.on('data', (chunk: Buffer) => chunks.push(chunk))
  return {
    stdout,
    stderr: new PassThrough(),
    stdin: new PassThrough(),
    out: () => Buffer.concat(chunks).toString(),
  }
}

const leaf: Command = {
  name: 'add',
  summary: 'Adds a thing.',
  usage: 'mega thing add <name> [--loud]',
  options: { loud: { type: 'boolean', description: 'Shout.' } },
  examples: [],
  run: async (args) => (args.values.loud ? 7 : 0),
}
const group = commandGroup({
  name: 'thing',
  summary: 'Things.',
  usage: 'mega thing <command>',
  examples: ['mega thing add x'],
  subcommands: [leaf],
})

describe('command groups', () => {
  it('resolve the leading words down to a sub-command, leaving its arguments', () => {
    const resolved = resolveCommand([group], ['thing', 'add', 'x', '--loud'])
    assert.deepEqual(resolved?.path, ['thing', 'add'])
    assert.equal(resolved?.command, leaf)
    assert.deepEqual(parseCommandArgs(leaf, resolved.rest).positionals, ['x'])
    assert.equal(resolveCommand([group], ['nothing']), undefined)
    assert.deepEqual(resolveCommand([group], ['thing', 'other'])?.rest, ['other'])
  })

  it('list their sub-commands in help, and refuse an unknown one with exit code 2', async () => {
    assert.match(formatHelp(group), /commands:\n {2}add {2}Adds a thing\./)
    const out = io()
    assert.equal(await group.run({ values: {}, positionals: [] }, out), 0)
    assert.match(out.out(), /usage: mega thing <command>/)
    await assert.rejects(
      group.run({ values: {}, positionals: ['other'] }, io()),
      (error: Error & { exitCode?: number }) => {
        assert.match(error.message, /unknown command "other"/)
        return error.exitCode === 2
      },
    )
  })
})
