/**
 * ed25519 from libtorsion, the native library `bcrypto` compiles at install (the node uses
 * its libsecp256k1 for BIP340): the other native ed25519 on this machine, measured beside the
 * libsodium the node verifies with, to show whether a faster verifier is at hand. Undefined
 * where bcrypto's native build is missing.
 */
import { createRequire } from 'node:module'
import { BCRYPTO_NATIVE } from '../src/protocol/crypto/libsecp256k1.ts'
import type { SchemeBackend } from '../src/protocol/crypto/types.ts'

interface BcryptoEd25519 {
  native: number
  publicKeyCreate(secret: Buffer): Buffer
  sign(message: Buffer, secret: Buffer): Buffer
  verify(message: Buffer, signature: Buffer, publicKey: Buffer): boolean
}

const buffer = (bytes: Uint8Array) => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)

export function bcryptoEd25519(): SchemeBackend | undefined {
  let ed25519: BcryptoEd25519
  try {
    ed25519 = createRequire(import.meta.url)('bcrypto/lib/ed25519') as BcryptoEd25519
  } catch {
    return undefined
  }
  if (ed25519.native !== BCRYPTO_NATIVE) return undefined
  return {
    publicKey: (secretKey) => new Uint8Array(ed25519.publicKeyCreate(buffer(secretKey))),
    sign: (message, secretKey) => new Uint8Array(ed25519.sign(buffer(message), buffer(secretKey))),
    verify(signature, message, publicKey) {
      try {
        return ed25519.verify(buffer(message), buffer(signature), buffer(publicKey))
      } catch {
        return false
      }
    },
  }
}
