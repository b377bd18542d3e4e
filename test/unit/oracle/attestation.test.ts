import assert from 'node:assert/strict'
import { createHash, createHmac, hkdfSync, randomBytes } from 'node:crypto'
import { describe, it } from 'node:test'
import { verifyAttestation } from '../../../src/protocol/attestation.ts'
import { canonicalize } from '../../../src/protocol/canonical.ts'
import { nodeSecp256k1 } from '../../../src/protocol/crypto/node.ts'
import { webSecp256k1 } from '../../../src/protocol/crypto/web.ts'
import { fromHex, toHex, utf8 } from '../../../src/protocol/hex.ts'
import { hkdfSha256, hmacSha256 } from '../../../src/protocol/kdf.ts'
import { messageId } from '../../../src/protocol/message.ts'
import type { Commitment, Fact, Report } from '../../../src/protocol/messages/index.ts'
import {
  createCommitment,
  createFact,
  deriveCapabilitySecret,
  factDigest,
  hashlockPreimage,
  outcomePoint,
} from '../../../src/protocol/oracle-attestation.ts'
import { recoverSecretFromNonceReuse, signatureScalarPoint } from '../../../src/protocol/schnorr-nonce.ts'
import { verifySignatures } from '../../../src/protocol/sign.ts'
import { publicKeyOf } from '../../../src/protocol/signature.ts'
import { verifyReportEvidence } from '../../../src/protocol/verify-report.ts'
import * as fx from '../../support/messages.ts'

const ROOT = 'ab'.repeat(32)
const capabilitySecret = deriveCapabilitySecret(ROOT, 'match-winner', 'bip340')
const capabilityKey = {
  scheme: 'bip340' as const,
  secretKey: capabilitySecret,
  publicKey: publicKeyOf('bip340', capabilitySecret),
}
const request = fx.factRequest(capabilityKey)

function capability(attestation: 'schnorr' | 'hashlock' | 'signature') {
  return fx.capabilityAd({ attestation }, fx.ORACLE, capabilityKey)
}

describe('key derivation', () => {
  it('HMAC-SHA256 and HKDF-SHA256 match node:crypto', () => {
    for (const size of [0, 1, 32, 64, 65, 200]) {
      const key = randomBytes(size)
      const message = randomBytes(size * 3)
      assert.equal(
        toHex(hmacSha256(key, message)),
        createHmac('sha256', key).update(message).digest('hex'),
        `size ${size}`,
      )
    }
    for (const length of [1, 32, 33, 64, 100]) {
      const [ikm, salt, info] = [randomBytes(32), randomBytes(16), randomBytes(10)]
      assert.equal(
        toHex(hkdfSha256(ikm, salt, info, length)),
        Buffer.from(hkdfSync('sha256', ikm, salt, info, length)).toString('hex'),
        `length ${length}`,
      )
    }
  })

  it('derives the same capability key from the same root secret, and different ones per label and scheme', () => {
    assert.equal(deriveCapabilitySecret(ROOT, 'match-winner', 'bip340'), capabilitySecret)
    const others = [
      deriveCapabilitySecret(ROOT, 'match-winner-2', 'bip340'),
      deriveCapabilitySecret(ROOT, 'match-winner', 'ed25519'),
      deriveCapabilitySecret('cd'.repeat(32), 'match-winner', 'bip340'),
    ]
    assert.equal(new Set([capabilitySecret, ...others]).size, 4)
    assert.throws(() => deriveCapabilitySecret(ROOT, 'Bad Label', 'bip340'), { code: 'BAD_KEY' })
  })
})

