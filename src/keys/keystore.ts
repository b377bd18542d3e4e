/**
 * The encrypted keystore of an oracle (and of a trader's locked key): the secret under a
 * passphrase, scrypt + AES-256-GCM from `node:crypto`. Everything else the oracle signs with is derived from this one secret
 * (capability keys by HKDF), so the keystore, or a backup of the secret, restores the oracle.
 *
 * File format (JSON, mode 0600):
 * `{kind:"mega-oracle-keystore", version:1, scheme, publicKey, kdf:{name:"scrypt", logN, r, p, salt},
 *   cipher:{name:"aes-256-gcm", iv, tag}, ciphertext}` (bytes in hex). Every field but `tag` and
 * `ciphertext` is authenticated as GCM associated data, so editing the public key, the scheme
 * or the KDF cost makes the file fail to open instead of lying.
 */
import { createCipheriv, createDecipheriv, randomBytes, scrypt } from 'node:crypto'
import { open, readFile } from 'node:fs/promises'
import { canonicalBytes, publicKeyOf, type Scheme } from '../protocol/index.ts'
import { KeyError, KeyErrorCode } from './errors.ts'

/**
 * scrypt cost: N = 2^17, r = 8, p = 1 (128 MiB, ≈ 0.3–0.5 s here), the cost OWASP recommends
 * as a minimum for scrypt in 2024; an attacker's guess costs the same.
 */
export const DEFAULT_SCRYPT_LOG_N = 17
const SCRYPT_R = 8
const SCRYPT_P = 1

/** A keystore as stored. */
export interface KeystoreFile {
  kind: 'mega-oracle-keystore'
  version: 1
  scheme: Scheme
  publicKey: string
  kdf: { name: 'scrypt'; logN: number; r: number; p: number; salt: string }
  cipher: { name: 'aes-256-gcm'; iv: string; tag: string }
  ciphertext: string
}

/** An unlocked root key. Keep it in memory only. */
export interface RootKey {
  scheme: Scheme
  secretKey: string
  publicKey: string
}

/** Encrypts `secretKey` under `passphrase`. `logN` lowers the cost for tests only. */
export async function encryptKeystore(
  key: RootKey,
  passphrase: string,
  logN = DEFAULT_SCRYPT_LOG_N,
): Promise<KeystoreFile> {
  const salt = randomBytes(16)
  const iv = randomBytes(12)
  const header = {
    kind: 'mega-oracle-keystore' as const,
    version: 1 as const,
    scheme: key.scheme,
    publicKey: publicKeyOf(key.scheme, key.secretKey),
    kdf: { name: 'scrypt' as const, logN, r: SCRYPT_R, p: SCRYPT_P, salt: salt.toString('hex') },
  }
  const derived = await deriveKey(passphrase, header.kdf)
  const cipher = createCipheriv('aes-256-gcm', derived, iv)
  cipher.setAAD(associatedData(header, iv.toString('hex')))
  const ciphertext = Buffer.concat([cipher.update(Buffer.from(key.secretKey, 'hex')), cipher.final()])
  return {
    ...header,
    cipher: { name: 'aes-256-gcm', iv: iv.toString('hex'), tag: cipher.getAuthTag().toString('hex') },
    ciphertext: ciphertext.toString('hex'),
  }
}

/**
 * Decrypts a keystore. Throws `KEYSTORE_CORRUPT` for a file that is not a keystore and
 * `WRONG_PASSPHRASE` when authentication fails (a wrong passphrase, or an edited file).
 */
export async function decryptKeystore(value: unknown, passphrase: string): Promise<RootKey> {
  const file = checkShape(value)
  const derived = await deriveKey(passphrase, file.kdf)
  const decipher = createDecipheriv('aes-256-gcm', derived, Buffer.from(file.cipher.iv, 'hex'))
  decipher.setAAD(associatedData(file, file.cipher.iv))
  decipher.setAuthTag(Buffer.from(file.cipher.tag, 'hex'))
  let secret: Buffer
  try {
    secret = Buffer.concat([decipher.update(Buffer.from(file.ciphertext, 'hex')), decipher.final()])
  } catch {
    throw new KeyError(KeyErrorCode.WRONG_PASSPHRASE, 'wrong passphrase (or the keystore file was modified)')
  }
  const secretKey = secret.toString('hex')
  if (publicKeyOf(file.scheme, secretKey) !== file.publicKey) {
    throw new KeyError(KeyErrorCode.KEYSTORE_CORRUPT, 'the decrypted key does not match the public key')
  }
  return { scheme: file.scheme, secretKey, publicKey: file.publicKey }
}

