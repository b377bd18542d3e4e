/**
 * Mistakes at the command line get one line saying what to do, with the exit code of a usage
 * error (2) or of refused input (1), and no stack trace.
 */
import assert from 'node:assert/strict'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, it } from 'node:test'
import { closest } from '../../../src/cli/suggest.ts'
import { runCli } from '../../support/run-cli.ts'

describe('command-line mistakes', () => {
  it('an unknown command, sub-command or flag suggests the one meant', async () => {
    const cases: [string[], number, string][] = [
      [['nod'], 2, 'mega: unknown command "nod"; did you mean "node"? (mega --help lists them) [USAGE]\n'],
      [['frobnicate'], 2, 'mega: unknown command "frobnicate" (mega --help lists them) [USAGE]\n'],
      [
        ['oracle', 'capabilty', 'list'],
        2,
        'mega oracle: unknown command "capabilty"; did you mean "capability"? (mega oracle --help lists them) [USAGE]\n',
      ],
      [
        ['trader', 'oracle'],
        2,
        'mega trader: unknown command "oracle"; did you mean "oracles"? (mega trader --help lists them) [USAGE]\n',
      ],
      [
        ['node', '--htpp', '127.0.0.1:1'],
        2,
        'mega node: unknown option --htpp; did you mean --http? (usage: mega node [--config file] [--data dir] [--http host:port] [--p2p host:port]) [USAGE]\n',
      ],
    ]
    for (const [argv, exitCode, message] of cases) {
      const { code, err } = await runCli(argv)
      assert.equal(err, message, argv.join(' '))
      assert.equal(code, exitCode, argv.join(' '))
    }
  })

  it('suggests only plausible typos', () => {
    assert.equal(closest('devent', ['node', 'devnet']), 'devnet')
    assert.equal(closest('cap', ['capability', 'list']), 'capability')
    assert.equal(closest('xyz', ['node', 'devnet']), undefined)
    assert.equal(closest('--seed', ['--seed-demo', '--nodes']), '--seed-demo')
  })

  it('mega post <kind> <directory> says it needs a file', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'mega-post-dir-'))
    try {
      const { code, err } = await runCli(['post', 'oracle', dir, '--node', 'http://127.0.0.1:1'])
      assert.equal(err, `mega post: ${dir} is a directory: give a file [INPUT_INVALID]\n`)
      assert.equal(code, 1)
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  })
})
