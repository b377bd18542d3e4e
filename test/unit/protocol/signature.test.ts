/**
 * Signatures: known-answer vectors and behaviour, run as one compliance suite against both
 * crypto backends (native/WASM `node.ts` and pure-JS `web.ts`), which must agree bit for bit.
 */
import assert from 'node:assert/strict'
import {
  createHash,
  createPrivateKey,
  createPublicKey,
  sign as opensslSign,
  verify as opensslVerify,
} from 'node:crypto'
import { createRequire } from 'node:module'
import { describe, it } from 'node:test'
import { ed25519 } from '@noble/curves/ed25519.js'
import { schnorr } from '@noble/curves/secp256k1.js'
import fc from 'fast-check'
import { loadLibsecp256k1, wasmLibsecp256k1 } from '../../../src/protocol/crypto/libsecp256k1.ts'
import {
  bip340Over,
  libsecp256k1Build,
  backend as nodeBackend,
  pointsOver,
} from '../../../src/protocol/crypto/node.ts'
import type { CryptoBackend } from '../../../src/protocol/crypto/types.ts'
import { backend as webBackend } from '../../../src/protocol/crypto/web.ts'
import { ErrorCode, isProtocolError, ok, type Result } from '../../../src/protocol/errors.ts'
import { fromHex, toHex, utf8 } from '../../../src/protocol/hex.ts'
import * as signature from '../../../src/protocol/signature.ts'
import { createSignatures, isScheme, SCHEMES, type Scheme } from '../../../src/protocol/signature.ts'
import { anyText } from '../../support/arbitraries.ts'
import bip340 from '../../vectors/bip340.json' with { type: 'json' }
import rfc8032 from '../../vectors/rfc8032-ed25519.json' with { type: 'json' }

const require = createRequire(import.meta.url)
const wasm = wasmLibsecp256k1(require)
/** The Node backend as it runs where libsecp256k1's native build is missing. */
const nodeWasmBackend: CryptoBackend = {
  ...nodeBackend,
  name: 'node (WebAssembly libsecp256k1)',
  bip340: bip340Over(() => wasm),
  secp256k1: pointsOver(() => wasm),
}
const BACKENDS: CryptoBackend[] = [nodeBackend, nodeWasmBackend, webBackend]
const SECP256K1_N = 'fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141'
const ED25519_L = 2n ** 252n + 27742317777372353535851937790883648493n

function expectFailure(result: Result<true>, code: ErrorCode, note = ''): void {
  assert.equal(result.ok, false, `expected ${code} ${note}`)
  if (!result.ok) assert.equal(result.error.code, code, `${note}: ${result.error.message}`)
}

function expectInvalid(result: Result<true>, note = ''): void {
  expectFailure(result, ErrorCode.SIGNATURE_INVALID, note)
}

function expectThrow(fn: () => unknown, code: ErrorCode): void {
  assert.throws(fn, (error) => isProtocolError(error, code))
}

function flipBit(hexOrBytes: Uint8Array, bit = 0): Uint8Array {
  const out = hexOrBytes.slice()
  out[bit >> 3]! ^= 1 << (bit & 7)
  return out
}

describe('test vectors are typed correctly (checked outside our code)', () => {
  it('RFC 8032 vectors reproduce with OpenSSL', () => {
    const pkcs8 = Buffer.from('302e020100300506032b657004220420', 'hex')
    for (const v of rfc8032.vectors) {
      const key = createPrivateKey({
        key: Buffer.concat([pkcs8, fromHex(v.secretKey)]),
        format: 'der',
        type: 'pkcs8',
      })
      const spki = createPublicKey(key).export({ format: 'der', type: 'spki' })
      assert.equal(toHex(spki.subarray(12)), v.publicKey, v.name)
      assert.equal(toHex(opensslSign(null, fromHex(v.message), key)), v.signature, v.name)
    }
  })

  it('BIP340 rows 15-18 (variable-length messages) verify with @noble/curves', () => {
    for (const v of bip340.vectors.filter((row) => row.message.length !== 64)) {
      assert.ok(
        schnorr.verify(fromHex(v.signature), fromHex(v.message), fromHex(v.publicKey)),
        `row ${v.index}`,
      )
    }
  })
})

