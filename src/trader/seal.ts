/**
 * Sealed offer details (the `sealed` field of an acceptance or finalization): text encrypted
 * for one counterparty's offer key, so contact details and settlement data travel through the
 * public network readable only by the counterparty.
 *
 * ECIES: an ephemeral key agrees a secret with the recipient's key (X25519 for an ed25519 key,
 * via its Montgomery form; secp256k1 ECDH for a BIP340 x-only key, using the x coordinate, which
 * is the same for either parity of the recipient's point), HKDF-SHA256 derives an AES-256-GCM
 * key, and `base64(version ‖ ephemeral public key ‖ iv ‖ ciphertext ‖ tag)` is the result.
 */
import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto'
import { ed25519, x25519 } from '@noble/curves/ed25519.js'
import { secp256k1 } from '@noble/curves/secp256k1.js'
import { fromHex, utf8 } from '../protocol/hex.ts'
import { LIMITS, type Scheme } from '../protocol/messages/index.ts'
import { TraderError, TraderErrorCode } from './errors.ts'

const VERSION = 1
const IV_BYTES = 12
const TAG_BYTES = 16

/** Encrypts `text` for the holder of `recipient` (hex public key of `scheme`); returns base64. */
export function seal(text: string, recipient: string, scheme: Scheme): string {
  const { ephemeral, shared } = agreeAsSender(recipient, scheme)
  const iv = randomBytes(IV_BYTES)
  const cipher = createCipheriv('aes-256-gcm', keyOf(shared, ephemeral, recipient), iv)
  const body = Buffer.concat([cipher.update(utf8(text)), cipher.final(), cipher.getAuthTag()])
  const sealed = Buffer.concat([Buffer.from([VERSION]), ephemeral, iv, body]).toString('base64')
  if (sealed.length > LIMITS.sealedLength) {
    throw new TraderError(
      TraderErrorCode.SEAL_INVALID,
      `sealed details are ${sealed.length} characters, over the protocol's ${LIMITS.sealedLength}: shorten the text`,
    )
  }
  return sealed
}

/** Opens what {@link seal} made for our key. Throws `SEAL_INVALID` for another key or altered bytes. */
export function unseal(sealed: string, secretKey: string, scheme: Scheme): string {
  const bytes = Buffer.from(sealed, 'base64')
  const ephemeralBytes = scheme === 'bip340' ? 33 : 32
  if (bytes.length < 1 + ephemeralBytes + IV_BYTES + TAG_BYTES || bytes[0] !== VERSION) {
    throw new TraderError(TraderErrorCode.SEAL_INVALID, 'sealed details are not in a known format')
  }
  const ephemeral = bytes.subarray(1, 1 + ephemeralBytes)
  const iv = bytes.subarray(1 + ephemeralBytes, 1 + ephemeralBytes + IV_BYTES)
  const body = bytes.subarray(1 + ephemeralBytes + IV_BYTES)
  try {
    const secret = fromHex(secretKey, 32, 'secret key')
    const { shared, publicKey } =
      scheme === 'bip340'
        ? {
            shared: secp256k1.getSharedSecret(secret, ephemeral).subarray(1),
            publicKey: Buffer.from(secp256k1.getPublicKey(secret)).subarray(1),
          }
        : {
            shared: x25519.getSharedSecret(ed25519.utils.toMontgomerySecret(secret), ephemeral),
            publicKey: Buffer.from(ed25519.getPublicKey(secret)),
          }
    const decipher = createDecipheriv('aes-256-gcm', keyOf(shared, ephemeral, publicKey.toString('hex')), iv)
    decipher.setAuthTag(body.subarray(body.length - TAG_BYTES))
    const plain = Buffer.concat([
      decipher.update(body.subarray(0, body.length - TAG_BYTES)),
      decipher.final(),
    ])
    return new TextDecoder('utf-8', { fatal: true }).decode(plain)
  } catch (error) {
    throw new TraderError(
      TraderErrorCode.SEAL_INVALID,
      'sealed details cannot be opened with this key',
      {},
      {
        cause: error,
      },
    )
  }
}

function agreeAsSender(recipient: string, scheme: Scheme): { ephemeral: Uint8Array; shared: Uint8Array } {
  const point = fromHex(recipient, 32, 'recipient key')
  if (scheme === 'bip340') {
    const secret = secp256k1.utils.randomSecretKey()
    const even = new Uint8Array([2, ...point])
    return {
      ephemeral: secp256k1.getPublicKey(secret, true),
      shared: secp256k1.getSharedSecret(secret, even).subarray(1),
    }
  }
  const secret = x25519.utils.randomSecretKey()
  return {
    ephemeral: x25519.getPublicKey(secret),
    shared: x25519.getSharedSecret(secret, ed25519.utils.toMontgomery(point)),
  }
}

function keyOf(shared: Uint8Array, ephemeral: Uint8Array, recipient: string): Buffer {
  const info = Buffer.concat([Buffer.from('mega-offer-seal-v1:'), Buffer.from(recipient, 'utf8')])
  return Buffer.from(hkdfSync('sha256', shared, ephemeral, info, 32))
}
