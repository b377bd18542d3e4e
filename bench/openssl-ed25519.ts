/**
 * OpenSSL's ed25519 through `node:crypto`: the "native" baseline of the benchmarks. The node
 * itself verifies with libsodium (src/protocol/crypto/node.ts); OpenSSL is what Node offers
 * out of the box, so its figures say what that choice buys.
 */
import { createPrivateKey, createPublicKey, type KeyObject, sign, verify } from 'node:crypto'
import type { SchemeBackend } from '../src/protocol/crypto/types.ts'

/** DER header of an Ed25519 PKCS#8 PrivateKeyInfo (RFC 8410 §7); the 32-byte seed follows. */
const PKCS8_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex')

/** A public key object from raw bytes: what OpenSSL needs before it can verify. */
function opensslPublicKey(raw: Uint8Array): KeyObject {
  const x = Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength).toString('base64url')
  return createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x }, format: 'jwk' })
}

function privateKey(seed: Uint8Array): KeyObject {
  return createPrivateKey({ key: Buffer.concat([PKCS8_PREFIX, seed]), format: 'der', type: 'pkcs8' })
}

/**
 * OpenSSL ed25519. With `cacheKeys`, each signer's key object is built once (a signer seen
 * again); without, every verification builds one (a new signer, as for most messages a node admits).
 */
export function opensslEd25519({ cacheKeys }: { cacheKeys: boolean }): SchemeBackend {
  const keys = new Map<string, KeyObject>()
  const keyOf = (raw: Uint8Array) => {
    if (!cacheKeys) return opensslPublicKey(raw)
    const id = Buffer.from(raw).toString('latin1')
    let key = keys.get(id)
    if (!key) {
      key = opensslPublicKey(raw)
      keys.set(id, key)
    }
    return key
  }
  return {
    publicKey(secretKey) {
      const jwk = createPublicKey(privateKey(secretKey)).export({ format: 'jwk' })
      return new Uint8Array(Buffer.from(jwk.x!, 'base64url'))
    },
    sign(message, secretKey) {
      return new Uint8Array(sign(null, message, privateKey(secretKey)))
    },
    verify(signature, message, publicKey) {
      return verify(null, message, keyOf(publicKey), signature)
    },
  }
}