for (const crypto of BACKENDS) {
  describe(`${crypto.name} backend`, () => {
    const sig = createSignatures(crypto)

    it('passes RFC 8032 §7.1 ed25519 vectors', () => {
      for (const v of rfc8032.vectors) {
        const secret = fromHex(v.secretKey)
        const message = fromHex(v.message)
        assert.equal(toHex(crypto.ed25519.publicKey(secret)), v.publicKey, v.name)
        assert.equal(toHex(crypto.ed25519.sign(message, secret)), v.signature, v.name)
        assert.ok(crypto.ed25519.verify(fromHex(v.signature), message, fromHex(v.publicKey)), v.name)
        const tampered = flipBit(fromHex(v.signature), 7)
        assert.equal(crypto.ed25519.verify(tampered, message, fromHex(v.publicKey)), false, v.name)
      }
    })

    it('rejects a malleated ed25519 signature (S + L)', () => {
      const v = rfc8032.vectors[1]!
      const bytes = fromHex(v.signature)
      let s = 0n
      for (let i = 63; i >= 32; i--) s = (s << 8n) | BigInt(bytes[i]!)
      s += ED25519_L
      for (let i = 32; i < 64; i++, s >>= 8n) bytes[i] = Number(s & 0xffn)
      assert.equal(crypto.ed25519.verify(bytes, fromHex(v.message), fromHex(v.publicKey)), false)
    })

    it('rejects small-order and non-canonical ed25519 points (RFC 8032 strict, not ZIP 215)', () => {
      // Each of these "verifies" under noble's default ZIP 215 rules but not under OpenSSL:
      // the web backend must side with OpenSSL or two nodes would disagree on a message.
      const identity = `01${'00'.repeat(31)}`
      const identityPlusP = `ee${'ff'.repeat(30)}7f` // y = p + 1, a non-canonical identity
      const cases = [
        [identity, identity],
        [identityPlusP, identity],
        [identity, identityPlusP],
      ]
      for (const [publicKey, r] of cases) {
        const forged = fromHex(`${r}${'00'.repeat(32)}`)
        assert.equal(crypto.ed25519.verify(forged, new Uint8Array([1]), fromHex(publicKey!)), false)
      }
    })

    it('passes BIP340 vectors 0-14 and refuses the non-32-byte messages of 15-18', () => {
      for (const v of bip340.vectors) {
        const message = fromHex(v.message)
        const note = `row ${v.index} ${v.comment}`
        const args = [fromHex(v.signature), message, fromHex(v.publicKey)] as const
        if (message.length !== 32) {
          // our protocol signs 32-byte digests only; libsecp256k1's API has no other length
          assert.equal(crypto.bip340.verify(...args), false, note)
          if (v.secretKey) assert.throws(() => crypto.bip340.sign(message, fromHex(v.secretKey!)), note)
          continue
        }
        assert.equal(crypto.bip340.verify(...args), v.valid, note)
        if (v.secretKey && v.auxRand) {
          const secret = fromHex(v.secretKey)
          assert.equal(toHex(crypto.bip340.publicKey(secret)), v.publicKey, note)
          assert.equal(toHex(crypto.bip340.sign(message, secret, fromHex(v.auxRand))), v.signature, note)
          assert.equal(sig.signDigest(message, v.secretKey, fromHex(v.auxRand)), v.signature, note)
          assert.equal(sig.verifyDigest(message, v.signature, v.publicKey).ok, true, note)
        }
      }
    })

    it('round-trips random messages for every scheme', () => {
      for (const scheme of SCHEMES) {
        const keys = sig.generateKeyPair(scheme)
        assert.match(keys.secretKey, /^[0-9a-f]{64}$/)
        assert.equal(keys.publicKey, sig.publicKeyOf(scheme, keys.secretKey))
        fc.assert(
          fc.property(fc.uint8Array({ maxLength: 300 }), (message) => {
            const signed = sig.signMessage(scheme, message, keys.secretKey)
            assert.match(signed, /^[0-9a-f]{128}$/)
            assert.deepEqual(sig.verifyMessage(scheme, message, signed, keys.publicKey), ok(true))
            const tampered = flipBit(message.length ? message : new Uint8Array(1))
            expectInvalid(sig.verifyMessage(scheme, tampered, signed, keys.publicKey))
          }),
          { numRuns: 25 },
        )
      }
    })

    it('fails tampered signatures and wrong keys with SIGNATURE_INVALID', () => {
      for (const scheme of SCHEMES) {
        const keys = sig.generateKeyPair(scheme)
        const other = sig.generateKeyPair(scheme)
        const message = new TextEncoder().encode('{"kind":"fact"}')
        const signed = sig.signMessage(scheme, message, keys.secretKey)
        for (const bit of [0, 255, 256, 511]) {
          const tampered = toHex(flipBit(fromHex(signed), bit))
          expectInvalid(sig.verifyMessage(scheme, message, tampered, keys.publicKey), `${scheme} bit ${bit}`)
        }
        expectInvalid(sig.verifyMessage(scheme, message, signed, other.publicKey), scheme)
      }
    })

    it('signs what the one rule says: canonical bytes (ed25519), their SHA-256 (bip340)', () => {
      const message = new TextEncoder().encode('{"a":1}')
      assert.deepEqual(sig.signedPayload('ed25519', message), message)
      assert.deepEqual(sig.signedPayload('bip340', message), crypto.sha256(message))
      const keys = sig.generateKeyPair('bip340')
      const signed = sig.signMessage('bip340', message, keys.secretKey)
      assert.equal(sig.verifyDigest(crypto.sha256(message), signed, keys.publicKey).ok, true)
      // ed25519 is deterministic; bip340 draws fresh aux_rand unless given one
      const ed = sig.generateKeyPair('ed25519').secretKey
      assert.equal(sig.signMessage('ed25519', message, ed), sig.signMessage('ed25519', message, ed))
      assert.notEqual(signed, sig.signMessage('bip340', message, keys.secretKey))
      const zeroAux = () => sig.signMessage('bip340', message, keys.secretKey, new Uint8Array(32))
      assert.equal(zeroAux(), zeroAux())
    })

    it('reports bad input with typed codes and never throws from verify', () => {
      const keys = sig.generateKeyPair('ed25519')
      const message = new Uint8Array([1, 2, 3])
      const signed = sig.signMessage('ed25519', message, keys.secretKey)
      const verify = (s: string, k: string, scheme = 'ed25519') =>
        sig.verifyMessage(scheme as Scheme, message, s, k)
      expectFailure(verify(signed, keys.publicKey, 'rsa'), ErrorCode.UNKNOWN_SCHEME)
      expectFailure(verify('zz', keys.publicKey), ErrorCode.BAD_HEX)
      expectFailure(verify(signed.toUpperCase(), keys.publicKey), ErrorCode.BAD_HEX)
      expectFailure(verify(signed, `${keys.publicKey}0`), ErrorCode.BAD_HEX)
      expectFailure(verify(signed.slice(2), keys.publicKey), ErrorCode.BAD_LENGTH)
      expectFailure(verify(signed, keys.publicKey.slice(2)), ErrorCode.BAD_LENGTH)
      expectFailure(verify(signed, undefined as unknown as string), ErrorCode.BAD_HEX)
      expectFailure(sig.verifyDigest(new Uint8Array(31), signed, keys.publicKey), ErrorCode.BAD_LENGTH)
      expectThrow(() => sig.signMessage('rsa' as Scheme, message, keys.secretKey), ErrorCode.UNKNOWN_SCHEME)
      expectThrow(() => sig.generateKeyPair('rsa' as Scheme), ErrorCode.UNKNOWN_SCHEME)
      expectThrow(() => sig.publicKeyOf('ed25519', keys.secretKey.slice(2)), ErrorCode.BAD_LENGTH)
      expectThrow(() => sig.signMessage('ed25519', message, 'not hex'), ErrorCode.BAD_HEX)
      expectThrow(
        () => sig.signDigest(new Uint8Array(33), SECP256K1_N.replace(/1$/, '0')),
        ErrorCode.BAD_LENGTH,
      )
      const bipKeys = sig.generateKeyPair('bip340')
      expectThrow(
        () => sig.signMessage('bip340', message, bipKeys.secretKey, new Uint8Array(16)),
        ErrorCode.BAD_LENGTH,
      )
    })

    it('accepts any 32-byte ed25519 secret but only [1, n-1] for bip340', () => {
      for (const secret of ['00'.repeat(32), 'ff'.repeat(32), SECP256K1_N]) {
        assert.match(sig.publicKeyOf('ed25519', secret), /^[0-9a-f]{64}$/)
      }
      for (const secret of ['00'.repeat(32), SECP256K1_N, 'ff'.repeat(32)]) {
        expectThrow(() => sig.publicKeyOf('bip340', secret), ErrorCode.BAD_KEY)
        expectThrow(() => sig.signMessage('bip340', new Uint8Array(1), secret), ErrorCode.BAD_KEY)
      }
      const nMinus1 = SECP256K1_N.replace(/1$/, '0')
      assert.match(sig.signMessage('bip340', new Uint8Array(1), nMinus1), /^[0-9a-f]{128}$/)
      assert.match(sig.publicKeyOf('bip340', `${'00'.repeat(31)}01`), /^79be667e/)
    })

    it('fails bip340 public keys that are not curve points with BAD_KEY', () => {
      for (const v of bip340.vectors.filter((row) => row.index === 5 || row.index === 14)) {
        expectFailure(
          sig.verifyDigest(fromHex(v.message), v.signature, v.publicKey),
          ErrorCode.BAD_KEY,
          `row ${v.index}`,
        )
      }
      fc.assert(
        fc.property(fc.uint8Array({ minLength: 32, maxLength: 32 }), (key) => {
          const onCurve = (() => {
            try {
              return schnorr.utils.lift_x(BigInt(`0x${toHex(key)}`)) !== undefined
            } catch {
              return false
            }
          })()
          const result = sig.verifyDigest(new Uint8Array(32), bip340.vectors[0]!.signature, toHex(key))
          expectFailure(result, onCurve ? ErrorCode.SIGNATURE_INVALID : ErrorCode.BAD_KEY, toHex(key))
        }),
        { numRuns: 100 },
      )
      const good = bip340.vectors[1]!
      expectFailure(
        sig.verifyDigest(fromHex(good.message), bip340.vectors[7]!.signature, good.publicKey),
        ErrorCode.SIGNATURE_INVALID,
      )
    })
  })
}

