/**
 * Expected failures of every area reach the person at the command line as one line: the
 * command, the message and the code, with a non-zero exit code and no stack trace. An error
 * without a code is a bug, and is thrown on so its stack is printed.
 */
import assert from 'node:assert/strict'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { createServer, type Server } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { PassThrough } from 'node:stream'
import { after, before, describe, it } from 'node:test'
import { type CliIo, reportFailure } from '../../../src/cli/command.ts'
import { CodedError } from '../../../src/protocol/errors.ts'
import { runCli } from '../../support/run-cli.ts'

process.env.MEGA_LOG_LEVEL = 'silent'
let dir = ''
let busy: Server
let busyPort = 0
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mega-coded-'))
  busy = createServer()
  await new Promise<void>((resolve) => busy.listen(0, '127.0.0.1', resolve))
  busyPort = (busy.address() as { port: number }).port
})
after(async () => {
  busy.close()
  await rm(dir, { recursive: true, force: true })
})

/** Runs `argv` and asserts one stderr line `mega <command>: … [code]`, exit 1, no stack frame. */
async function expectOneLine(argv: string[], command: string, code: string): Promise<string> {
  const { code: exitCode, err } = await runCli(argv)
  assert.equal(exitCode, 1, `${argv.join(' ')}: ${err}`)
  assert.ok(err.endsWith(` [${code}]\n`), `${argv.join(' ')}: ${err}`)
  assert.ok(err.startsWith(`mega ${command}: `), err)
  assert.equal(err.split('\n').length, 2, `one line: ${err}`)
  assert.doesNotMatch(err, / {4}at /)
  return err
}

describe('coded errors at the command line', () => {
  it('config: a file that is not JSON, a bad flag, a bad environment variable', async () => {
    const broken = join(dir, 'broken.json')
    await writeFile(broken, '{ "http": ')
    await expectOneLine(['node', '--config', broken], 'node', 'CONFIG_NOT_JSON')
    const wrong = join(dir, 'wrong.json')
    await writeFile(wrong, JSON.stringify({ mempool: { maxBytes: 10 } }))
    const line = await expectOneLine(['node', '--config', wrong], 'node', 'CONFIG_INVALID')
    assert.match(
      line,
      /wrong\.json: option mempool\.maxBytes must be >= 1024 \(expected integer \(≥ 1024\)\)/,
    )
    assert.match(
      await expectOneLine(['node', '--http', 'nope'], 'node', 'CONFIG_INVALID'),
      /--http must be host:port/,
    )
    process.env.MEGA_LOG_LEVEL = 'loud'
    try {
      assert.match(
        await expectOneLine(['node', '--data', join(dir, 'data')], 'node', 'CONFIG_INVALID'),
        /MEGA_LOG_LEVEL: option log\.level must be one of fatal \| error/,
      )
    } finally {
      process.env.MEGA_LOG_LEVEL = 'silent'
    }
  })

  it('trader, contract and oracle toolkits', async () => {
    const data = join(dir, 'trader')
    const key = 'ab'.repeat(32)
    await expectOneLine(
      ['trader', 'report', 'free-form', '--oracle', key, '--comment', 'x', '--data', data],
      'trader report',
      'KEY_MISSING',
    )
    const offer = join(dir, 'offer.json')
    await writeFile(offer, JSON.stringify({ type: 'mega-contract-offer', version: 2 }))
    await expectOneLine(
      ['trader', 'contract', 'accept', offer, '--data', data],
      'trader contract accept',
      'CONTRACT_MESSAGE_INVALID',
    )
    await expectOneLine(['oracle', 'status', '--dir', join(dir, 'oracle')], 'oracle status', 'STATE_INVALID')
  })

  it('network: a listening address that is not a multiaddr', async () => {
    process.env.MEGA_NETWORK__LISTEN = '["garbage"]'
    try {
      assert.match(
        await expectOneLine(
          ['node', '--data', join(dir, 'garbage'), '--http', '127.0.0.1:0'],
          'node',
          'BAD_MULTIADDR',
        ),
        /"garbage" is not a multiaddr/,
      )
    } finally {
      delete process.env.MEGA_NETWORK__LISTEN
    }
  })

  it('network: a taken listening address, and a node that cannot be reached', async () => {
    await expectOneLine(
      ['node', '--data', join(dir, 'listen'), '--http', `127.0.0.1:${busyPort}`, '--p2p', '127.0.0.1:0'],
      'node',
      'LISTEN_FAILED',
    )
    const message = join(dir, 'message.json')
    await writeFile(message, '{}')
    const closed = createServer()
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve))
    const closedPort = (closed.address() as { port: number }).port
    await new Promise((resolve) => closed.close(resolve))
    await expectOneLine(
      ['post', 'oracle', message, '--node', `http://127.0.0.1:${closedPort}`],
      'post',
      'NODE_UNREACHABLE',
    )
  })

  it('flattens a coded message over several lines into one', () => {
    let err = ''
    const stderr = new PassThrough()
    stderr.on('data', (chunk) => (err += chunk))
    const io = { stdout: new PassThrough(), stderr, stdin: new PassThrough() } as CliIo
    const exitCode = reportFailure(new CodedError('SOURCE_FAILED', 'first\n  second'), 'mega x', io)
    assert.equal(exitCode, 1)
    stderr.end()
    assert.equal(err, 'mega x: first second [SOURCE_FAILED]\n')
  })

  it('throws an uncoded error on, with its stack, and prints nothing of it', () => {
    const bug = new TypeError('cannot read properties of undefined')
    const stderr = new PassThrough()
    const io = { stdout: new PassThrough(), stderr, stdin: new PassThrough() } as CliIo
    assert.throws(
      () => reportFailure(bug, 'mega x', io),
      (error) => error === bug && /\n {4}at /.test(bug.stack ?? ''),
    )
    assert.equal(stderr.read(), null)
  })
})
