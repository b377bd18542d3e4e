/**
 * Real signed and mined messages for bench/admission.ts, many and distinct: every key is derived
 * from a name and a counter (secret = SHA-256(`mega-bench/<name>/<i>`)), so every run builds the
 * same bytes, and generation can be split across worker threads and cached on disk.
 *
 * Messages go through the protocol's own `publicKeyOf`, `sign` and `mineMessageSync`, exactly like
 * test/fixtures/messages.ts, one key per oracle, capability, reporter and trader. They travel
 * as newline-separated JSON in one byte buffer per set: transferable between threads without a
 * copy, outside the V8 heap (so the pool's heap growth is measured cleanly), and parsed only
 * just before use, the way a node receives them.
 */
import { hash } from 'node:crypto'
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs'
import { availableParallelism } from 'node:os'
import { join } from 'node:path'
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads'
import { exampleCapability } from '../src/client/examples.ts'
import { mineMessageSync } from '../src/protocol/message-pow.ts'
import type { Offer, OracleCapability, OracleId, Report } from '../src/protocol/messages/index.ts'
import { type Draft, sign, signCapability } from '../src/protocol/sign.ts'
import { publicKeyOf } from '../src/protocol/signature.ts'

/** A set of messages: `count` of one kind, message `i` built from keys derived from `i`. */
export type SetSpec =
  /** Oracle ads, key `oracle:<keys>/<i>`. */
  | { kind: 'oracle'; keys: string; bits: number; count: number }
  /** Capability `i` of oracle `i` (of `oracle:<oracles>/<i>`), capability key `capability/<i>`. */
  | { kind: 'capability'; oracles: string; bits: number; count: number }
  /** A free-form report against oracle `i`, signed by reporter `reporter/<i>`. */
  | { kind: 'report'; oracles: string; bits: number; count: number }
  /** An open offer on capability `i`, signed by trader `trader/<i>`. */
  | { kind: 'offer'; bits: number; count: number }

/** A generated set: newline-separated JSON messages. */
export interface MessageSet {
  spec: SetSpec
  bytes: Uint8Array
  /** Seconds spent generating it (wall clock, all threads), 0 when read from the cache. */
  seconds: number
  cached: boolean
}

/** Fixed time for offers' expiry; the bench's clock stands still before it. */
export const OFFER_EXPIRES = 1_900_000_000
const ZERO_AUX = new Uint8Array(32)
const BATCH = 2_000

/** Secret key (hex) for a name: SHA-256 of it. Valid for bip340 too with overwhelming probability. */
function secretOf(name: string): string {
  return hash('sha256', `mega-bench/${name}`, 'hex')
}

const ARGS = { home: 'ARS', away: 'CHE', date: '2026-11-21' }

/** Builds message `i` of a set. */
export function build(spec: SetSpec, i: number): OracleId | OracleCapability | Report | Offer {
  switch (spec.kind) {
    case 'oracle': {
      const secret = secretOf(`oracle:${spec.keys}/${i}`)
      const draft: Draft<OracleId> = {
        kind: 'oracle',
        scheme: 'ed25519',
        pubkey: publicKeyOf('ed25519', secret),
        seqNo: 1,
        tags: ['bench'],
      }
      return mineMessageSync<OracleId>(sign<OracleId>(draft, secret), spec.bits)
    }
    case 'capability': {
      const oracleSecret = secretOf(`oracle:${spec.oracles}/${i}`)
      const capabilitySecret = secretOf(`capability/${i}`)
      const draft = exampleCapability({
        oracle: { publicKey: publicKeyOf('ed25519', oracleSecret), scheme: 'ed25519' },
        capability: { publicKey: publicKeyOf('bip340', capabilitySecret), scheme: 'bip340' },
        endpoint: `https://oracle-${i}.example/mega`,
      })
      return mineMessageSync<OracleCapability>(
        signCapability(draft, oracleSecret, capabilitySecret, ZERO_AUX),
        spec.bits,
      )
    }
    case 'report': {
      const reporterSecret = secretOf(`reporter/${i}`)
      const draft: Draft<Report> = {
        kind: 'report',
        oracle: publicKeyOf('ed25519', secretOf(`oracle:${spec.oracles}/${i}`)),
        content: {
          type: 'free-form',
          comment: `bench report ${i}: the answer came late`,
          links: ['https://example.org/evidence'],
        },
        reporter: { scheme: 'ed25519', pubkey: publicKeyOf('ed25519', reporterSecret) },
      }
      return mineMessageSync<Report>(sign<Report>(draft, reporterSecret), spec.bits)
    }
    case 'offer': {
      const traderSecret = secretOf(`trader/${i}`)
      const draft: Draft<Offer> = {
        kind: 'offer',
        terms: {
          originator: publicKeyOf('ed25519', traderSecret),
          scheme: 'ed25519',
          nonce: i.toString(16).padStart(16, '0'),
          expires: OFFER_EXPIRES,
          question: { capability: publicKeyOf('bip340', secretOf(`capability/${i}`)), args: ARGS },
          originatorBets: ['home'],
          acceptorBets: ['away', 'draw'],
          originatorAmount: 100_000,
          acceptorAmount: 150_000,
          chain: 'bitcoin',
          contact: 'nostr:npub1example',
        },
        seqNo: 0,
      }
      return mineMessageSync<Offer>(sign<Offer>(draft, traderSecret, ZERO_AUX), spec.bits)
    }
  }
}

