import assert from 'node:assert/strict'
import { mkdtemp, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, it } from 'node:test'
import { powBound } from '../../../src/protocol/message.ts'
import { verifyMessagePow } from '../../../src/protocol/message-pow.ts'
import type { OracleId } from '../../../src/protocol/messages/index.ts'
import { verifyPow } from '../../../src/protocol/pow.ts'
import { verifySignatures } from '../../../src/protocol/sign.ts'
import * as fx from '../../support/messages.ts'
import { runCli as run } from '../../support/run-cli.ts'

describe('mega CLI', () => {
  it('lists every command with examples', async () => {
    const { code, out } = await run(['--help'])
    assert.equal(code, 0)
    for (const name of ['keygen', 'mine', 'demo']) assert.match(out, new RegExp(`\\b${name}\\b`))
    assert.match(out, /examples:/)
  })

  it('keygen prints a usable key pair for each scheme', async () => {
    for (const scheme of ['ed25519', 'bip340']) {
      const { code, out } = await run(['keygen', '--scheme', scheme])
      assert.equal(code, 0)
      const pair = JSON.parse(out)
      assert.equal(pair.scheme, scheme)
      assert.match(pair.publicKey, /^[0-9a-f]{64}$/)
    }
    const bad = await run(['keygen', '--scheme', 'rsa'])
    assert.equal(bad.code, 2)
    assert.match(bad.err, /--scheme must be one of/)
  })

  it('mine --json mines a message from stdin on all cores, bound to the right bytes', async () => {
    const ad = fx.oracleAd()
    const { code, out } = await run(['mine', '--bits', '12', '--json', '--attach', '-'], JSON.stringify(ad))
    assert.equal(code, 0)
    const result = JSON.parse(out) as { message: OracleId; attempts: number }
    assert.equal(result.message.pow.bits, 12)
    assert.ok(verifyMessagePow(result.message, 12).ok)
    assert.ok(
      verifySignatures(result.message).ok,
      'oracle work is bound to the key: the signature still holds',
    )
    assert.ok(verifyPow(powBound(ad)!, result.message.pow).ok)
  })

  it('mine refuses bad input with a clear message and exit code', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'mega-cli-'))
    const file = join(dir, 'bad.json')
    await writeFile(
      file,
      JSON.stringify({ kind: 'oracle', scheme: 'ed25519', pubkey: 'XYZ', seqNo: 1, tags: [] }),
    )
    const invalid = await run(['mine', '--bits', '8', file])
    assert.equal(invalid.code, 1)
    assert.match(invalid.err, /\/pubkey/)
    const missing = await run(['mine', '--bits', '8', join(dir, 'absent.json')])
    assert.equal(missing.code, 1)
    assert.match(missing.err, /ENOENT/)
    const noBits = await run(['mine', file])
    assert.equal(noBits.code, 2)
    const tooMany = await run(['mine', '--bits', '99', file])
    assert.match(tooMany.err, /--bits must be an integer from 0 to 64/)
    const unknown = await run(['mine', '--bits', '8', '--nope', file])
    assert.equal(unknown.code, 2)
  })

  it('post and get explain an unreachable node and bad arguments', async () => {
    const ad = JSON.stringify(fx.oracleAd())
    const down = await run(['post', 'oracle', '-', '--node', 'http://127.0.0.1:9'], ad)
    assert.equal(down.code, 1)
    assert.match(down.err, /cannot reach the node at http:\/\/127.0.0.1:9/)
    assert.equal((await run(['post', 'fact', '-'], ad)).code, 2)
    const badKey = await run(['get', 'oracles/xyz'])
    assert.equal(badKey.code, 2)
    assert.equal((await run(['get', 'stats', '--query', 'novalue'])).code, 2)
  })
})
