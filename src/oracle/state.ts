/**
 * The oracle's working directory: `keystore.json` (the encrypted root key), `oracle.json`
 * (public state: the signed and mined ad, the capability ads with their labels and fact
 * sources, and a mining checkpoint) and `answers.jsonl` (the answer journal, answer-journal.ts). `oracle.json` holds no secret: every key is re-derived
 * from the root secret when the keystore is unlocked.
 */
import { open, readFile, rename } from 'node:fs/promises'
import { join } from 'node:path'
import {
  CAPABILITY_LABEL_PATTERN,
  type OracleCapability,
  type OracleId,
  validateMessage,
} from '../protocol/index.ts'
import { OracleError, OracleErrorCode } from './errors.ts'
import type { FactSourceConfig } from './sources.ts'

/** Default working directory, relative to the current one. */
export const DEFAULT_ORACLE_DIR = 'oracle'
/** Environment variable naming the working directory. */
export const ORACLE_DIR_ENV = 'MEGA_ORACLE_DIR'

/** One capability the oracle manages: its label (key derivation input), ad and fact source. */
export interface CapabilityRecord {
  label: string
  ad: OracleCapability
  source?: FactSourceConfig
}

export interface OracleState {
  kind: 'mega-oracle-state'
  version: 1
  /** The oracle's public key and scheme (the keystore's). */
  oracle: { scheme: OracleId['scheme']; pubkey: string }
  /** The current signed ad, once mined. */
  ad?: OracleId
  tags: string[]
  manifestUri?: string
  /** Where an interrupted identity mining run stopped: resume from `checkpoint` (nonce, 16 hex digits). */
  mining?: { bits: number; checkpoint: string }
  capabilities: CapabilityRecord[]
}

/** The paths of an oracle directory. */
export function oracleFiles(dir: string) {
  return {
    dir,
    keystore: join(dir, 'keystore.json'),
    state: join(dir, 'oracle.json'),
    journal: join(dir, 'answers.jsonl'),
  }
}

/** A fresh state for a new oracle key. */
export function newState(oracle: OracleState['oracle']): OracleState {
  return { kind: 'mega-oracle-state', version: 1, oracle, tags: [], capabilities: [] }
}

/** Reads and checks `oracle.json`. Throws `STATE_INVALID` naming what is wrong. */
export async function loadState(dir: string): Promise<OracleState> {
  const path = oracleFiles(dir).state
  let state: OracleState
  try {
    state = JSON.parse(await readFile(path, 'utf8'))
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    throw invalid(
      code === 'ENOENT'
        ? `no oracle in ${dir}: run \`mega oracle init --dir ${dir}\``
        : `${path} is not JSON`,
    )
  }
  if (state?.kind !== 'mega-oracle-state' || state.version !== 1 || !Array.isArray(state.capabilities)) {
    throw invalid(`${path} is not an oracle state file (version 1)`)
  }
  if (state.ad) {
    const ad = validateMessage(state.ad, 'oracle')
    if (!ad.ok || state.ad.pubkey !== state.oracle.pubkey)
      throw invalid(`${path}: the ad is not this oracle's`)
  }
  const labels = new Set<string>()
  for (const record of state.capabilities) {
    const ad = validateMessage(record.ad, 'capability')
    if (!ad.ok) throw invalid(`${path}: capability ${record.label}: ${ad.error.message}`)
    if (!CAPABILITY_LABEL_PATTERN.test(record.label) || labels.has(record.label)) {
      throw invalid(`${path}: bad or repeated capability label ${JSON.stringify(record.label)}`)
    }
    labels.add(record.label)
  }
  return state
}

/** Writes `oracle.json` atomically (temporary file + rename), mode 0600. */
export async function saveState(dir: string, state: OracleState): Promise<void> {
  const path = oracleFiles(dir).state
  const temporary = `${path}.${process.pid}.tmp`
  const handle = await open(temporary, 'w', 0o600)
  try {
    await handle.writeFile(`${JSON.stringify(state, null, 2)}\n`)
    await handle.sync()
  } finally {
    await handle.close()
  }
  await rename(temporary, path)
}

/** The record of the capability with `label` or capability key `key`; throws `UNKNOWN_CAPABILITY`. */
export function findCapability(state: OracleState, labelOrKey: string): CapabilityRecord {
  const record = state.capabilities.find(
    (candidate) => candidate.label === labelOrKey || candidate.ad.capabilityKey === labelOrKey,
  )
  if (!record) {
    const known = state.capabilities.map((candidate) => candidate.label).join(', ') || 'none'
    throw new OracleError(OracleErrorCode.UNKNOWN_CAPABILITY, `no capability ${labelOrKey} (known: ${known})`)
  }
  return record
}

/** The mined ad; throws `NOT_MINED` before `mega oracle mine`. */
export function minedAd(state: OracleState): OracleId {
  if (!state.ad)
    throw new OracleError(
      OracleErrorCode.NOT_MINED,
      'the oracle ad is not mined yet: run `mega oracle mine --bits N`',
    )
  return state.ad
}

/**
 * The next `seqNo`: above the last one and at least the current Unix time, so an oracle
 * restored from an old backup still outranks the ads it published since.
 */
export function nextSeqNo(previous: number | undefined, nowSeconds = Math.floor(Date.now() / 1000)): number {
  return Math.max((previous ?? 0) + 1, nowSeconds)
}

function invalid(message: string): OracleError {
  return new OracleError(OracleErrorCode.STATE_INVALID, message)
}
