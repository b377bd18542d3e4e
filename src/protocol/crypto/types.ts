/**
 * The crypto adapter: the only door from the protocol core to platform cryptography.
 *
 * `#crypto` resolves (package.json `imports`) to `node.ts` under Node and to `web.ts`
 * elsewhere, so the core never imports `node:*` itself and can run in a browser.
 * All functions are synchronous: admission verifies thousands of signatures per second and
 * cannot afford a promise per check.
 */

/** A signature scheme's primitive operations over raw bytes. */
export interface SchemeBackend {
  /** Returns the 32-byte public key of a 32-byte secret key. Throws on an invalid secret. */
  publicKey(secretKey: Uint8Array): Uint8Array
  /** Signs `message` (any length for ed25519, exactly 32 bytes for bip340); returns 64 bytes. */
  sign(message: Uint8Array, secretKey: Uint8Array, auxRand?: Uint8Array): Uint8Array
  /** Returns true only for a valid 64-byte signature of `message` by `publicKey`. Never throws. */
  verify(signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array): boolean
}

/**
 * secp256k1 group operations over 33-byte compressed points (SEC1, `02`/`03` ‖ x), for oracle
 * attestations: the nonce point R of a Schnorr commitment, and the attestation point
 * `R + e·P` a DLC builds its adaptor signatures on. Scalars are 32 bytes big-endian.
 */
export interface Secp256k1Points {
  /** Returns `scalar·G`, compressed. Throws unless 1 ≤ scalar ≤ n−1. */
  fromScalar(scalar: Uint8Array): Uint8Array
  /** Returns `scalar·point + addend`, compressed. Throws for an invalid point or scalar, or the point at infinity. */
  mulAdd(point: Uint8Array, scalar: Uint8Array, addend: Uint8Array): Uint8Array
}

/** Everything the protocol core needs from the platform. */
export interface CryptoBackend {
  /** Name of the backend, for diagnostics and benchmarks. */
  readonly name: string
  /** SHA-256 of `data` (a string is hashed as its UTF-8 bytes). */
  sha256(data: Uint8Array | string): Uint8Array
  /**
   * SHA-256 of `data` as lowercase hex (a string is hashed as its UTF-8 bytes): ids are hex,
   * and a platform that hashes text and writes hex natively skips two copies per message.
   */
  sha256Hex(data: Uint8Array | string): string
  /** `length` cryptographically secure random bytes. */
  randomBytes(length: number): Uint8Array
  readonly ed25519: SchemeBackend
  readonly bip340: SchemeBackend
  readonly secp256k1: Secp256k1Points
}
