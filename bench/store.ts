/**
 * Cost of persistence: `apply()` per admission (one oracle ad, or one capability: one put
 * plus its floors, one transaction) with synchronous NORMAL and FULL, and the startup cost of
 * `load()` (with and without the PoW re-check) and of a whole restore, for N stored entries.
 *
 *   node bench/store.ts            N = 4000 entries (2000 oracles + 2000 capabilities)
 *   node bench/store.ts --n 20000  larger; mining the messages takes ~1 ms each
 *   node bench/store.ts --json     the figures as one JSON object on stdout (for bench/report.ts)
 *
 * The database lives under the OS temp dir (often tmpfs-backed or page-cached: FULL's fsync
 * cost depends on the disk under the real data directory; rerun there to size it).
 */

import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { exampleCapability } from '../src/client/examples.ts'
import { Mempool } from '../src/mempool/mempool.ts'
import { admitValue } from '../src/mempool/pipeline.ts'
import { mineMessageSync } from '../src/protocol/message-pow.ts'
import type { Message, OracleCapability, OracleId } from '../src/protocol/messages/index.ts'
import { sign, signCapability } from '../src/protocol/sign.ts'
import { publicKeyOf } from '../src/protocol/signature.ts'
import {
  type Durability,
  floorsOf,
  MempoolStore,
  openMempoolStore,
  restoreMempool,
} from '../src/store/index.ts'

const at = process.argv.indexOf('--n')
const N = at > 0 ? Number(process.argv[at + 1]) : 4000
const json = process.argv.includes('--json')
// With --json the lines go to stderr and one object to stdout.
const log = (line: string) => (json ? console.error(line) : console.log(line))
const figures: Record<string, unknown> = { entries: N }
const NOW = 1_850_000_000
const OPTIONS = { minBits: { oracle: 8, capability: 8, report: 8, offer: 8 }, maxOracles: N }

function secret(i: number): string {
  return (i + 1).toString(16).padStart(64, '0')
}

function messages(count: number): Message[] {
  const list: Message[] = []
  for (let i = 0; i < count / 2; i++) {
    const oracle = { secret: secret(i), pubkey: publicKeyOf('ed25519', secret(i)) }
    const ad = sign<OracleId>(
      { kind: 'oracle', scheme: 'ed25519', pubkey: oracle.pubkey, seqNo: 1, tags: ['bench'] },
      oracle.secret,
    )
    list.push(mineMessageSync<OracleId>(ad, 8))
    const capabilitySecret = secret(1_000_000 + i)
    const capability = signCapability(
      exampleCapability({
        oracle: { publicKey: oracle.pubkey, scheme: 'ed25519' },
        capability: { publicKey: publicKeyOf('bip340', capabilitySecret), scheme: 'bip340' },
      }),
      oracle.secret,
      capabilitySecret,
    )
    list.push(mineMessageSync<OracleCapability>(capability, 8))
  }
  return list
}

function fill(dataDir: string, input: Message[], durability: Durability) {
  const pool = new Mempool(OPTIONS, { now: () => NOW })
  const store = openMempoolStore({ dataDir, durability })
  let applyMs = 0
  let admitMs = 0
  for (const message of input) {
    const started = performance.now()
    const { changes } = admitValue(pool, message)
    const admitted = performance.now()
    store.apply(changes, floorsOf(pool))
    applyMs += performance.now() - admitted
    admitMs += admitted - started
  }
  store.close()
  return { applyUs: (applyMs * 1000) / input.length, admitUs: (admitMs * 1000) / input.length }
}

function time<T>(run: () => T): [T, number] {
  const started = performance.now()
  const value = run()
  return [value, performance.now() - started]
}

const root = mkdtempSync(join(tmpdir(), 'mega-bench-store-'))
try {
  const [input, mineMs] = time(() => messages(N))
  log(`${input.length} messages mined and signed in ${(mineMs / 1000).toFixed(1)} s`)
  figures.mineSeconds = mineMs / 1000
  for (const durability of ['normal', 'fsync'] as const) {
    const dataDir = join(root, durability)
    const { applyUs, admitUs } = fill(dataDir, input, durability)
    figures[durability] = { applyMicroseconds: applyUs, admitMicroseconds: admitUs }
    log(
      `${durability.padEnd(6)} apply ${applyUs.toFixed(0).padStart(6)} µs/admission (admit itself ${admitUs.toFixed(0)} µs)`,
    )
  }
  const dataDir = join(root, 'normal')
  for (const checkPowOnLoad of [true, false]) {
    const store = new MempoolStore({ dataDir, checkPowOnLoad })
    const [{ records }, loadMs] = time(() => store.load())
    store.close()
    figures[checkPowOnLoad ? 'loadWithPowMs' : 'loadMs'] = loadMs
    log(`load ${records.length} entries, PoW check ${checkPowOnLoad}: ${loadMs.toFixed(0)} ms`)
  }
  const store = openMempoolStore({ dataDir })
  const pool = new Mempool(OPTIONS, { now: () => NOW })
  const report = restoreMempool(pool, store)
  store.close()
  figures.restore = { entries: report.entries, milliseconds: report.milliseconds }
  log(`restore (load + rebuild + tidy) ${report.entries} entries: ${report.milliseconds.toFixed(0)} ms`)
} finally {
  rmSync(root, { recursive: true, force: true })
}
if (json) console.log(JSON.stringify(figures))