/** Messages `from` … `from + count − 1` of a set as newline-separated JSON. */
function buildRange(spec: SetSpec, from: number, count: number): Uint8Array {
  const lines: string[] = []
  for (let i = from; i < from + count; i++) lines.push(JSON.stringify(build(spec, i)))
  return new TextEncoder().encode(`${lines.join('\n')}\n`)
}

/** Splits a set's bytes into its messages' JSON texts (no parsing). */
export function* lines(bytes: Uint8Array, from = 0, to = Number.POSITIVE_INFINITY): Generator<string> {
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  let start = 0
  let index = 0
  while (start < buffer.length && index < to) {
    const end = buffer.indexOf(10, start)
    if (index >= from) yield buffer.toString('utf8', start, end)
    start = end + 1
    index++
  }
}

/** Parses messages `from` … `to − 1` of a set. */
export function parse(bytes: Uint8Array, from = 0, to = Number.POSITIVE_INFINITY): unknown[] {
  return Array.from(lines(bytes, from, to), (line) => JSON.parse(line))
}

/** Protocol version of the generated messages: a cache of another version is never read. */
const PROTOCOL_VERSION = 2

function cacheFile(dir: string, spec: SetSpec): string {
  const name = Object.entries(spec)
    .map(([key, value]) => `${key}-${value}`)
    .join('_')
  return join(dir, `v${PROTOCOL_VERSION}_${name}.jsonl`)
}

export interface GenerateOptions {
  /** Worker threads. @default availableParallelism() */
  threads?: number
  /** Directory to read sets from and write them to. @default none */
  cacheDir?: string | undefined
  /** Progress lines (to stderr). */
  log?: (line: string) => void
}

/**
 * Generates the sets on worker threads, batch by batch, reading and writing `cacheDir` when
 * given. Every set is complete and in order on return; the workers are gone.
 */
export async function generate(specs: SetSpec[], options: GenerateOptions = {}): Promise<MessageSet[]> {
  const threads = Math.max(1, options.threads ?? availableParallelism())
  const log = options.log ?? (() => {})
  const results: (MessageSet | undefined)[] = specs.map((spec) => {
    if (!options.cacheDir) return undefined
    try {
      return {
        spec,
        bytes: new Uint8Array(readFileSync(cacheFile(options.cacheDir, spec))),
        seconds: 0,
        cached: true,
      }
    } catch {
      return undefined
    }
  })
  const jobs: { set: number; batch: number; from: number; count: number }[] = []
  const parts: Uint8Array[][] = specs.map(() => [])
  specs.forEach((spec, set) => {
    if (results[set]) return
    for (let from = 0, batch = 0; from < spec.count; from += BATCH, batch++) {
      jobs.push({ set, batch, from, count: Math.min(BATCH, spec.count - from) })
    }
  })
  const total = jobs.reduce((sum, job) => sum + job.count, 0)
  if (total > 0) {
    const started = performance.now()
    const setStart = specs.map(() => Number.NaN)
    const setEnd = specs.map(() => 0)
    let done = 0
    let lastLog = started
    let next = 0
    await Promise.all(
      Array.from({ length: Math.min(threads, jobs.length) }, async () => {
        const worker = new Worker(new URL(import.meta.url), { workerData: { admissionMessages: true } })
        try {
          for (let job = jobs[next++]; job; job = jobs[next++]) {
            const { set, batch, from, count } = job
            if (Number.isNaN(setStart[set]!)) setStart[set] = performance.now()
            const bytes = await new Promise<Uint8Array>((resolve, reject) => {
              worker.once('message', resolve)
              worker.once('error', reject)
              worker.postMessage({ spec: specs[set], from, count })
            })
            worker.removeAllListeners('error')
            parts[set]![batch] = bytes
            setEnd[set] = performance.now()
            done += count
            const now = performance.now()
            if (now - lastLog > 10_000) {
              lastLog = now
              const rate = done / ((now - started) / 1000)
              log(
                `  generated ${done.toLocaleString('en-US')} / ${total.toLocaleString('en-US')} messages, ` +
                  `${Math.round(rate).toLocaleString('en-US')}/s, ETA ${Math.round((total - done) / rate)} s`,
              )
            }
          }
        } finally {
          await worker.terminate()
        }
      }),
    )
    specs.forEach((spec, set) => {
      if (results[set]) return
      const bytes = new Uint8Array(Buffer.concat(parts[set]!))
      results[set] = { spec, bytes, seconds: (setEnd[set]! - setStart[set]!) / 1000, cached: false }
      if (options.cacheDir) {
        mkdirSync(options.cacheDir, { recursive: true })
        const file = cacheFile(options.cacheDir, spec)
        writeFileSync(`${file}.tmp`, bytes)
        renameSync(`${file}.tmp`, file)
      }
    })
  }
  return results as MessageSet[]
}

// Worker side: build the ranges the main thread asks for and hand the bytes over without a copy.
if (!isMainThread && (workerData as { admissionMessages?: boolean } | null)?.admissionMessages) {
  parentPort!.on('message', ({ spec, from, count }: { spec: SetSpec; from: number; count: number }) => {
    const bytes = buildRange(spec, from, count)
    parentPort!.postMessage(bytes, [bytes.buffer as ArrayBuffer])
  })
}
