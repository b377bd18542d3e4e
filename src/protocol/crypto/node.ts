/**
 * Crypto backend for Node: native SHA-256 and ed25519 from `node:crypto`.
 */
import { hash, randomBytes as nodeRandomBytes } from 'node:crypto'
import type { CryptoBackend } from './types.ts'

function sha256(data: Uint8Array): Uint8Array {
  return hash('sha256', data, 'buffer')
}

function randomBytes(length: number): Uint8Array {
  return new Uint8Array(nodeRandomBytes(length))
}

/** The Node backend (selected by the `#crypto` import under the `node` condition). */
export const backend: CryptoBackend = {
  name: 'node',
  sha256,
  randomBytes,
  // ed25519 and bip340 are added by the signature work (see types.ts)
} as CryptoBackend
