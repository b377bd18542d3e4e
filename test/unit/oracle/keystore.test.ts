import assert from 'node:assert/strict'
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, describe, it } from 'node:test'
import {
  DEFAULT_SCRYPT_LOG_N,
  decryptKeystore,
  encryptKeystore,
  readKeystore,
  unlockKeystore,
  writeKeystore,
} from '../../../src/keys/keystore.ts'
import { addCapability } from '../../../src/oracle/capabilities.ts'
import { initOracle } from '../../../src/oracle/identity.ts'
import { oracleFiles } from '../../../src/oracle/state.ts'
import { generateKeyPair } from '../../../src/protocol/signature.ts'

const dirs: string[] = []
after(async () => {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true })
})
async function tempDir() {
  const dir = await mkdtemp(join(tmpdir(), 'mega-keystore-'))
  dirs.push(dir)
  return dir
}

describe('keystore', () => {
  it('round-trips a key at the default cost, with mode 0600, and measures the unlock time', async (t) => {
    const dir = await tempDir()
    const key = generateKeyPair('ed25519')
    const path = join(dir, 'keystore.json')
    await writeKeystore(path, await encryptKeystore(key, 'correct horse'))
    assert.equal((await stat(path)).mode & 0o777, 0o600)
    const file = await readKeystore(path)
    assert.equal(file.kdf.logN, DEFAULT_SCRYPT_LOG_N)
    assert.doesNotMatch(JSON.stringify(file), new RegExp(key.secretKey), 'the secret is not in the clear')
    const started = performance.now()
    assert.deepEqual(await unlockKeystore(path, 'correct horse'), key)
    t.diagnostic(
      `unlock at scrypt N=2^${DEFAULT_SCRYPT_LOG_N}: ${(performance.now() - started).toFixed(0)} ms`,
    )
    await assert.rejects(writeKeystore(path, file), { code: 'KEYSTORE_EXISTS' })
  })

  it('refuses a wrong passphrase, an edited file and a file that is not a keystore', async () => {
    const key = generateKeyPair('bip340')
    const file = await encryptKeystore(key, 'right', 10)
    await assert.rejects(decryptKeystore(file, 'wrong'), { code: 'WRONG_PASSPHRASE' })
    // The public key is authenticated: swapping it does not make the file lie, it makes it fail.
    const swapped = { ...file, publicKey: generateKeyPair('bip340').publicKey }
    await assert.rejects(decryptKeystore(swapped, 'right'), { code: 'WRONG_PASSPHRASE' })
    const flipped = { ...file, ciphertext: `${file.ciphertext.slice(0, -2)}00` }
    await assert.rejects(decryptKeystore(flipped, 'right'), { code: 'WRONG_PASSPHRASE' })
    const expensive = { ...file, kdf: { ...file.kdf, logN: 30 } }
    await assert.rejects(decryptKeystore(expensive, 'right'), { code: 'KEYSTORE_CORRUPT' })
    for (const junk of [
      null,
      [],
      'text',
      { ...file, version: 2 },
      { ...file, cipher: { name: 'aes-128-cbc' } },
    ]) {
      await assert.rejects(
        decryptKeystore(junk, 'right'),
        { code: 'KEYSTORE_CORRUPT' },
        JSON.stringify(junk)?.slice(0, 40),
      )
    }
    const dir = await tempDir()
    await writeFile(join(dir, 'bad.json'), '{not json')
    await assert.rejects(readKeystore(join(dir, 'bad.json')), { code: 'KEYSTORE_CORRUPT' })
    await assert.rejects(readKeystore(join(dir, 'none.json')), { code: 'KEYSTORE_MISSING' })
  })

  it('restoring from the root secret gives back the same oracle and capability keys', async () => {
    const spec = {
      label: 'rain',
      question: 'Did it rain in $city on $day?',
      params: [
        { name: 'city', values: ['Paris', 'Oslo'] },
        { name: 'day', values: ['2026-11-21'] },
      ],
      answers: ['yes', 'no'],
      endpoint: 'https://weather.example',
      tags: ['weather'],
    }
    const first = await tempDir()
    const root = await initOracle({ dir: first, passphrase: 'a', logN: 10 })
    const original = await addCapability({ dir: first, root, spec, bits: 4, threads: 1 })

    const second = await tempDir()
    const restored = await initOracle({ dir: second, passphrase: 'b', secretKey: root.secretKey, logN: 10 })
    assert.equal(restored.publicKey, root.publicKey)
    const again = await addCapability({ dir: second, root: restored, spec, bits: 4, threads: 1 })
    assert.equal(again.ad.capabilityKey, original.ad.capabilityKey)
    assert.equal((await stat(oracleFiles(second).state)).mode & 0o777, 0o600)
    assert.doesNotMatch(await readFile(oracleFiles(second).state, 'utf8'), new RegExp(root.secretKey))
    await assert.rejects(initOracle({ dir: second, passphrase: 'b', logN: 10 }), { code: 'KEYSTORE_EXISTS' })
  })
})
