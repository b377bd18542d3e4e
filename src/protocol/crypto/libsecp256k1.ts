/**
 * libsecp256k1 for the Node backend, native when it could be built, else WebAssembly.
 *
 * - `native`: bcrypto's N-API build of libsecp256k1, compiled by `npm ci` (an optional
 *   dependency: where no C compiler is found, the install goes on without it). A BIP340 check
 *   takes ≈ 50 µs, against ≈ 220 µs for the same library compiled to WebAssembly
 *   (bench/verify.ts) — the key proof of every capability a node admits or syncs.
 * - `wasm`: `tiny-secp256k1`, libsecp256k1 compiled to WebAssembly, which loads everywhere.
 *
 * Both are libsecp256k1 and take the same bytes to the same verdict; the compliance suite
 * (test/unit/protocol/signature.test.ts) runs the BIP340 vectors through each. The one
 * difference is in tiny-secp256k1's JavaScript wrapper, which refuses a signature whose R.x
 * lies in [n, p): an honest signer hits that with probability ≈ 2^-128 and nobody can aim for
 * it (docs/protocol.md, Signatures).
 *
 * The module loader is passed in (`createRequire` in node.ts), so that this file needs no Node
 * built-in and the fallback can be tested by a loader that lacks the native build.
 */

/** What the Node backend needs of libsecp256k1. Byte arrays in, fresh byte arrays out. */
export interface Libsecp256k1 {
  /** `native` (compiled at install) or `wasm`. */
  readonly build: 'native' | 'wasm'
  /** The x-only public key of a secret key from 1 to n−1. Throws otherwise. */
  xOnlyPublicKey(secretKey: Uint8Array): Uint8Array
  /** BIP340 signature of a 32-byte digest. Throws for an invalid secret key. */
  signSchnorr(digest: Uint8Array, secretKey: Uint8Array, auxRand: Uint8Array): Uint8Array
  /** BIP340 verification of a 32-byte digest. Never throws: a key off the curve is `false`. */
  verifySchnorr(signature: Uint8Array, digest: Uint8Array, publicKey: Uint8Array): boolean
  /** `scalar·G`, compressed. Throws a RangeError unless 1 ≤ scalar ≤ n−1. */
  pointFromScalar(scalar: Uint8Array): Uint8Array
  /** `scalar·point + addend`, compressed. Throws a RangeError for bad input or infinity. */
  mulAdd(point: Uint8Array, scalar: Uint8Array, addend: Uint8Array): Uint8Array
}

/** Loads a CommonJS module by name, as `createRequire(…)` does. */
export type RequireModule = (id: string) => unknown

/** The part of bcrypto's `lib/schnorr` (BIP340) used here; its functions take Buffers only. */
interface BcryptoSchnorr {
  native: number
  publicKeyCreate(key: Uint8Array): Uint8Array
  sign(message: Uint8Array, key: Uint8Array, aux: Uint8Array): Uint8Array
  verify(message: Uint8Array, signature: Uint8Array, key: Uint8Array): boolean
}

/** The part of bcrypto's `lib/secp256k1` (points as public keys) used here. */
interface BcryptoSecp256k1 {
  native: number
  publicKeyCreate(key: Uint8Array, compress: boolean): Uint8Array
  publicKeyTweakMul(key: Uint8Array, tweak: Uint8Array, compress: boolean): Uint8Array
  publicKeyCombine(keys: Uint8Array[], compress: boolean): Uint8Array
}

/** bcrypto reports a native build as 2 (1 is its partly native fallback, 0 plain JavaScript). */
export const BCRYPTO_NATIVE = 2

/**
 * The native build, or `undefined` when bcrypto is not installed, its build failed, or it runs
 * its JavaScript fallback (`NODE_BACKEND=js`), which is slower than the WebAssembly one.
 */
