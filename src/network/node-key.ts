/**
 * The node's libp2p identity: an Ed25519 private key kept in the data directory, so the peer
 * id (and every bootstrap list that names it) survives restarts.
 */
import { randomBytes } from 'node:crypto'
import { chmod, mkdir, readFile, rename, stat, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { generateKeyPair, privateKeyFromProtobuf, privateKeyToProtobuf } from '@libp2p/crypto/keys'
import type { PrivateKey } from '@libp2p/interface'
import { NetworkError, NetworkErrorCode } from './errors.ts'

/** The key and whether this call created it. */
export interface NodeKey {
  privateKey: PrivateKey
  created: boolean
  path: string
}

/**
 * Reads the node key from `dataDir/fileName`, or creates it (mode 0600, written to a temporary
 * file and renamed, so a crash never leaves half a key). The file holds the key in libp2p's
 * protobuf encoding, as `privateKeyToProtobuf` writes it.
 *
 * Throws `NODE_KEY_CORRUPT` when the file holds something else (never overwritten: it is the
 * node's identity, and the operator decides), `NODE_KEY_UNREADABLE` when it cannot be read
 * or written.
 */
export async function loadOrCreateNodeKey(dataDir: string, fileName: string): Promise<NodeKey> {
  const path = join(dataDir, fileName)
  let bytes: Uint8Array | undefined
  try {
    bytes = await readFile(path)
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw unreadable(path, error)
  }
  if (bytes !== undefined) {
    let privateKey: PrivateKey
    try {
      privateKey = privateKeyFromProtobuf(bytes)
    } catch (error) {
      throw new NetworkError(
        NetworkErrorCode.NODE_KEY_CORRUPT,
        `${path} is not a libp2p private key (${(error as Error).message}); restore it from a backup, or move it away to start with a new peer id`,
        { path },
        { cause: error },
      )
    }
    await tighten(path)
    return { privateKey, created: false, path }
  }
  const privateKey = await generateKeyPair('Ed25519')
  try {
    await mkdir(dataDir, { recursive: true, mode: 0o700 })
    const temporary = `${path}.${randomBytes(4).toString('hex')}.tmp`
    await writeFile(temporary, privateKeyToProtobuf(privateKey), { mode: 0o600, flag: 'wx' })
    await rename(temporary, path)
  } catch (error) {
    throw unreadable(path, error)
  }
  return { privateKey, created: true, path }
}

// A key readable by others is a key others can impersonate the node with: narrow it.
async function tighten(path: string): Promise<void> {
  try {
    if (((await stat(path)).mode & 0o077) !== 0) await chmod(path, 0o600)
  } catch {
    // not ours to fix (read-only mount): the key still works
  }
}

function unreadable(path: string, error: unknown): NetworkError {
  return new NetworkError(
    NetworkErrorCode.NODE_KEY_UNREADABLE,
    `cannot read or create the node key ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
    { path },
    { cause: error },
  )
}
