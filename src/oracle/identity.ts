/**
 * The oracle's identity: creating the keystore (`mega oracle init`), mining the identity PoW
 * (`mega oracle mine`, resumable, upgradable) and re-signing the ad with a higher `seqNo`.
 * Identity work is bound to the public key alone, so re-signing never loses it.
 */
import { mkdir, stat } from 'node:fs/promises'
import { encryptKeystore, type RootKey, writeKeystore } from '../keys/index.ts'
import { type MiningProgress, mine } from '../miner/index.ts'
import {
  type Draft,
  ErrorCode,
  generateSecretKey,
  isProtocolError,
  nonceFromHex,
  type OracleId,
  powBoundOf,
  publicKeyOf,
  type Scheme,
  sign,
} from '../protocol/index.ts'
import { OracleError, OracleErrorCode } from './errors.ts'
import { loadState, minedAd, newState, nextSeqNo, type OracleState, oracleFiles, saveState } from './state.ts'

export interface InitOptions {
  dir: string
  passphrase: string
  /** @default 'ed25519' */
  scheme?: Scheme
  /** Restore: the root secret (hex) from a backup instead of a new random one. */
  secretKey?: string
  /** scrypt cost (log2 N); lower only in tests. */
  logN?: number
}

/** Creates the oracle directory, its encrypted keystore and an empty state. Never overwrites. */
export async function initOracle(options: InitOptions): Promise<RootKey> {
  const scheme = options.scheme ?? 'ed25519'
  const files = oracleFiles(options.dir)
  await mkdir(options.dir, { recursive: true, mode: 0o700 })
  if (await exists(files.state)) {
    throw new OracleError(OracleErrorCode.KEYSTORE_EXISTS, `${options.dir} already holds an oracle`)
  }
  const secretKey = options.secretKey ?? generateSecretKey(scheme)
  const key: RootKey = { scheme, secretKey, publicKey: publicKeyOf(scheme, secretKey) }
  await writeKeystore(files.keystore, await encryptKeystore(key, options.passphrase, options.logN))
  await saveState(options.dir, newState({ scheme, pubkey: key.publicKey }))
  return key
}

export interface MineIdentityOptions {
  dir: string
  root: RootKey
  bits: number
  threads?: number
  signal?: AbortSignal
  onProgress?: (progress: MiningProgress) => void
  /** Replace the ad's tags / manifest URI while re-signing. */
  tags?: string[]
  manifestUri?: string
}

/**
 * Mines (or upgrades) the identity PoW to `bits` and signs a new ad with it. An interrupted run
 * saves its checkpoint, and the next run for the same bits resumes there.
 */
export async function mineIdentity(options: MineIdentityOptions): Promise<OracleId> {
  const state = await loadState(options.dir)
  checkRoot(state, options.root)
  if (options.tags) state.tags = options.tags
  if (options.manifestUri !== undefined) state.manifestUri = options.manifestUri
  const draft = adDraft(state)
  const resume = state.mining?.bits === options.bits ? nonceFromHex(state.mining.checkpoint) : undefined
  try {
    const held = state.ad && state.ad.pow.bits >= options.bits ? state.ad.pow : undefined
    const pow =
      held ??
      (await mine({
        bound: powBoundOf(draft as OracleId),
        bits: options.bits,
        ...(state.ad && { from: state.ad.pow }),
        ...(resume !== undefined && { resumeFrom: resume }),
        ...(options.signal && { signal: options.signal }),
        ...(options.threads !== undefined && { threads: options.threads }),
        ...(options.onProgress && { onProgress: options.onProgress }),
      }))
    state.ad = sign<OracleId>({ ...draft, pow }, options.root.secretKey)
    delete state.mining
    await saveState(options.dir, state)
    return state.ad
  } catch (error) {
    if (isProtocolError(error, ErrorCode.MINING_CANCELLED)) {
      state.mining = { bits: options.bits, checkpoint: String(error.details.checkpoint) }
      await saveState(options.dir, state)
    }
    throw error
  }
}

/** Signs the ad again with a higher `seqNo` (same PoW): an update nodes accept and gossip. */
export function resignAd(state: OracleState, root: RootKey): OracleId {
  const { pow } = minedAd(state)
  checkRoot(state, root)
  state.ad = sign<OracleId>({ ...adDraft(state), pow }, root.secretKey)
  return state.ad
}

/** Throws `WRONG_PASSPHRASE`-like `STATE_INVALID` when the unlocked key is not this directory's oracle. */
export function checkRoot(state: OracleState, root: RootKey): void {
  if (root.publicKey !== state.oracle.pubkey || root.scheme !== state.oracle.scheme) {
    throw new OracleError(
      OracleErrorCode.STATE_INVALID,
      'the keystore’s key is not the oracle of this state file',
    )
  }
}

function adDraft(state: OracleState): Draft<OracleId> {
  return {
    kind: 'oracle',
    scheme: state.oracle.scheme,
    pubkey: state.oracle.pubkey,
    seqNo: nextSeqNo(state.ad?.seqNo),
    tags: state.tags,
    ...(state.manifestUri !== undefined && { manifestUri: state.manifestUri }),
  }
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  )
}
