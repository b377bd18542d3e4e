/** `mega trader contract` refuses bad input (flags, message files) with precise errors, offline. */
import assert from 'node:assert/strict'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { runCli } from '../../support/run-cli.ts'

let dir: string
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mega-contract-cli-'))
})
after(async () => {
  await rm(dir, { recursive: true, force: true })
})

describe('mega trader contract command line', () => {
  it('lists its commands', async () => {
    const { code, out } = await runCli(['trader', 'contract'])
    assert.equal(code, 0)
    for (const name of [
      'propose',
      'accept',
      'sign',
      'finalize',
      'settle',
      'refund',
      'show',
      'export',
      'import',
    ])
      assert.match(out, new RegExp(`\\n  ${name} `))
  })

  it('refuses bad flags with exit code 2', async () => {
    const data = ['--data', join(dir, 'none')]
    const cases: Array<[string[], RegExp]> = [
      [['trader', 'contract', 'propose', 'nothex', ...data], /<offer-key> must be 64 lowercase hex digits/],
      [['trader', 'contract', 'propose', 'ab'.repeat(32), ...data], /--psbt is required/],
      [['trader', 'contract', 'propose', 'ab'.repeat(32), '--fee-rate', '0', ...data], /--fee-rate/],
      [
        ['trader', 'contract', 'propose', 'ab'.repeat(32), '--network', 'liquid', ...data],
        /--network must be one of mainnet, testnet, signet, regtest/,
      ],
      [['trader', 'contract', 'accept', ...data], /usage: mega trader contract accept/],
      [['trader', 'contract', 'export', 'ab'.repeat(32), ...data], /--format dlcspecs is required/],
      [['trader', 'contract', 'import', 'ab'.repeat(32), ...data], /usage: mega trader contract import/],
      [
        ['trader', 'contract', 'import', 'ab'.repeat(32), 'x.hex', '--format', 'bolt', ...data],
        /--format dlcspecs/,
      ],
    ]
    for (const [argv, message] of cases) {
      const { code, err } = await runCli(argv)
      assert.equal(code, 2, argv.join(' '))
      assert.match(err, message)
    }
  })

  it('refuses a message of another type or version, or that breaks its schema, naming the path', async () => {
    const file = join(dir, 'message.json')
    const cases: Array<[unknown, RegExp]> = [
      [{ type: 'mega-contract-accept', version: 1 }, /\/type must be "mega-contract-offer"/],
      [{ type: 'mega-contract-offer', version: 2 }, /\/version 2 is not supported/],
      [
        { type: 'mega-contract-offer', version: 1, network: 'regtest' },
        /mega-contract-offer: \/ must have property "nonce"/,
      ],
    ]
    for (const [message, expected] of cases) {
      await writeFile(file, JSON.stringify(message))
      const { code, err } = await runCli(['trader', 'contract', 'accept', file, '--data', join(dir, 'none')])
      assert.equal(code, 1)
      assert.match(err, expected)
      assert.match(err, /\[CONTRACT_MESSAGE_INVALID\]/)
    }
  })

  it('mega trader offer: a curve needs its flags, and excludes bets', async () => {
    const data = ['--data', join(dir, 'none')]
    const offer = [
      'trader',
      'offer',
      'ab'.repeat(32),
      '--amount',
      '1',
      '--acceptor-amount',
      '1',
      '--chain',
      'bitcoin',
    ]
    const cases: Array<[string[], RegExp]> = [
      [
        [...offer, '--contact', 'x', ...data],
        /--bet is required \(or, on a numeric capability, --curve or --cfd\)/,
      ],
      [
        [...offer, '--contact', 'x', '--bet', 'home', '--cfd', '1:2', ...data],
        /--bet and a curve exclude each other/,
      ],
    ]
    for (const [argv, message] of cases) {
      const { code, err } = await runCli(argv)
      assert.equal(code, 2, argv.join(' '))
      assert.match(err, message)
    }
  })

  it('shows no contracts in a fresh data directory, and refuses an unknown id', async () => {
    const data = ['--data', join(dir, 'fresh')]
    assert.match((await runCli(['trader', 'contract', 'show', ...data])).out, /no contracts/)
    const missing = await runCli(['trader', 'contract', 'refund', 'deadbeef00', ...data])
    assert.equal(missing.code, 1)
    assert.match(missing.err, /no contract deadbeef00 .*\[NOT_FOUND\]/)
  })
})
