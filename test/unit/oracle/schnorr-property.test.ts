import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import fc from 'fast-check'
import { fromHex, toHex } from '../../../src/protocol/hex.ts'
import {
  attestationPoint,
  recoverSecretFromNonceReuse,
  SECP256K1_ORDER,
  schnorrNonce,
  signatureScalarPoint,
  signWithNonce,
} from '../../../src/protocol/schnorr-nonce.ts'
import { publicKeyOf, verifyDigest } from '../../../src/protocol/signature.ts'

const scalar = fc.uint8Array({ minLength: 32, maxLength: 32 }).filter((bytes) => {
  const value = BigInt(`0x${toHex(bytes)}`)
  return value > 0n && value < SECP256K1_ORDER
})
const message = fc.uint8Array({ minLength: 32, maxLength: 32 })

describe('BIP340 signing with a fixed nonce (property)', () => {
  it('always verifies, always uses the nonce point, and s·G is the precomputable attestation point', () => {
    fc.assert(
      fc.property(scalar, scalar, message, (secret, nonceSecret, digest) => {
        const secretKey = toHex(secret)
        const publicKey = publicKeyOf('bip340', secretKey)
        const nonce = schnorrNonce(nonceSecret)
        const signature = signWithNonce(digest, secretKey, nonce)
        assert.ok(verifyDigest(digest, signature, publicKey).ok)
        assert.equal(signature.slice(0, 64), nonce.point)
        assert.equal(signatureScalarPoint(signature), attestationPoint(publicKey, nonce.point, digest))
      }),
      { numRuns: 60 },
    )
  })

  it('two different messages under one nonce always give the key away', () => {
    fc.assert(
      fc.property(scalar, scalar, message, message, (secret, nonceSecret, first, second) => {
        fc.pre(toHex(first) !== toHex(second))
        const secretKey = toHex(secret)
        const publicKey = publicKeyOf('bip340', secretKey)
        const nonce = schnorrNonce(nonceSecret)
        const recovered = recoverSecretFromNonceReuse(
          publicKey,
          { message: first, signature: signWithNonce(first, secretKey, nonce) },
          { message: second, signature: signWithNonce(second, secretKey, nonce) },
        )
        assert.equal(publicKeyOf('bip340', recovered), publicKey)
        assert.ok(
          recovered === secretKey || BigInt(`0x${recovered}`) === SECP256K1_ORDER - BigInt(`0x${secretKey}`),
        )
      }),
      { numRuns: 40 },
    )
  })

  it('refuses bad inputs with coded errors', () => {
    const nonce = schnorrNonce(fromHex('11'.repeat(32)))
    assert.throws(() => signWithNonce(new Uint8Array(31), '22'.repeat(32), nonce), { code: 'BAD_LENGTH' })
    assert.throws(() => signWithNonce(new Uint8Array(32), '00'.repeat(32), nonce), { code: 'BAD_KEY' })
    assert.throws(() => schnorrNonce(new Uint8Array(32)), { code: 'BAD_KEY' })
    assert.throws(() => attestationPoint('ff'.repeat(32), nonce.point, new Uint8Array(32)), {
      code: 'BAD_KEY',
    })
  })
})
