import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { paramFromFlag, sourceFromFlags } from '../../../src/cli/commands/oracle/capability.ts'
import { runCli as mega } from '../../support/run-cli.ts'

describe('mega oracle: usage errors are precise and happen before any key is touched', () => {
  it('lists its commands', async () => {
    const help = await mega(['oracle'])
    assert.equal(help.code, 0)
    for (const name of [
      'init',
      'backup',
      'mine',
      'capability',
      'advertise',
      'serve',
      'manifest',
      'dispute',
    ]) {
      assert.match(help.out, new RegExp(`\\n  ${name} `), name)
    }
    assert.match((await mega(['--help'])).out, /\n {2}oracle /)
  })

  it('refuses bad flags with exit code 2 and says which', async () => {
    const cases: [string[], RegExp][] = [
      [['oracle', 'init', '--scheme', 'rsa'], /--scheme must be ed25519 or bip340/],
      [['oracle', 'mine'], /--bits is required/],
      [['oracle', 'mine', '--bits', '99'], /--bits must be an integer from 0 to 64/],
      [['oracle', 'capability', 'add', '--label', 'x'], /--question is required/],
      [
        [
          'oracle',
          'capability',
          'add',
          '--label',
          'x',
          '--question',
          'q',
          '--answers',
          'a',
          '--endpoint',
          'https://e.example',
          '--attestation',
          'magic',
        ],
        /--attestation must be schnorr, schnorr-digits, hashlock or signature/,
      ],
      [
        ['oracle', 'capability', 'add', '--label', 'x', '--question', 'q', '--attestation', 'schnorr-digits'],
        /--digits is required/,
      ],
      [
        [
          ...[
            'oracle',
            'capability',
            'add',
            '--label',
            'x',
            '--question',
            'q',
            '--endpoint',
            'https://e.example',
          ],
          ...['--attestation', 'schnorr-digits', '--digits', '33'],
        ],
        /--digits must be an integer from 1 to 32/,
      ],
      [
        [
          ...[
            'oracle',
            'capability',
            'add',
            '--label',
            'x',
            '--question',
            'q',
            '--endpoint',
            'https://e.example',
          ],
          ...['--attestation', 'schnorr-digits', '--digits', '20', '--answers', 'a,b'],
        ],
        /has --digits, not --answers/,
      ],
      [['oracle', 'capability', 'off'], /give one capability label/],
      [['oracle', 'advertise'], /give at least one --node URL/],
      [['oracle', 'serve', '--auto-dispute'], /--auto-dispute needs at least one --node/],
      [['oracle', 'serve', '--payment-command', 'rm -rf /'], /--payment-command must be a JSON array/],
      [['oracle', 'manifest'], /--domain is required/],
      [['oracle', 'dispute', '--node', 'http://127.0.0.1:1'], /give one report id, or --all/],
      [['oracle', 'dispute', 'xyz', '--node', 'http://127.0.0.1:1'], /64 lowercase hex digits/],
      [['oracle', 'backup'], /--out is required/],
      [['oracle', 'frobnicate'], /unknown command "frobnicate"/],
    ]
    for (const [argv, message] of cases) {
      const result = await mega(argv)
      assert.equal(result.code, 2, `${argv.join(' ')}: ${result.err}`)
      assert.match(result.err, message, argv.join(' '))
    }
  })

  it('parses params and fact sources strictly', () => {
    assert.deepEqual(paramFromFlag('home=ARS,CHE'), { name: 'home', values: ['ARS', 'CHE'] })
    assert.throws(() => paramFromFlag('=ARS'), /name=value1,value2/)
    assert.deepEqual(
      sourceFromFlags({ 'source-command': '["./lookup.sh","--fast"]', 'source-timeout': '900' }),
      {
        type: 'command',
        command: ['./lookup.sh', '--fast'],
        timeoutMs: 900,
      },
    )
    assert.throws(() => sourceFromFlags({ 'source-command': './lookup.sh $(id)' }), /JSON array/)
    assert.throws(() => sourceFromFlags({ 'source-command': '[]' }), /non-empty JSON array/)
    assert.throws(() => sourceFromFlags({ 'source-file': 'a', 'source-url': 'b' }), /give one fact source/)
    assert.deepEqual(sourceFromFlags({ 'source-url': 'https://x.example/{a}', 'source-pointer': '/r' }), {
      type: 'http',
      url: 'https://x.example/{a}',
      pointer: '/r',
    })
    assert.equal(sourceFromFlags({}), undefined)
  })

  it('names a missing oracle directory instead of failing obscurely', async () => {
    const result = await mega(['oracle', 'capability', 'list', '--dir', '/nonexistent/oracle'])
    assert.equal(result.code, 1)
    assert.match(result.err, /no oracle in \/nonexistent\/oracle: run `mega oracle init/)
    assert.match(result.err, /\[STATE_INVALID\]/)
  })
})