describe('backends agree', () => {
  for (const other of [nodeWasmBackend, webBackend]) {
    it(`node and ${other.name}: each verifies what the other signs`, () => {
      const [a, b] = [createSignatures(nodeBackend), createSignatures(other)]
      fc.assert(
        fc.property(fc.constantFrom(...SCHEMES), fc.uint8Array({ maxLength: 100 }), (scheme, message) => {
          const keys = a.generateKeyPair(scheme)
          assert.equal(b.publicKeyOf(scheme, keys.secretKey), keys.publicKey)
          assert.equal(
            b.verifyMessage(scheme, message, a.signMessage(scheme, message, keys.secretKey), keys.publicKey)
              .ok,
            true,
          )
          assert.equal(
            a.verifyMessage(scheme, message, b.signMessage(scheme, message, keys.secretKey), keys.publicKey)
              .ok,
            true,
          )
        }),
        { numRuns: 20 },
      )
    })
  }

  it('native and WebAssembly libsecp256k1 give the same verdict on damaged signatures, keys and digests', () => {
    const [native, wasmBip340] = [nodeBackend.bip340, nodeWasmBackend.bip340]
    const secret = new Uint8Array(32).fill(3)
    const publicKey = native.publicKey(secret)
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 32, maxLength: 32 }),
        fc.nat(64 * 8 - 1),
        fc.nat(2),
        (digest, bit, part) => {
          const signature = native.sign(digest, secret, new Uint8Array(32))
          const args: [Uint8Array, Uint8Array, Uint8Array] = [signature, digest, publicKey]
          args[part] = flipBit(args[part]!, bit % (args[part]!.length * 8))
          assert.equal(native.verify(...args), wasmBip340.verify(...args))
          assert.equal(native.verify(signature, digest, publicKey), true)
        },
      ),
      { numRuns: 300 },
    )
  })
  it('hash alike, bytes and text, as OpenSSL does', () => {
    const reference = (data: Uint8Array | string) => createHash('sha256').update(data).digest()
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), anyText(100), (bytes, text) => {
        for (const crypto of [nodeBackend, webBackend]) {
          assert.deepEqual(crypto.sha256(bytes), new Uint8Array(reference(bytes)), crypto.name)
          assert.equal(crypto.sha256Hex(bytes), reference(bytes).toString('hex'), crypto.name)
          // text is hashed as its UTF-8 bytes (a lone surrogate as U+FFFD, like TextEncoder)
          assert.equal(crypto.sha256Hex(text), reference(utf8(text)).toString('hex'), crypto.name)
        }
      }),
      { numRuns: 200 },
    )
  })
})