describe('Schnorr (DLC) attestation', () => {
  const cap = capability('schnorr')
  const commitment = createCommitment({
    capability: cap,
    secretKey: capabilitySecret,
    request,
    deadline: 1_900_000_000,
  })
  const fact = createFact({ capability: cap, secretKey: capabilitySecret, request, answer: 'home' })

  it('commits to a nonce point and signs the fact with it; the fact verifies as a BIP340 signature', () => {
    assert.equal(commitment.attestation.type, 'schnorr')
    assert.ok(verifySignatures(commitment).ok)
    assert.ok(verifySignatures(fact).ok)
    assert.deepEqual(verifyAttestation(commitment, fact), { ok: true, value: true })
  })

  it('is deterministic per request (stateless endpoint) and differs per request and invoice', () => {
    const again = createCommitment({ capability: cap, secretKey: capabilitySecret, request, deadline: 1 })
    assert.deepEqual(again.attestation, commitment.attestation)
    const other = createCommitment({
      capability: cap,
      secretKey: capabilitySecret,
      request: { ...request, args: { ...request.args, home: 'CHE', away: 'ARS' } },
      deadline: 1,
    })
    const invoiced = createCommitment({
      capability: cap,
      secretKey: capabilitySecret,
      request: { ...request, invoice: 'lnbc1' },
      deadline: 1,
    })
    const nonces = [commitment, other, invoiced].map((c) => (c.attestation as { nonce: string }).nonce)
    assert.equal(new Set(nonces).size, 3)
    // The commitment's own signature never uses the attestation nonce.
    assert.notEqual(commitment.signature.slice(0, 64), nonces[0])
  })

  it('satisfies s·G = R + e·P, computable from the commitment before the fact exists', () => {
    for (const answer of cap.answers) {
      const attested = createFact({ capability: cap, secretKey: capabilitySecret, request, answer })
      assert.equal(signatureScalarPoint(attested.signature), outcomePoint(commitment, answer), answer)
      assert.equal(messageId(attested), toHex(factDigest(request, answer)))
    }
  })

  it('refuses a wrong answer: the signature does not verify for another answer', () => {
    const forged: Fact = { ...fact, answer: 'away' }
    assert.equal(verifySignatures(forged).ok, false)
    assert.throws(
      () => createFact({ capability: cap, secretKey: capabilitySecret, request, answer: 'maybe' }),
      {
        code: 'ANSWER_INVALID',
      },
    )
    assert.throws(
      () =>
        createCommitment({
          capability: cap,
          secretKey: capabilitySecret,
          request: { ...request, args: { home: 'XXX' } },
          deadline: 1,
        }),
      { code: 'REQUEST_INVALID' },
    )
  })

  it('signing two answers under one nonce reveals the capability key and makes a verifiable fact-conflict report', () => {
    const other = createFact({ capability: cap, secretKey: capabilitySecret, request, answer: 'away' })
    assert.equal(other.signature.slice(0, 64), fact.signature.slice(0, 64), 'same R')
    const recovered = recoverSecretFromNonceReuse(
      cap.capabilityKey,
      { message: fromHex(messageId(fact)), signature: fact.signature },
      { message: fromHex(messageId(other)), signature: other.signature },
    )
    assert.equal(publicKeyOf('bip340', recovered), cap.capabilityKey)
    const report: Report = fx.report({ type: 'fact-conflict', capability: cap, facts: [fact, other] })
    assert.deepEqual(verifyReportEvidence(report, { now: 1_850_000_000 }), { ok: true, value: 'verified' })
  })

  it('the node and browser secp256k1 backends agree', () => {
    const scalar = fromHex(capabilitySecret)
    assert.equal(toHex(nodeSecp256k1.fromScalar(scalar)), toHex(webSecp256k1.fromScalar(scalar)))
    const point = nodeSecp256k1.fromScalar(scalar)
    const addend = nodeSecp256k1.fromScalar(fromHex('11'.repeat(32)))
    assert.equal(
      toHex(nodeSecp256k1.mulAdd(point, utf8('e'.repeat(32)), addend)),
      toHex(webSecp256k1.mulAdd(point, utf8('e'.repeat(32)), addend)),
    )
  })
})

describe('hash-lock attestation', () => {
  const cap = capability('hashlock')
  const commitment: Commitment = createCommitment({
    capability: cap,
    secretKey: capabilitySecret,
    request,
    deadline: 1,
  })

  it('locks every answer and reveals exactly the answer’s preimage', () => {
    assert.equal(commitment.attestation.type, 'hashlock')
    assert.equal((commitment.attestation as { locks: unknown[] }).locks.length, cap.answers.length)
    const fact = createFact({ capability: cap, secretKey: capabilitySecret, request, answer: 'draw' })
    assert.ok(verifySignatures(fact).ok)
    assert.deepEqual(verifyAttestation(commitment, fact), { ok: true, value: true })
    const swapped = createFact({ capability: cap, secretKey: capabilitySecret, request, answer: 'home' })
    const lying = { ...swapped, preimage: fact.preimage! }
    assert.equal(
      verifyAttestation(commitment, lying).ok,
      false,
      'the draw preimage does not open the home lock',
    )
  })
})

describe('plain signature attestation', () => {
  it('signs a commitment and a fact with the capability key', () => {
    const cap = capability('signature')
    const commitment = createCommitment({
      capability: cap,
      secretKey: capabilitySecret,
      request,
      deadline: 1,
    })
    const fact = createFact({ capability: cap, secretKey: capabilitySecret, request, answer: 'home' })
    assert.ok(verifySignatures(commitment).ok && verifySignatures(fact).ok)
    assert.ok(verifyAttestation(commitment, fact).ok)
    assert.throws(
      () => createFact({ capability: cap, secretKey: 'ab'.repeat(32), request, answer: 'home' }),
      {
        code: 'BAD_KEY',
      },
    )
  })
})