export function nativeLibsecp256k1(load: RequireModule): Libsecp256k1 | undefined {
  let schnorr: BcryptoSchnorr
  let points: BcryptoSecp256k1
  try {
    schnorr = load('bcrypto/lib/schnorr') as BcryptoSchnorr
    points = load('bcrypto/lib/secp256k1') as BcryptoSecp256k1
  } catch {
    return undefined
  }
  if (schnorr.native !== BCRYPTO_NATIVE || points.native !== BCRYPTO_NATIVE) return undefined
  return {
    build: 'native',
    xOnlyPublicKey: (secretKey) => bytes(schnorr.publicKeyCreate(buffer(secretKey))),
    signSchnorr: (digest, secretKey, auxRand) =>
      bytes(schnorr.sign(buffer(digest), buffer(secretKey), buffer(auxRand))),
    verifySchnorr(signature, digest, publicKey) {
      try {
        return schnorr.verify(buffer(digest), buffer(signature), buffer(publicKey))
      } catch {
        return false
      }
    },
    pointFromScalar: (scalar) =>
      rangeChecked('scalar must be from 1 to n-1', () => points.publicKeyCreate(buffer(scalar), true)),
    mulAdd: (point, scalar, addend) =>
      rangeChecked('scalar·point + addend must be a point other than infinity', () => {
        const product = points.publicKeyTweakMul(buffer(point), buffer(scalar), true)
        return points.publicKeyCombine([product, buffer(addend)], true)
      }),
  }
}

/** The part of `tiny-secp256k1` used here; results are `null` for infinity. */
interface TinySecp256k1 {
  xOnlyPointFromScalar(secretKey: Uint8Array): Uint8Array
  signSchnorr(digest: Uint8Array, secretKey: Uint8Array, auxRand: Uint8Array): Uint8Array
  verifySchnorr(digest: Uint8Array, publicKey: Uint8Array, signature: Uint8Array): boolean
  pointFromScalar(scalar: Uint8Array, compressed: boolean): Uint8Array | null
  pointMultiply(point: Uint8Array, scalar: Uint8Array, compressed: boolean): Uint8Array | null
  pointAdd(a: Uint8Array, b: Uint8Array, compressed: boolean): Uint8Array | null
}

/** The WebAssembly build (its CommonJS entry loads the same WebAssembly synchronously). */
export function wasmLibsecp256k1(load: RequireModule): Libsecp256k1 {
  const tiny = load('tiny-secp256k1') as TinySecp256k1
  return {
    build: 'wasm',
    xOnlyPublicKey: (secretKey) => tiny.xOnlyPointFromScalar(secretKey),
    signSchnorr: (digest, secretKey, auxRand) => tiny.signSchnorr(digest, secretKey, auxRand),
    verifySchnorr(signature, digest, publicKey) {
      try {
        return tiny.verifySchnorr(digest, publicKey, signature)
      } catch {
        // tiny-secp256k1 throws for a public key off the curve, and for r ≥ p or s ≥ n
        return false
      }
    },
    pointFromScalar: (scalar) =>
      rangeChecked('scalar must be from 1 to n-1', () => tiny.pointFromScalar(scalar, true)),
    mulAdd: (point, scalar, addend) =>
      rangeChecked('scalar·point + addend must be a point other than infinity', () => {
        const product = tiny.pointMultiply(point, scalar, true)
        return product && tiny.pointAdd(product, addend, true)
      }),
  }
}

/** The native build where it loads, else the WebAssembly one. */
export function loadLibsecp256k1(load: RequireModule): Libsecp256k1 {
  return nativeLibsecp256k1(load) ?? wasmLibsecp256k1(load)
}

/** Runs a point operation, turning the library's own errors and `null` (infinity) into one RangeError. */
function rangeChecked(message: string, operation: () => Uint8Array | null): Uint8Array {
  let result: Uint8Array | null
  try {
    result = operation()
  } catch {
    throw new RangeError(message)
  }
  if (!result) throw new RangeError(message)
  return bytes(result)
}

/** A Buffer view of the same bytes (bcrypto asserts Buffer arguments); no copy. */
function buffer(data: Uint8Array): Uint8Array {
  return Buffer.isBuffer(data) ? data : Buffer.from(data.buffer, data.byteOffset, data.byteLength)
}

/** A plain Uint8Array of a library's Buffer, as the other backends return (strict equality tells them apart). */
function bytes(data: Uint8Array): Uint8Array {
  return Buffer.isBuffer(data) ? new Uint8Array(data) : data
}