describe('libsecp256k1 builds', () => {
  it('the Node backend runs the native build that npm ci compiles', () => {
    assert.equal(
      libsecp256k1Build(),
      'native',
      "bcrypto's native libsecp256k1 did not load: npm ci builds it with node-gyp (python3, make and a C compiler); until then BIP340 runs on the WebAssembly build, ≈ 4× slower",
    )
  })

  it('falls back to the WebAssembly build when the native one cannot be loaded', () => {
    const withoutNative = (id: string) => {
      if (id.startsWith('bcrypto')) throw new Error(`Cannot find module '${id}'`)
      return require(id)
    }
    const library = loadLibsecp256k1(withoutNative)
    assert.equal(library.build, 'wasm')
    assert.equal(loadLibsecp256k1(require).build, 'native')
    const secret = new Uint8Array(32).fill(5)
    const digest = new Uint8Array(32).fill(6)
    const signature = library.signSchnorr(digest, secret, new Uint8Array(32))
    assert.equal(nodeBackend.bip340.verify(signature, digest, library.xOnlyPublicKey(secret)), true)
  })

  it('refuses a JavaScript-only bcrypto (slower than WebAssembly) and falls back', () => {
    const jsOnly = (id: string) => (id.startsWith('bcrypto') ? { ...require(id), native: 0 } : require(id))
    assert.equal(loadLibsecp256k1(jsOnly).build, 'wasm')
  })

  it('point operations throw a RangeError for a bad scalar or infinity, on both builds', () => {
    const zero = new Uint8Array(32)
    const one = new Uint8Array(32)
    one[31] = 1
    const order = fromHex(SECP256K1_N)
    for (const points of [nodeBackend.secp256k1, nodeWasmBackend.secp256k1, webBackend.secp256k1]) {
      assert.throws(() => points.fromScalar(zero), RangeError)
      assert.throws(() => points.fromScalar(order), RangeError)
      const g = points.fromScalar(one)
      const minusG = points.fromScalar(fromHex(`${SECP256K1_N.slice(0, 62)}40`))
      assert.throws(() => points.mulAdd(g, one, minusG), RangeError, 'G + (−G) is infinity')
      assert.equal(toHex(points.mulAdd(g, one, g)), toHex(points.fromScalar(fromHex(`${'00'.repeat(31)}02`))))
    }
  })
})