/** Writes a new keystore file with mode 0600; never overwrites (`KEYSTORE_EXISTS`). */
export async function writeKeystore(path: string, file: KeystoreFile): Promise<void> {
  let handle: Awaited<ReturnType<typeof open>>
  try {
    handle = await open(path, 'wx', 0o600)
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') {
      throw new KeyError(KeyErrorCode.KEYSTORE_EXISTS, `${path} exists; refusing to overwrite a key`, {
        path,
      })
    }
    throw error
  }
  try {
    await handle.writeFile(`${JSON.stringify(file, null, 2)}\n`)
    await handle.sync()
  } finally {
    await handle.close()
  }
}

/** Reads a keystore file (not yet decrypted). Throws `KEYSTORE_MISSING` or `KEYSTORE_CORRUPT`. */
export async function readKeystore(path: string): Promise<KeystoreFile> {
  let text: string
  try {
    text = await readFile(path, 'utf8')
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new KeyError(KeyErrorCode.KEYSTORE_MISSING, `no keystore at ${path}: run \`mega oracle init\``, {
        path,
      })
    }
    throw error
  }
  try {
    return checkShape(JSON.parse(text))
  } catch (error) {
    if (error instanceof KeyError) throw error
    throw new KeyError(KeyErrorCode.KEYSTORE_CORRUPT, `${path} is not JSON`, { path })
  }
}

/** Reads and decrypts a keystore file. */
export async function unlockKeystore(path: string, passphrase: string): Promise<RootKey> {
  return decryptKeystore(await readKeystore(path), passphrase)
}

function deriveKey(passphrase: string, kdf: KeystoreFile['kdf']): Promise<Buffer> {
  const N = 2 ** kdf.logN
  return new Promise((resolve, reject) =>
    scrypt(
      passphrase.normalize('NFKC'),
      Buffer.from(kdf.salt, 'hex'),
      32,
      { N, r: kdf.r, p: kdf.p, maxmem: 256 * N * kdf.r },
      (error, key) => (error ? reject(error) : resolve(key)),
    ),
  )
}

function associatedData(header: Omit<KeystoreFile, 'cipher' | 'ciphertext'>, iv: string): Uint8Array {
  const { kind, version, scheme, publicKey, kdf } = header
  return canonicalBytes({ kind, version, scheme, publicKey, kdf, cipher: { name: 'aes-256-gcm', iv } })
}

const HEX = (bytes: number) => new RegExp(`^[0-9a-f]{${bytes * 2}}$`)

/** Checks every field, so decryption never runs on attacker-chosen costs or lengths. */
function checkShape(value: unknown): KeystoreFile {
  const file = value as KeystoreFile
  const problems: [boolean, string][] = [
    [typeof file === 'object' && file !== null, 'not an object'],
    [file?.kind === 'mega-oracle-keystore', 'kind is not "mega-oracle-keystore"'],
    [file?.version === 1, 'unsupported version'],
    [file?.scheme === 'ed25519' || file?.scheme === 'bip340', 'unknown scheme'],
    [HEX(32).test(String(file?.publicKey)), 'bad publicKey'],
    [file?.kdf?.name === 'scrypt' && HEX(16).test(String(file.kdf.salt)), 'bad kdf'],
    [
      Number.isInteger(file?.kdf?.logN) && file.kdf.logN >= 10 && file.kdf.logN <= 20,
      'kdf.logN outside 10..20',
    ],
    [file?.kdf?.r === SCRYPT_R && file?.kdf?.p === SCRYPT_P, 'unsupported kdf.r or kdf.p'],
    [file?.cipher?.name === 'aes-256-gcm', 'bad cipher'],
    [HEX(12).test(String(file?.cipher?.iv)) && HEX(16).test(String(file?.cipher?.tag)), 'bad iv or tag'],
    [HEX(32).test(String(file?.ciphertext)), 'bad ciphertext'],
  ]
  for (const [fine, problem] of problems) {
    if (!fine) throw new KeyError(KeyErrorCode.KEYSTORE_CORRUPT, `not a valid keystore: ${problem}`)
  }
  return file
}
