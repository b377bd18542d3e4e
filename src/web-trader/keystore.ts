/**
 * The browser trader's key at rest: a trader key (bip340 or ed25519) encrypted under a
 * passphrase with WebCrypto — PBKDF2-HMAC-SHA256 stretches the passphrase, AES-256-GCM seals
 * the secret key, with the scheme and public key as associated data so neither can be swapped
 * under a stored secret. The same record is what IndexedDB keeps and what a backup file holds,
 * so an export is never a plain secret. Pure (WebCrypto only): it runs under Node's tests too.
 */
import {
  fromHex,
  generateKeyPair,
  isScheme,
  publicKeyOf,
  type Scheme,
  toHex,
  utf8,
} from '../protocol/index.ts'
import { TraderError, TraderErrorCode } from '../trader/errors.ts'
import type { TraderKey } from '../trader/offers.ts'

export const KEY_FORMAT = 'mega-web-trader-key'

/**
 * PBKDF2 iterations of a new key: OWASP's 2023 figure for PBKDF2-HMAC-SHA256 (about half a
 * second in a browser on a phone). Stored with the key, so it can be raised later.
 */
export const DEFAULT_ITERATIONS = 600_000
/** Fewer are refused: a file that asks for them would make a weak lock look strong. */
const MIN_ITERATIONS = 10_000

/** An encrypted trader key, as stored and as exported. */
export interface SealedKey {
  format: typeof KEY_FORMAT
  version: 1
  scheme: Scheme
  publicKey: string
  kdf: { name: 'PBKDF2'; hash: 'SHA-256'; iterations: number; salt: string }
  cipher: { name: 'AES-GCM'; iv: string }
  /** Hex of the AES-GCM output (secret key ‖ tag). */
  ciphertext: string
}

/** A fresh trader key of `scheme`. */
export function createTraderKey(scheme: Scheme): TraderKey {
  const { secretKey, publicKey } = generateKeyPair(scheme)
  return { scheme, secretKey, publicKey }
}

/** A trader key from a secret key in hex; throws `IMPORT_INVALID` when it is not one. */
export function traderKeyFromSecret(scheme: string, secretKey: string): TraderKey {
  if (!isScheme(scheme)) throw invalid(`"${scheme}" is not a scheme (bip340 or ed25519)`)
  const secret = secretKey.trim().toLowerCase()
  try {
    return { scheme, secretKey: secret, publicKey: publicKeyOf(scheme, secret) }
  } catch (error) {
    throw invalid(`not a ${scheme} secret key: ${(error as Error).message}`)
  }
}

/** Encrypts `key` under `passphrase`. */
export async function encryptKey(
  key: TraderKey,
  passphrase: string,
  iterations = DEFAULT_ITERATIONS,
): Promise<SealedKey> {
  if (passphrase.length === 0) throw new TraderError(TraderErrorCode.KEY_LOCKED, 'a passphrase is required')
  const salt = random(16)
  const iv = random(12)
  const aes = await deriveKey(passphrase, salt, iterations)
  const body = await crypto.subtle.encrypt(
    { name: 'AES-GCM', iv, additionalData: associated(key.scheme, key.publicKey) },
    aes,
    new Uint8Array(fromHex(key.secretKey, 32, 'secret key')),
  )
  return {
    format: KEY_FORMAT,
    version: 1,
    scheme: key.scheme,
    publicKey: key.publicKey,
    kdf: { name: 'PBKDF2', hash: 'SHA-256', iterations, salt: toHex(salt) },
    cipher: { name: 'AES-GCM', iv: toHex(iv) },
    ciphertext: toHex(new Uint8Array(body)),
  }
}

/**
 * Decrypts a sealed key (a stored record or a backup file's content). Throws `IMPORT_INVALID`
 * when it is not one, `KEY_LOCKED` for a wrong passphrase (or altered bytes).
 */
export async function decryptKey(value: unknown, passphrase: string): Promise<TraderKey> {
  const sealed = parseSealedKey(value)
  const aes = await deriveKey(passphrase, fromHex(sealed.kdf.salt, 16, 'salt'), sealed.kdf.iterations)
  let plain: ArrayBuffer
  try {
    plain = await crypto.subtle.decrypt(
      {
        name: 'AES-GCM',
        iv: new Uint8Array(fromHex(sealed.cipher.iv, 12, 'iv')),
        additionalData: associated(sealed.scheme, sealed.publicKey),
      },
      aes,
      new Uint8Array(fromHex(sealed.ciphertext, 48, 'ciphertext')),
    )
  } catch {
    throw new TraderError(TraderErrorCode.KEY_LOCKED, 'wrong passphrase (or the stored key was altered)')
  }
  const key = traderKeyFromSecret(sealed.scheme, toHex(new Uint8Array(plain)))
  if (key.publicKey !== sealed.publicKey) throw invalid('the secret key does not match the public key')
  return key
}

/** Checks the shape of a sealed key; throws `IMPORT_INVALID` saying what is wrong. */
export function parseSealedKey(value: unknown): SealedKey {
  const v = value as Partial<SealedKey> | null
  if (typeof v !== 'object' || v === null || v.format !== KEY_FORMAT || v.version !== 1)
    throw invalid(`not a ${KEY_FORMAT} file of version 1`)
  if (!isScheme(v.scheme)) throw invalid('"scheme" must be bip340 or ed25519')
  const hex = (text: unknown, bytes: number) =>
    typeof text === 'string' && text.length === bytes * 2 && /^[0-9a-f]*$/.test(text)
  if (!hex(v.publicKey, 32)) throw invalid('"publicKey" must be 64 hex digits')
  const kdf = v.kdf
  if (kdf?.name !== 'PBKDF2' || kdf.hash !== 'SHA-256' || !hex(kdf.salt, 16))
    throw invalid('"kdf" must be PBKDF2 with SHA-256 and a 16-byte salt')
  if (!Number.isSafeInteger(kdf.iterations) || kdf.iterations < MIN_ITERATIONS || kdf.iterations > 1e8)
    throw invalid(`"kdf.iterations" must be an integer from ${MIN_ITERATIONS} to 100000000`)
  if (v.cipher?.name !== 'AES-GCM' || !hex(v.cipher.iv, 12))
    throw invalid('"cipher" must be AES-GCM with a 12-byte iv')
  if (!hex(v.ciphertext, 48)) throw invalid('"ciphertext" must be 96 hex digits')
  return v as SealedKey
}

async function deriveKey(passphrase: string, salt: Uint8Array, iterations: number): Promise<CryptoKey> {
  const material = await crypto.subtle.importKey('raw', new Uint8Array(utf8(passphrase)), 'PBKDF2', false, [
    'deriveKey',
  ])
  return crypto.subtle.deriveKey(
    { name: 'PBKDF2', hash: 'SHA-256', salt: new Uint8Array(salt), iterations },
    material,
    { name: 'AES-GCM', length: 256 },
    false,
    ['encrypt', 'decrypt'],
  )
}

function associated(scheme: Scheme, publicKey: string): Uint8Array<ArrayBuffer> {
  return new Uint8Array(utf8(`${KEY_FORMAT}:${scheme}:${publicKey}`))
}

function random(bytes: number): Uint8Array<ArrayBuffer> {
  return crypto.getRandomValues(new Uint8Array(bytes))
}

function invalid(message: string): TraderError {
  return new TraderError(TraderErrorCode.IMPORT_INVALID, message)
}
