/**
 * The trader's own key: it signs reports (unless filed anonymously), offers and acceptances,
 * and opens details sealed for it. Kept in `<dataDir>/trader-key.json`, readable by the owner
 * only (0600), never sent anywhere. With a passphrase it is an encrypted keystore (scrypt +
 * AES-256-GCM, the oracle toolkit's format, `src/keys/keystore.ts`); without one it is plain
 * JSON, for test setups and machines whose disk is already encrypted.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { DEFAULT_SCRYPT_LOG_N, decryptKeystore, encryptKeystore, KeyError } from '../keys/index.ts'
import { generateKeyPair, isScheme, publicKeyOf, type Scheme } from '../protocol/index.ts'
import { TraderError, TraderErrorCode } from './errors.ts'
import type { TraderKey } from './offers.ts'

/** Environment variable holding the passphrase of an encrypted trader key. */
export const TRADER_PASSPHRASE_ENV = 'MEGA_TRADER_PASSPHRASE'

const KEYSTORE_KIND = 'mega-oracle-keystore'

/** Path of the key file in a data directory. */
export function keyPath(dataDir: string): string {
  return join(dataDir, 'trader-key.json')
}

/**
 * Creates a key in `dataDir`, encrypted under `passphrase` when one is given; refuses to
 * overwrite one (`KEY_EXISTS`: a lost key cannot finalize its offers).
 */
export async function createTraderKey(
  dataDir: string,
  scheme: Scheme,
  passphrase?: string,
  logN = DEFAULT_SCRYPT_LOG_N,
): Promise<TraderKey & { encrypted: boolean }> {
  const path = keyPath(dataDir)
  if (existsSync(path))
    throw new TraderError(
      TraderErrorCode.KEY_EXISTS,
      `${path} already exists: remove it first to make a new key`,
    )
  const key = generateKeyPair(scheme)
  const content = passphrase === undefined ? key : await encryptKeystore(key, passphrase, logN)
  mkdirSync(dataDir, { recursive: true, mode: 0o700 })
  writeFileSync(path, `${JSON.stringify(content, null, 2)}\n`, { mode: 0o600, flag: 'wx' })
  return { ...key, encrypted: passphrase !== undefined }
}

/** Returns true when the key file of `dataDir` is an encrypted keystore. */
export function isKeyEncrypted(dataDir: string): boolean {
  try {
    return (readKeyFile(dataDir) as { kind?: unknown }).kind === KEYSTORE_KIND
  } catch {
    return false
  }
}

/**
 * Loads the key of `dataDir`. Throws `KEY_MISSING` without one or for a damaged file, and
 * `KEY_LOCKED` for an encrypted key without its passphrase or with a wrong one.
 */
export async function loadTraderKey(dataDir: string, passphrase?: string): Promise<TraderKey> {
  const value = readKeyFile(dataDir)
  const path = keyPath(dataDir)
  if ((value as { kind?: unknown }).kind === KEYSTORE_KIND) {
    if (passphrase === undefined) throw lockedError(path)
    try {
      return await decryptKeystore(value, passphrase)
    } catch (error) {
      if (!(error instanceof KeyError)) throw error
      throw new TraderError(
        TraderErrorCode.KEY_LOCKED,
        `${path}: ${error.message}`,
        { path },
        { cause: error },
      )
    }
  }
  return plainKey(value, path)
}

/** Loads a plain key synchronously; throws `KEY_LOCKED` for an encrypted one (use {@link loadTraderKey}). */
export function loadPlainTraderKey(dataDir: string): TraderKey {
  const value = readKeyFile(dataDir)
  const path = keyPath(dataDir)
  if ((value as { kind?: unknown }).kind === KEYSTORE_KIND) throw lockedError(path)
  return plainKey(value, path)
}

function lockedError(path: string): TraderError {
  return new TraderError(
    TraderErrorCode.KEY_LOCKED,
    `the trader key is encrypted: set ${TRADER_PASSPHRASE_ENV} or pass --passphrase-file`,
    { path },
  )
}

function readKeyFile(dataDir: string): unknown {
  const path = keyPath(dataDir)
  try {
    const value: unknown = JSON.parse(readFileSync(path, 'utf8'))
    if (typeof value !== 'object' || value === null) throw new Error('not a JSON object')
    return value
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    throw new TraderError(
      TraderErrorCode.KEY_MISSING,
      code === 'ENOENT'
        ? `no trader key in ${dataDir}: run \`mega trader init\` first`
        : `${path} is not a trader key file: ${(error as Error).message}`,
      { path },
    )
  }
}

function plainKey(value: unknown, path: string): TraderKey {
  const key = value as Partial<TraderKey>
  try {
    if (!isScheme(key.scheme) || typeof key.secretKey !== 'string')
      throw new Error('scheme or secretKey missing')
    const publicKey = publicKeyOf(key.scheme, key.secretKey)
    if (key.publicKey !== publicKey) throw new Error('publicKey does not match secretKey')
    return { scheme: key.scheme, secretKey: key.secretKey, publicKey }
  } catch (error) {
    throw new TraderError(TraderErrorCode.KEY_MISSING, `${path} is damaged: ${(error as Error).message}`, {
      path,
    })
  }
}
