/**
 * The trader's own key: it signs reports (unless filed anonymously), offers and acceptances,
 * and opens details sealed for it. Kept in `<dataDir>/trader-key.json`, readable by the owner
 * only (0600). Never sent anywhere.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { generateKeyPair, isScheme, publicKeyOf, type Scheme } from '../protocol/signature.ts'
import { TraderError, TraderErrorCode } from './errors.ts'
import type { TraderKey } from './offers.ts'

/** Path of the key file in a data directory. */
export function keyPath(dataDir: string): string {
  return join(dataDir, 'trader-key.json')
}

/** Creates a key in `dataDir`; refuses to overwrite one (a lost key cannot finalize its offers). */
export function createTraderKey(dataDir: string, scheme: Scheme): TraderKey {
  const path = keyPath(dataDir)
  if (existsSync(path))
    throw new TraderError(
      TraderErrorCode.KEY_EXISTS,
      `${path} already exists: remove it first to make a new key`,
    )
  const key = generateKeyPair(scheme)
  mkdirSync(dataDir, { recursive: true, mode: 0o700 })
  writeFileSync(path, `${JSON.stringify(key, null, 2)}\n`, { mode: 0o600, flag: 'wx' })
  return key
}

/** Loads the key of `dataDir`; throws `KEY_MISSING` without one and for a damaged file. */
export function loadTraderKey(dataDir: string): TraderKey {
  const path = keyPath(dataDir)
  let value: unknown
  try {
    value = JSON.parse(readFileSync(path, 'utf8'))
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
