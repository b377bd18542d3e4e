/**
 * Signature throughput per scheme and library: verifications/s and signs/s on one core,
 * each as a ratio to OpenSSL's ed25519 (node:crypto, key objects built once per signer)
 * measured in the same run, so a busy machine shifts all rows together and the ratios stay
 * comparable.
 *
 *   node bench/verify.ts            ~1.5 s per case, best of 3 rounds
 *   node bench/verify.ts --quick    ~0.3 s per case, best of 2 (a smoke run)
 *   node bench/verify.ts --json     figures as JSON on stdout
 *
 * Best-of-rounds rather than the mean because noise (another process on this 2-core machine)
 * only ever slows a round down. Rerun when the ratios move between runs.
 */
import { createRequire } from 'node:module'
import { cpus } from 'node:os'
import { nativeLibsecp256k1, wasmLibsecp256k1 } from '../src/protocol/crypto/libsecp256k1.ts'
import { bip340Over, libsecp256k1Build, nodeEd25519 } from '../src/protocol/crypto/node.ts'
import type { SchemeBackend } from '../src/protocol/crypto/types.ts'
import { webBip340, webEd25519 } from '../src/protocol/crypto/web.ts'
import { bcryptoEd25519 } from './bcrypto-ed25519.ts'
import { opensslEd25519 } from './openssl-ed25519.ts'

const args = new Set(process.argv.slice(2))
const quick = args.has('--quick')
const json = args.has('--json')
const roundMs = quick ? 300 : 1500
const rounds = quick ? 2 : 3
/** Distinct signers: a realistic mix for OpenSSL's key objects, and no single-key fast path. */
const SIGNERS = 16
/** A typical canonical message (ed25519 signs it whole; bip340 signs its 32-byte SHA-256). */
const MESSAGE_BYTES = 300

interface Case {
  scheme: 'ed25519' | 'bip340'
  library: string
  backend: SchemeBackend
}

const require = createRequire(import.meta.url)
const nativeSecp256k1 = nativeLibsecp256k1(require)
const wasmSecp256k1 = wasmLibsecp256k1(require)
const used = (build: string) => (libsecp256k1Build() === build ? ', used' : '')
const libtorsionEd25519 = bcryptoEd25519()

const CASES: Case[] = [
  { scheme: 'ed25519', library: 'OpenSSL, key per signer', backend: opensslEd25519({ cacheKeys: true }) },
  { scheme: 'ed25519', library: 'OpenSSL, key per check', backend: opensslEd25519({ cacheKeys: false }) },
  { scheme: 'ed25519', library: 'libsodium (used)', backend: nodeEd25519 },
  ...(libtorsionEd25519
    ? [{ scheme: 'ed25519' as const, library: 'libtorsion native (bcrypto)', backend: libtorsionEd25519 }]
    : []),
  { scheme: 'ed25519', library: '@noble/curves', backend: webEd25519 },
  ...(nativeSecp256k1
    ? [
        {
          scheme: 'bip340' as const,
          library: `libsecp256k1 native (bcrypto${used('native')})`,
          backend: bip340Over(() => nativeSecp256k1),
        },
      ]
    : []),
  {
    scheme: 'bip340',
    library: `libsecp256k1 WASM (tiny-secp256k1${used('wasm')})`,
    backend: bip340Over(() => wasmSecp256k1),
  },
  { scheme: 'bip340', library: '@noble/curves', backend: webBip340 },
]

interface Fixture {
  secret: Uint8Array
  publicKey: Uint8Array
  message: Uint8Array
  signature: Uint8Array
}

function fixtures(c: Case): Fixture[] {
  return Array.from({ length: SIGNERS }, () => {
    const secret = crypto.getRandomValues(new Uint8Array(32))
    secret[0] = 0x7f // below the secp256k1 order, so every draw is a valid bip340 key
    const message = crypto.getRandomValues(new Uint8Array(c.scheme === 'bip340' ? 32 : MESSAGE_BYTES))
    return {
      secret,
      message,
      publicKey: c.backend.publicKey(secret),
      signature: c.backend.sign(message, secret),
    }
  })
}

/** Runs `op` over the fixtures for `ms` milliseconds; returns operations per second. */
function rate(items: Fixture[], op: (f: Fixture) => void, ms: number): number {
  let count = 0
  const start = performance.now()
  let now = start
  while (now - start < ms) {
    for (const item of items) op(item)
    count += items.length
    now = performance.now()
  }
  return count / ((now - start) / 1000)
}

function measure(c: Case): { verify: number; sign: number } {
  const items = fixtures(c)
  const aux = new Uint8Array(32)
  const verify = (f: Fixture) => {
    if (!c.backend.verify(f.signature, f.message, f.publicKey)) throw new Error(`${c.library}: verify failed`)
  }
  const sign = (f: Fixture) => c.backend.sign(f.message, f.secret, aux)
  rate(items, verify, roundMs / 5) // warm up: JIT, WASM tiers, noble's precomputed tables
  rate(items, sign, roundMs / 5)
  let best = { verify: 0, sign: 0 }
  for (let round = 0; round < rounds; round++) {
    best = {
      verify: Math.max(best.verify, rate(items, verify, roundMs)),
      sign: Math.max(best.sign, rate(items, sign, roundMs)),
    }
  }
  return best
}

const results = CASES.map((c) => ({ scheme: c.scheme, library: c.library, ...measure(c) }))
const baseline = results[0]!
const rows = results.map((r) => ({
  scheme: r.scheme,
  library: r.library,
  verifyPerSecond: Math.round(r.verify),
  signPerSecond: Math.round(r.sign),
  verifyRatio: Number((r.verify / baseline.verify).toFixed(3)),
  signRatio: Number((r.sign / baseline.sign).toFixed(3)),
}))

if (json) {
  const machine = { node: process.version, cpu: cpus()[0]?.model ?? 'unknown', cores: cpus().length }
  console.log(
    JSON.stringify(
      { machine, quick, roundMs, rounds, signers: SIGNERS, messageBytes: MESSAGE_BYTES, rows },
      null,
      2,
    ),
  )
} else {
  const n = (x: number) => x.toLocaleString('en-US').padStart(9)
  const ratio = (x: number) => `${x.toFixed(2)}×`.padStart(7)
  const width = Math.max(...rows.map((r) => r.library.length))
  console.log(
    `signatures on one core (${process.version}, ${cpus()[0]?.model ?? 'unknown cpu'}), best of ${rounds} × ${roundMs} ms`,
  )
  console.log(
    `${'scheme'.padEnd(8)} ${'library'.padEnd(width)} ${'verify/s'.padStart(9)} ${'×native'.padStart(7)} ${'sign/s'.padStart(9)} ${'×native'.padStart(7)}`,
  )
  for (const r of rows) {
    console.log(
      `${r.scheme.padEnd(8)} ${r.library.padEnd(width)} ${n(r.verifyPerSecond)} ${ratio(r.verifyRatio)} ${n(r.signPerSecond)} ${ratio(r.signRatio)}`,
    )
  }
  console.log(
    '×native: ratio to OpenSSL ed25519 (node:crypto) with one key object per signer, measured in this run',
  )
}