describe('module exports', () => {
  it('use the platform backend and name the schemes', () => {
    assert.deepEqual([...SCHEMES], ['ed25519', 'bip340'])
    assert.ok(isScheme('bip340') && !isScheme('BIP340') && !isScheme(undefined))
    const keys = signature.generateKeyPair('bip340')
    const message = new Uint8Array([42])
    assert.equal(
      signature.verifyMessage(
        'bip340',
        message,
        signature.signMessage('bip340', message, keys.secretKey),
        keys.publicKey,
      ).ok,
      true,
    )
  })
})

describe('ed25519 edge cases: both backends side with libsodium and OpenSSL', () => {
  const { Point } = ed25519
  const message = utf8('pay the bearer')
  const order8 = Point.fromHex('c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a')
  const honest = ed25519.utils.getExtendedPublicKey(new Uint8Array(32).fill(9))
  const scalarBytes = (n: bigint) => {
    const out = new Uint8Array(32)
    for (let i = 0; i < 32; i++, n >>= 8n) out[i] = Number(n & 0xffn)
    return out
  }
  const challenge = (r: Uint8Array, a: Uint8Array) => {
    const digest = createHash('sha512').update(r).update(a).update(message).digest()
    let k = 0n
    for (let i = 63; i >= 0; i--) k = (k << 8n) | BigInt(digest[i]!)
    return k % ED25519_L
  }
  /** The honest key's signature with nonce point R = [r]B + T for a chosen r and torsion T. */
  const signWithR = (r: bigint, torsion: typeof order8) => {
    const rBytes = Point.BASE.multiplyUnsafe(r).add(torsion).toBytes()
    const s = (r + challenge(rBytes, honest.pointBytes) * honest.scalar) % ED25519_L
    return new Uint8Array([...rBytes, ...scalarBytes(s)])
  }
  const openssl = (signature: Uint8Array, publicKey: Uint8Array) =>
    opensslVerify(
      null,
      message,
      createPublicKey({
        key: { kty: 'OKP', crv: 'Ed25519', x: Buffer.from(publicKey).toString('base64url') },
        format: 'jwk',
      }),
      signature,
    )

  it('refuses a "signature" by a key of small order', () => {
    // [k]A depends only on k mod 8, so R = [S]B − [j]A satisfies [S]B = R + [k]A whenever the
    // challenge is ≡ j (mod 8): one try in eight, with no secret at all.
    const a = order8.toBytes()
    let forged: Uint8Array | undefined
    for (let s = 1n; !forged; s++) {
      for (let j = 0n; j < 8n && !forged; j++) {
        const r = Point.BASE.multiply(s).subtract(order8.multiplyUnsafe(j)).toBytes()
        if (challenge(r, a) % 8n === j) forged = new Uint8Array([...r, ...scalarBytes(s)])
      }
    }
    assert.equal(openssl(forged, a), false)
    for (const crypto of BACKENDS) assert.equal(crypto.ed25519.verify(forged, message, a), false, crypto.name)
  })

  it('refuses an R with a small-order part, which the cofactored equation would accept', () => {
    const mixed = signWithR(12_345n, order8)
    const identityR = signWithR(0n, Point.ZERO)
    const plain = signWithR(12_345n, Point.ZERO)
    // noble's RFC 8032 mode checks [8][S]B = [8]R + [8][k]A, blind to the torsion in R
    assert.equal(ed25519.verify(mixed, message, honest.pointBytes, { zip215: false }), true)
    assert.equal(ed25519.verify(identityR, message, honest.pointBytes, { zip215: false }), true)
    for (const signature of [mixed, identityR]) {
      assert.equal(openssl(signature, honest.pointBytes), false)
      for (const crypto of BACKENDS)
        assert.equal(crypto.ed25519.verify(signature, message, honest.pointBytes), false, crypto.name)
    }
    // the same construction without torsion is an ordinary valid signature everywhere
    assert.equal(openssl(plain, honest.pointBytes), true)
    for (const crypto of BACKENDS)
      assert.equal(crypto.ed25519.verify(plain, message, honest.pointBytes), true, crypto.name)
  })
})