describe('known answers (a change to any derivation breaks these)', () => {
  it('derives the documented keys, nonce and fact signature from a fixed root secret', async () => {
    const { webBip340 } = await import('../../../src/protocol/crypto/web.ts')
    const root = '01'.repeat(32)
    const secret = deriveCapabilitySecret(root, 'winner', 'bip340')
    const key = { scheme: 'bip340' as const, secretKey: secret, publicKey: publicKeyOf('bip340', secret) }
    const cap = fx.capabilityAd({ attestation: 'schnorr' }, fx.ORACLE, key)
    const req = fx.factRequest(key)
    const commitment = createCommitment({
      capability: cap,
      secretKey: secret,
      request: req,
      deadline: 1_900_000_000,
    })
    const fact = createFact({ capability: cap, secretKey: secret, request: req, answer: 'home' })
    const known = {
      secret,
      nonce: (commitment.attestation as { nonce: string }).nonce,
      signature: fact.signature,
    }
    assert.deepEqual(known, KNOWN)
    assert.equal(
      toHex(factDigest(req, 'home')),
      '78f9a25cfc1febc19beb44f94572c4d0ce6524eb31245d45d2125921cba2e405',
    )
    assert.equal(
      outcomePoint(commitment, 'home'),
      '03fd17f002c6e1162ca01b2f973a868c6239052d5b0b26901cc5480143d56e486f',
    )
    assert.equal(
      hashlockPreimage(secret, req, 'home'),
      'b9e1610070482f164992f838e7040eeeb9b13e401b46ed7d560a5b83d0b66fdb',
    )
    // An independent BIP340 implementation (noble) accepts the fixed-nonce signature.
    assert.ok(webBip340.verify(fromHex(fact.signature), factDigest(req, 'home'), fromHex(key.publicKey)))
  })
})

describe('docs/oracles.md §8, followed from the text with node:crypto', () => {
  const N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n
  const sha256 = (...parts: Uint8Array[]) => createHash('sha256').update(Buffer.concat(parts)).digest()
  const tagged = (tag: string, ...parts: Uint8Array[]) => {
    const t = sha256(Buffer.from(tag))
    return sha256(t, t, ...parts)
  }
  const int = (bytes: Uint8Array) => BigInt(`0x${Buffer.from(bytes).toString('hex')}`)
  const bytes32 = (value: bigint) => Buffer.from(value.toString(16).padStart(64, '0'), 'hex')
  const oddY = (scalar: bigint) => nodeSecp256k1.fromScalar(bytes32(scalar))[0] === 0x03

  it('HKDF info is scheme ‖ 0x00 ‖ label ‖ 0x00 ‖ one counter byte; s = k + e·d with both BIP340-negated', () => {
    const root = Buffer.alloc(32, 1)
    const parities = new Set<string>()
    for (const label of ['winner', 'a', 'b', 'c', 'd', 'e', 'f', 'g']) {
      const info = Buffer.concat([Buffer.from('bip340'), Buffer.of(0), Buffer.from(label), Buffer.of(0, 0)])
      if (label === 'winner') assert.equal(info.toString('hex'), '6269703334300077696e6e65720000')
      const okm = Buffer.from(
        hkdfSync('sha256', root, Buffer.from('MEGA/oracle/capability-key/v1'), info, 32),
      )
      const d0 = int(okm)
      assert.equal(okm.toString('hex'), deriveCapabilitySecret('01'.repeat(32), label, 'bip340'), label)
      const key = { scheme: 'bip340' as const, secretKey: okm.toString('hex'), publicKey: '' }
      key.publicKey = publicKeyOf('bip340', key.secretKey)
      const cap = fx.capabilityAd({ attestation: 'schnorr' }, fx.ORACLE, key)
      const req = fx.factRequest(key)
      const fact = createFact({ capability: cap, secretKey: key.secretKey, request: req, answer: 'home' })

      const k0 = int(tagged('MEGA/oracle/nonce/v1', okm, sha256(Buffer.from(canonicalize(req))))) % N
      const k = oddY(k0) ? N - k0 : k0
      const d = oddY(d0) ? N - d0 : d0
      parities.add(`d ${oddY(d0)} k ${oddY(k0)}`)
      const rx = nodeSecp256k1.fromScalar(bytes32(k0)).subarray(1)
      const e = int(tagged('BIP0340/challenge', rx, fromHex(key.publicKey), factDigest(req, 'home'))) % N
      assert.equal(
        fact.signature,
        `${Buffer.from(rx).toString('hex')}${bytes32((k + e * d) % N).toString('hex')}`,
      )
    }
    // The labels cover keys and nonces with odd y, where the negation matters.
    assert.ok(
      [...parities].some((p) => p.startsWith('d true')),
      [...parities].join('; '),
    )
    assert.ok(
      [...parities].some((p) => p.endsWith('k true')),
      [...parities].join('; '),
    )
  })
})

/** Computed once from the rules in docs/oracles.md §8; the secret matches node:crypto's hkdfSync. */
const KNOWN = {
  secret: 'beabfd49b0dc53b4dde4e6dfc948624f07a182804392aaf09ae7264a43b761a5',
  nonce: 'fad9a4360ff7a44d5e7a759f5008bab925febe6c669878c3a8e64cb1e8b8cc04',
  signature:
    'fad9a4360ff7a44d5e7a759f5008bab925febe6c669878c3a8e64cb1e8b8cc04a68ed1308670cf458fc2824013665aaf9cff15879892b431ec2e1d48895ee2c3',
}
