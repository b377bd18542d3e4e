/** CLI commands that read and write files: passphrase sources, backup and restore, manifest. */
import assert from 'node:assert/strict'
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { PassThrough } from 'node:stream'
import { after, describe, it } from 'node:test'
import { readPassphrase } from '../../../src/keys/passphrase.ts'
import { initOracle, mineIdentity } from '../../../src/oracle/identity.ts'
import { loadState } from '../../../src/oracle/state.ts'
import { classifyManifest } from '../../../src/protocol/verify-manifest.ts'
import { runCli as mega } from '../../support/run-cli.ts'

const dirs: string[] = []
after(async () => {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true })
})
async function tempDir() {
  const dir = await mkdtemp(join(tmpdir(), 'mega-cli-files-'))
  dirs.push(dir)
  return dir
}

const io = () => ({ stdout: new PassThrough(), stderr: new PassThrough(), stdin: PassThrough.from(['']) })

/** A new oracle (cheap keystore) and the CLI flags that open it with a passphrase file. */
async function oracleWithPassFile() {
  const dir = await tempDir()
  const passFile = join(dir, 'pass.txt')
  await writeFile(passFile, 'pw\n')
  const oracleDir = join(dir, 'oracle')
  const root = await initOracle({ dir: oracleDir, passphrase: 'pw', logN: 10 })
  const args = ['--dir', oracleDir, '--passphrase-file', passFile]
  return { dir, passFile, oracleDir, root, args }
}

describe('passphrase sources', () => {
  it('file first line, then the environment; refuses empty ones and a missing terminal', async () => {
    const dir = await tempDir()
    const file = join(dir, 'pass.txt')
    await writeFile(file, 'from file\nsecond line ignored\n')
    assert.equal(
      await readPassphrase({ file, env: { MEGA_ORACLE_PASSPHRASE: 'env' }, io: io() }),
      'from file',
    )
    assert.equal(await readPassphrase({ env: { MEGA_ORACLE_PASSPHRASE: 'from env' }, io: io() }), 'from env')
    await writeFile(file, '\n')
    await assert.rejects(readPassphrase({ file, env: {}, io: io() }), { code: 'PASSPHRASE_MISSING' })
    await assert.rejects(readPassphrase({ env: { MEGA_ORACLE_PASSPHRASE: '' }, io: io() }), {
      code: 'PASSPHRASE_MISSING',
    })
    await assert.rejects(readPassphrase({ env: {}, io: io() }), /no passphrase: use --passphrase-file/)
    await assert.rejects(
      readPassphrase({ file: join(dir, 'none'), env: {}, io: io() }),
      /cannot read .*ENOENT/,
    )
  })
})

describe('backup, restore, manifest', () => {
  it('backup writes the root secret once (0600); init --restore gives back the same oracle', async () => {
    const { dir, passFile, oracleDir, root, args } = await oracleWithPassFile()
    const backup = join(dir, 'root.txt')
    assert.equal((await mega(['oracle', 'backup', '--out', backup, ...args])).code, 0)
    assert.equal((await stat(backup)).mode & 0o777, 0o600)
    assert.equal((await readFile(backup, 'utf8')).trim(), root.secretKey)
    const again = await mega(['oracle', 'backup', '--out', backup, ...args])
    assert.equal(again.code, 1)
    assert.match(again.err, /cannot create .*EEXIST/)

    await writeFile(join(dir, 'wrong.txt'), 'nope\n')
    const refused = await mega([
      'oracle',
      'backup',
      '--out',
      join(dir, 'x.txt'),
      '--dir',
      oracleDir,
      '--passphrase-file',
      join(dir, 'wrong.txt'),
    ])
    assert.equal(refused.code, 1)
    assert.match(refused.err, /\[WRONG_PASSPHRASE\]/)

    const restored = await mega([
      'oracle',
      'init',
      '--dir',
      join(dir, 'restored'),
      '--restore',
      backup,
      '--passphrase-file',
      passFile,
      '--json',
    ])
    assert.equal(restored.code, 0, restored.err)
    assert.equal(JSON.parse(restored.out).publicKey, root.publicKey)
    await writeFile(join(dir, 'bad.txt'), 'not hex\n')
    const bad = await mega(['oracle', 'init', '--dir', join(dir, 'bad'), '--restore', join(dir, 'bad.txt')])
    assert.match(bad.err, /must hold 64 lowercase hex digits/)
  })

  it('manifest: signed, domain-verified, and the ad now points back at the domain', async () => {
    const { dir, oracleDir, root, args } = await oracleWithPassFile()
    const early = await mega(['oracle', 'manifest', '--domain', 'oracle.example', ...args])
    assert.match(early.err, /\[NOT_MINED\]/)
    await mineIdentity({ dir: oracleDir, root, bits: 6, threads: 1 })
    const out = join(dir, 'mega-oracle.json')
    const written = await mega(['oracle', 'manifest', '--domain', 'oracle.example', '--out', out, ...args])
    assert.equal(written.code, 0, written.err)
    const manifest = JSON.parse(await readFile(out, 'utf8'))
    assert.equal(
      classifyManifest(manifest, { domain: 'oracle.example', oracle: root.publicKey }).status,
      'domain-verified',
    )
    const state = await loadState(oracleDir)
    assert.equal(state.ad?.manifestUri, 'https://oracle.example/.well-known/mega-oracle.json')
    assert.deepEqual(state.ad, manifest.oracle)
  })
})
