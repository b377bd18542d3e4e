/**
 * The simulated world: deterministic keys, a seeded random source, and real messages (signed,
 * with real PoW mined on this thread) for the scenarios to feed into the real Mempool.
 *
 * Everything here is reproducible: keys come from a hash of (seed, label, index), ed25519 and
 * bip340 signing use fixed aux randomness, and mining searches nonces from 0, so the same seed
 * builds byte-identical messages on every run and machine.
 */
import { hash } from 'node:crypto'
import { mineMessageSync } from '../src/protocol/message-pow.ts'
import type { OracleCapability, OracleId, Report } from '../src/protocol/messages/index.ts'
import type { Scheme } from '../src/protocol/signature.ts'
import { capabilityAd, keyFromSecret, oracleAd, type TestKey } from '../test/support/messages.ts'

/** A simulated key; messages are signed by the test fixtures (fixed aux randomness). */
export type SimKey = TestKey

/** A deterministic key: its secret is SHA-256(seed/label/index) (a valid secret for both schemes). */
export function simKey(scheme: Scheme, seed: string, label: string, index: number): SimKey {
  return keyFromSecret(scheme, hash('sha256', `${seed}/${label}/${index}`, 'hex'))
}

/** A seeded random source in [0, 1) (mulberry32): the same seed gives the same sequence. */
export function seededRandom(seed: string): () => number {
  let state = Number.parseInt(hash('sha256', seed, 'hex').slice(0, 8), 16) >>> 0
  return () => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/** Fisher–Yates shuffle with a seeded source; returns a new array. */
export function shuffled<T>(items: readonly T[], random: () => number): T[] {
  const out = [...items]
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1))
    ;[out[i], out[j]] = [out[j]!, out[i]!]
  }
  return out
}

/** Work counters: every trial the world's mining was expected to cost, per label. */
export const minedWork = new Map<string, bigint>()

function countWork(label: string, bits: number): void {
  minedWork.set(label, (minedWork.get(label) ?? 0n) + (1n << BigInt(bits)))
}

/** A signed oracle ad for `key`, with real PoW of exactly `bits`. */
export function mineOracleAd(key: SimKey, bits: number, label: string): OracleId {
  countWork(label, bits)
  return oracleAd({ tags: [] }, key, bits)
}

/** A capability of `oracle` signed by it, for capability key `capability`, with real PoW of `bits`. */
export function mineCapability(
  oracle: SimKey,
  capability: SimKey,
  bits: number,
  label: string,
): OracleCapability {
  countWork(label, bits)
  return capabilityAd({}, oracle, capability, bits)
}

/** An anonymous report against `oracle` with real PoW of `bits`. */
export function mineReport(oracle: string, content: Report['content'], bits: number, label: string): Report {
  countWork(label, bits)
  return mineMessageSync<Report>({ kind: 'report', oracle, content } as Report, bits)
}

/** One identity as messages: its ad first, then the capabilities that add to its strength. */
export interface IdentityMessages {
  key: string
  ad: OracleId
  capabilities: OracleCapability[]
  /** work(ad) + Σ work(capabilities): what the pool will count as its strength. */
  work: bigint
}

/**
 * Splits an amount of work into the PoW claims one identity can carry: the largest power of two
 * in the ad (it alone decides whether the identity enters a full pool), the next ones in up to
 * `maxCapabilities` capabilities, and nothing under `minCapabilityBits` (the pool would refuse
 * it). Returns the bits of the ad and of each capability.
 */
export function splitIntoClaims(
  work: bigint,
  minAdBits: number,
  minCapabilityBits: number,
  maxCapabilities: number,
): { ad: number; capabilities: number[] } | undefined {
  const bits: number[] = []
  for (let bit = work.toString(2).length - 1; bit >= 0; bit--) if ((work >> BigInt(bit)) & 1n) bits.push(bit)
  const [ad, ...rest] = bits
  if (ad === undefined || ad < minAdBits) return undefined
  return { ad, capabilities: rest.filter((b) => b >= minCapabilityBits).slice(0, maxCapabilities) }
}

/** Mines an identity of (at most) `work`: see {@link splitIntoClaims}. Undefined when under the ad minimum. */
export function mineIdentity(
  seed: string,
  label: string,
  index: number,
  work: bigint,
  min: { oracle: number; capability: number },
  maxCapabilities: number,
): IdentityMessages | undefined {
  const claims = splitIntoClaims(work, min.oracle, min.capability, maxCapabilities)
  if (!claims) return undefined
  const oracle = simKey('ed25519', seed, label, index)
  const ad = mineOracleAd(oracle, claims.ad, label)
  const capabilities = claims.capabilities.map((bits, c) =>
    mineCapability(oracle, simKey('bip340', seed, `${label}/${index}/capability`, c), bits, label),
  )
  const total = [claims.ad, ...claims.capabilities].reduce((sum, b) => sum + (1n << BigInt(b)), 0n)
  return { key: oracle.publicKey, ad, capabilities, work: total }
}
