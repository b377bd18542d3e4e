/** `mega trader` refuses bad input (flags, policy files, import files) with precise errors. */
import assert from 'node:assert/strict'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { runCli as run } from '../../support/run-cli.ts'

const KEY = 'ab'.repeat(32)
let dir: string
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mega-trader-cli-'))
})
after(() => rm(dir, { recursive: true, force: true }))

describe('mega trader command line', () => {
  it('lists its commands', async () => {
    const { code, out } = await run(['trader'])
    assert.equal(code, 0)
    const help = await run(['trader', '--help'])
    assert.equal(help.code, 0, help.err)
    assert.equal(help.out, out)
    for (const name of [
      'init',
      'oracles',
      'ask',
      'report',
      'detect',
      'verify-reports',
      'offer',
      'match',
      'accept',
      'finalize',
      'settle',
      'export',
      'import',
    ])
      assert.match(out, new RegExp(`\\b${name}\\b`), name)
  })

  it('refuses bad flags and arguments with exit code 2, naming them', async () => {
    const data = ['--data', join(dir, 'flags')]
    // An offer complete but for what a case adds.
    const offer = (chain: string) => [
      'trader',
      'offer',
      KEY,
      '--bet',
      'home',
      '--amount',
      '1',
      '--acceptor-amount',
      '1',
      '--chain',
      chain,
      '--contact',
      'x',
    ]
    const cases: [string[], RegExp][] = [
      [['trader', 'ask', 'nothex', ...data], /<capability-key> must be 64 lowercase hex digits/],
      [['trader', 'ask', KEY, '--arg', 'novalue', ...data], /--arg must be name=value, got "novalue"/],
      [['trader', 'ask', KEY, '--arg', 'a=1', '--arg', 'a=2', ...data], /--arg a is given twice/],
      [['trader', 'ask', KEY, '--wait', 'soon', ...data], /--wait must be an integer/],
      [['trader', 'oracles', '--node', 'ftp://x', ...data], /--node must be an http\(s\) URL/],
      [['trader', 'oracles', '--limit', '0', ...data], /--limit must be an integer from 1/],
      [['trader', 'report', ...data], /usage: mega trader report/],
      [['trader', 'report', 'slander', ...data], /<kind> must be one of fact-conflict, fact-missing/],
      [
        ['trader', 'report', 'free-form', '--comment', 'x', ...data],
        /--oracle must be 64 lowercase hex digits/,
      ],
      [['trader', 'report', 'free-form', '--oracle', KEY, ...data], /free-form needs --comment/],
      [['trader', 'report', 'fact-conflict', '--fact', KEY, ...data], /exactly two --fact/],
      [['trader', 'report', 'fact-missing', ...data], /needs --commitment/],
      [
        ['trader', 'report', 'free-form', '--oracle', KEY, '--comment', 'x', '--bits', '99', ...data],
        /--bits must be an integer from 0 to 64/,
      ],
      [['trader', 'verify-reports', ...data], /--oracle must be 64 lowercase hex digits/],
      [['trader', 'offer', KEY, '--amount', '1', ...data], /--bet is required/],
      [['trader', 'offer', KEY, '--bet', 'home', ...data], /--amount is required/],
      [
        ['trader', 'offer', KEY, '--bet', 'home,', '--amount', '1', ...data],
        /--bet must be answers separated by commas/,
      ],
      [['trader', 'accept', KEY, ...data], /--contact is required/],
      [[...offer('bitcoin'), '--quorum', 'nope', ...data], /--quorum must be <capability-key>:name=value/],
      [
        [...offer('bitcoin'), '--synonym', 'home', ...data],
        /--synonym must be \[capability-key:\]answer=other/,
      ],
      [[...offer('Bitcoin!'), ...data], /--chain must be lowercase/],
      [['trader', 'init', '--scheme', 'rsa', ...data], /--scheme must be ed25519 or bip340/],
      [['trader', 'oracles', '--frobnicate', ...data], /unknown option --frobnicate/],
    ]
    for (const [argv, expected] of cases) {
      const { code, err } = await run(argv)
      assert.equal(code, 2, `${argv.join(' ')}: ${err}`)
      assert.match(err, expected, argv.join(' '))
    }
  })

  it('needs a key to sign, and never overwrites one', async () => {
    const data = ['--data', join(dir, 'key')]
    const missing = await run([
      'trader',
      'report',
      'free-form',
      '--oracle',
      KEY,
      '--comment',
      'x',
      '--node',
      'http://127.0.0.1:9',
      ...data,
    ])
    assert.equal(missing.code, 1)
    assert.match(missing.err, /no trader key in .*run `mega trader init` first \[KEY_MISSING\]/)
    const init = await run(['trader', 'init', ...data])
    assert.equal(init.code, 0)
    assert.match(init.err, /warning: the key is stored unencrypted/)
    const again = await run(['trader', 'init', ...data])
    assert.equal(again.code, 1)
    assert.match(again.err, /already exists.*KEY_EXISTS/)
  })

  it('encrypts the key under a passphrase, and signs only once it is unlocked', async () => {
    const data = ['--data', join(dir, 'locked')]
    process.env.MEGA_TRADER_PASSPHRASE = 'correct horse'
    let init: Awaited<ReturnType<typeof run>>
    try {
      init = await run(['trader', 'init', ...data])
    } finally {
      delete process.env.MEGA_TRADER_PASSPHRASE
    }
    assert.equal(init.code, 0, init.err)
    assert.equal(JSON.parse(init.out).encrypted, true)
    const file = JSON.parse(await readFile(join(dir, 'locked', 'trader-key.json'), 'utf8'))
    assert.equal(file.kind, 'mega-oracle-keystore')
    assert.equal(JSON.stringify(file).includes('secretKey'), false)
    const dryRun = [
      'trader',
      'report',
      'free-form',
      '--oracle',
      KEY,
      '--comment',
      'x',
      '--dry-run',
      '--node',
      'http://127.0.0.1:9',
      ...data,
    ]
    const locked = await run(dryRun)
    assert.equal(locked.code, 1)
    assert.match(locked.err, /the trader key is encrypted: set MEGA_TRADER_PASSPHRASE.*\[KEY_LOCKED\]/)
    const wrong = join(dir, 'wrong-pass')
    await writeFile(wrong, 'battery staple\n')
    const refused = await run([...dryRun, '--passphrase-file', wrong])
    assert.match(refused.err, /wrong passphrase.*\[KEY_LOCKED\]/)
    const right = join(dir, 'right-pass')
    await writeFile(right, 'correct horse\n')
    const unlocked = await run([...dryRun, '--passphrase-file', right])
    assert.equal(unlocked.code, 0, unlocked.err)
    assert.match(unlocked.out, /the report would be accepted: subjective/)
    const anonymous = await run([...dryRun, '--anonymous'])
    assert.equal(anonymous.code, 0, 'an anonymous report needs no key')
  })

  it('refuses bad policy files precisely', async () => {
    const cases: [string, RegExp][] = [
      ['{"kinds":["fact-conflict","rumour"]}', /policy.json: \/kinds\/1 .*POLICY_INVALID/],
      ['{"minStrengthBits":"high"}', /\/minStrengthBits must be number/],
      ['not json', /is not JSON/],
    ]
    for (const [text, expected] of cases) {
      const file = join(dir, 'policy.json')
      await writeFile(file, text)
      const { code, err } = await run([
        'trader',
        'oracles',
        '--offline',
        '--policy',
        file,
        '--data',
        join(dir, 'p'),
      ])
      assert.equal(code, 1, text)
      assert.match(err, expected)
    }
    const absent = await run([
      'trader',
      'oracles',
      '--offline',
      '--policy',
      join(dir, 'absent.json'),
      '--data',
      join(dir, 'p'),
    ])
    assert.match(absent.err, /cannot read .*absent.json: ENOENT/)
  })

  it('refuses bad import files and leaves the store as it was', async () => {
    const data = ['--data', join(dir, 'import')]
    const cases: [string, RegExp][] = [
      ['{"format":"something-else"}', /not a trader export.*IMPORT_INVALID/],
      [
        '{"format":"mega-trader-export","version":1,"messages":[{"own":true,"message":{"kind":"fact"}}]}',
        /\/messages\/0: .*fact \/ must have property "scheme"/,
      ],
      ['[', /is not JSON/],
    ]
    for (const [text, expected] of cases) {
      const file = join(dir, 'import.json')
      await writeFile(file, text)
      const { code, err } = await run(['trader', 'import', file, ...data])
      assert.equal(code, 1, text)
      assert.match(err, expected)
    }
    const exported = await run(['trader', 'export', ...data])
    assert.equal(exported.code, 0)
    assert.deepEqual(JSON.parse(exported.out).messages, [])
  })
})
