/** The browser trader's key at rest (WebCrypto PBKDF2 + AES-GCM), run under Node's WebCrypto. */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { isTraderError } from '../../../src/trader/errors.ts'
import {
  createTraderKey,
  decryptKey,
  encryptKey,
  parseSealedKey,
  traderKeyFromSecret,
} from '../../../src/web-trader/keystore.ts'

const FAST = 10_000

describe('web trader keystore', () => {
  for (const scheme of ['bip340', 'ed25519'] as const) {
    it(`${scheme}: encrypts, decrypts with the passphrase, refuses another`, async () => {
      const key = createTraderKey(scheme)
      const sealed = await encryptKey(key, 'correct horse', FAST)
      assert.equal(JSON.stringify(sealed).includes(key.secretKey), false, 'no plain secret in the record')
      assert.deepEqual(await decryptKey(JSON.parse(JSON.stringify(sealed)), 'correct horse'), key)
      await assert.rejects(decryptKey(sealed, 'wrong horse'), (e) => isTraderError(e, 'KEY_LOCKED'))
    })
  }

  it('binds the public key and scheme: a swapped one does not open', async () => {
    const key = createTraderKey('ed25519')
    const sealed = await encryptKey(key, 'pw', FAST)
    const other = createTraderKey('ed25519')
    await assert.rejects(decryptKey({ ...sealed, publicKey: other.publicKey }, 'pw'), (e) =>
      isTraderError(e, 'KEY_LOCKED'),
    )
    await assert.rejects(decryptKey({ ...sealed, scheme: 'bip340' }, 'pw'), (e) =>
      isTraderError(e, 'KEY_LOCKED'),
    )
  })

  it('refuses malformed records and weak work factors', async () => {
    const sealed = await encryptKey(createTraderKey('bip340'), 'pw', FAST)
    const cases: [unknown, RegExp][] = [
      [null, /not a mega-web-trader-key/],
      [{ ...sealed, version: 2 }, /version 1/],
      [{ ...sealed, scheme: 'rsa' }, /scheme/],
      [{ ...sealed, kdf: { ...sealed.kdf, iterations: 1000 } }, /iterations/],
      [{ ...sealed, cipher: { name: 'AES-CBC', iv: sealed.cipher.iv } }, /AES-GCM/],
      [{ ...sealed, ciphertext: 'zz' }, /ciphertext/],
    ]
    for (const [value, reason] of cases)
      assert.throws(
        () => parseSealedKey(value),
        (e) => isTraderError(e, 'IMPORT_INVALID') && reason.test(e.message),
        String(reason),
      )
    await assert.rejects(encryptKey(createTraderKey('bip340'), ''), (e) => isTraderError(e, 'KEY_LOCKED'))
  })

  it('imports a secret key and derives its public key', () => {
    const key = createTraderKey('bip340')
    assert.deepEqual(traderKeyFromSecret('bip340', key.secretKey.toUpperCase()), key)
    assert.throws(
      () => traderKeyFromSecret('bip340', 'abc'),
      (e) => isTraderError(e, 'IMPORT_INVALID'),
    )
    assert.throws(
      () => traderKeyFromSecret('x', key.secretKey),
      (e) => isTraderError(e, 'IMPORT_INVALID'),
    )
  })
})
