/**
 * Crypto backend for browsers and other non-Node runtimes: audited pure-JS primitives.
 */
import { sha256 as nobleSha256 } from '@noble/hashes/sha2.js'
import type { CryptoBackend } from './types.ts'

function randomBytes(length: number): Uint8Array {
  return globalThis.crypto.getRandomValues(new Uint8Array(length))
}

/** The portable backend (selected by the `#crypto` import outside Node). */
export const backend: CryptoBackend = {
  name: 'web',
  sha256: (data) => nobleSha256(data),
  randomBytes,
} as CryptoBackend
