/**
 * Sealed offer details (the `sealed` field of an acceptance or finalization): text encrypted
 * for one counterparty's offer key, so contact details and settlement data travel through the
 * public network readable only by the counterparty.
 *
 * ECIES: an ephemeral key agrees a secret with the recipient's key (X25519 for an ed25519 key,
 * via its Montgomery form; secp256k1 ECDH for a BIP340 x-only key, using the x coordinate, which
 * is the same for either parity of the recipient's point), HKDF-SHA256 derives an AES-256-GCM
 * key, and `base64(version ‖ ephemeral public key ‖ iv ‖ ciphertext ‖ tag)` is the result.
 *
 * Platform-neutral (WebCrypto's AES-GCM, noble's curves and HKDF), so the CLI and the browser
 * trader seal and open the very same bytes.
 */
import { ed25519, x25519 } from '@noble/curves/ed25519.js'
import { secp256k1 } from '@noble/curves/secp256k1.js'
import { hkdf } from '@noble/hashes/hkdf.js'
import { sha256 } from '@noble/hashes/sha2.js'
import { concatBytes, fromHex, LIMITS, type Scheme, toHex, utf8 } from '../protocol/index.ts'
import { TraderError, TraderErrorCode } from './errors.ts'

const VERSION = 1
const IV_BYTES = 12
const TAG_BYTES = 16

/** Encrypts `text` for the holder of `recipient` (hex public key of `scheme`); returns base64. */
export async function seal(text: string, recipient: string, scheme: Scheme): Promise<string> {
  const { ephemeral, shared } = agreeAsSender(recipient, scheme)
  const iv = globalThis.crypto.getRandomValues(new Uint8Array(IV_BYTES))
  const key = await aesKey(shared, ephemeral, recipient, 'encrypt')
  const body = new Uint8Array(
    await globalThis.crypto.subtle.encrypt({ name: 'AES-GCM', iv }, key, new Uint8Array(utf8(text))),
  )
  const sealed = toBase64(concatBytes(new Uint8Array([VERSION]), ephemeral, iv, body))
  if (sealed.length > LIMITS.sealedLength) {
    throw new TraderError(
      TraderErrorCode.SEAL_INVALID,
      `sealed details are ${sealed.length} characters, over the protocol's ${LIMITS.sealedLength}: shorten the text`,
    )
  }
  return sealed
}

/** Opens what {@link seal} made for our key. Throws `SEAL_INVALID` for another key or altered bytes. */
export async function unseal(sealed: string, secretKey: string, scheme: Scheme): Promise<string> {
  const bytes = fromBase64(sealed)
  const ephemeralBytes = scheme === 'bip340' ? 33 : 32
  if (!bytes || bytes.length < 1 + ephemeralBytes + IV_BYTES + TAG_BYTES || bytes[0] !== VERSION) {
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
            publicKey: secp256k1.getPublicKey(secret).subarray(1),
          }
        : {
            shared: x25519.getSharedSecret(ed25519.utils.toMontgomerySecret(secret), ephemeral),
            publicKey: ed25519.getPublicKey(secret),
          }
    const key = await aesKey(shared, ephemeral, toHex(publicKey), 'decrypt')
    const plain = await globalThis.crypto.subtle.decrypt({ name: 'AES-GCM', iv }, key, body)
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

/** The AES-256-GCM key: HKDF-SHA256(shared, salt = ephemeral key, info = label ‖ recipient hex). */
function aesKey(
  shared: Uint8Array,
  ephemeral: Uint8Array,
  recipient: string,
  use: 'encrypt' | 'decrypt',
): Promise<CryptoKey> {
  const info = concatBytes(utf8('mega-offer-seal-v1:'), utf8(recipient))
  const bytes = hkdf(sha256, shared, ephemeral, info, 32)
  return globalThis.crypto.subtle.importKey('raw', bytes, 'AES-GCM', false, [use])
}

function toBase64(bytes: Uint8Array): string {
  let binary = ''
  for (const byte of bytes) binary += String.fromCharCode(byte)
  return btoa(binary)
}

/** Decodes standard base64, or undefined when `text` is not base64. */
function fromBase64(text: string): Uint8Array<ArrayBuffer> | undefined {
  try {
    return Uint8Array.from(atob(text), (char) => char.charCodeAt(0))
  } catch {
    return undefined
  }
}
