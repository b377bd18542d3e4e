/**
 * Capability management (`mega oracle capability add|list|off|on|drop`). Each capability has a
 * label; its key is derived from the root secret and the label, so nothing secret is stored.
 *
 * Capability ads cannot be edited in place: the PoW is bound to the question, params, answers,
 * endpoint and tags. To *update* one, switch the old one off and add a new one under a new label
 * (nodes then show the new ad and the old one as off); `drop` forgets a switched-off capability.
 */

import type { RootKey } from '../keys/index.ts'
import { type MiningProgress, mine } from '../miner/index.ts'
import {
  type AttestationType,
  type CapabilityDraft,
  checkMessageRules,
  deriveCapabilitySecret,
  type OracleCapability,
  type Param,
  powBoundOf,
  proveCapabilityKey,
  publicKeyOf,
  type Scheme,
  sign,
  validateMessage,
} from '../protocol/index.ts'
import type { ServedCapability } from './endpoint.ts'
import { OracleError, OracleErrorCode } from './errors.ts'
import { checkRoot } from './identity.ts'
import { type FactSourceConfig, factSource } from './sources.ts'
import {
  type CapabilityRecord,
  findCapability,
  loadState,
  nextSeqNo,
  type OracleState,
  saveState,
} from './state.ts'

/** What an operator says about a new capability. */
export interface CapabilitySpec {
  label: string
  question: string
  params: Param[]
  answers: string[]
  endpoint: string
  tags: string[]
  /** @default 'schnorr' */
  attestation?: AttestationType
  /** Numeric capabilities (`schnorr-digits`): base-2 digits of the answer, 1 to 32. */
  digits?: number
  /** Numeric capabilities: what one unit of the answer is. */
  unit?: string
  /** Scheme of the capability key. @default 'bip340' (DLC-ready) */
  scheme?: Scheme
  source?: FactSourceConfig
}

export interface AddCapabilityOptions {
  dir: string
  root: RootKey
  spec: CapabilitySpec
  bits: number
  threads?: number
  signal?: AbortSignal
  onProgress?: (progress: MiningProgress) => void
}

/**
 * Derives the capability key, builds, mines and signs the ad, and records it. Throws
 * `CAPABILITY_EXISTS` for a label in use, `SCHEMA_VIOLATION` (protocol) for a malformed ad.
 */
export async function addCapability(options: AddCapabilityOptions): Promise<CapabilityRecord> {
  const { spec, root } = options
  const state = await loadState(options.dir)
  checkRoot(state, root)
  if (state.capabilities.some((record) => record.label === spec.label)) {
    throw new OracleError(OracleErrorCode.CAPABILITY_EXISTS, `a capability labelled ${spec.label} exists`)
  }
  const scheme = spec.scheme ?? 'bip340'
  const attestation = spec.attestation ?? 'schnorr'
  if (attestation.startsWith('schnorr') && scheme !== 'bip340') {
    throw new OracleError(OracleErrorCode.SOURCE_CONFIG, 'schnorr attestation needs a bip340 capability key')
  }
  if (spec.source) factSource(spec.source) // validates the configuration now, not at the first request
  const secret = deriveCapabilitySecret(root.secretKey, spec.label, scheme)
  const unproven: CapabilityDraft = {
    kind: 'capability',
    oracle: root.publicKey,
    oracleScheme: root.scheme,
    capabilityKey: publicKeyOf(scheme, secret),
    capabilityScheme: scheme,
    attestation,
    question: spec.question,
    params: spec.params,
    answers: spec.answers,
    ...(spec.digits !== undefined && { digits: spec.digits }),
    ...(spec.unit !== undefined && { unit: spec.unit }),
    endpoint: spec.endpoint,
    tags: spec.tags,
    off: false,
    seqNo: nextSeqNo(undefined),
  }
  // The capability key proves it serves this oracle; switching off and on keeps the proof.
  const draft = proveCapabilityKey(unproven, secret)
  const checked = validateMessage(
    { ...draft, signature: '0'.repeat(128), pow: { bits: 0, nonce: '0'.repeat(16), hash: '0'.repeat(64) } },
    'capability',
  )
  if (!checked.ok) throw checked.error
  const shaped = checkMessageRules(checked.value)
  if (!shaped.ok) throw shaped.error
  if (state.capabilities.some((record) => record.ad.capabilityKey === draft.capabilityKey)) {
    throw new OracleError(OracleErrorCode.CAPABILITY_EXISTS, 'a capability with this key exists')
  }
  const pow = await mine({
    bound: powBoundOf(draft as OracleCapability),
    bits: options.bits,
    ...(options.signal && { signal: options.signal }),
    ...(options.threads !== undefined && { threads: options.threads }),
    ...(options.onProgress && { onProgress: options.onProgress }),
  })
  const record: CapabilityRecord = {
    label: spec.label,
    ad: sign<OracleCapability>({ ...draft, pow }, root.secretKey),
    ...(spec.source && { source: spec.source }),
  }
  state.capabilities.push(record)
  await saveState(options.dir, state)
  return record
}

/** Switches a capability off or on: the same ad and PoW, re-signed with a higher `seqNo`. */
export async function switchCapability(dir: string, root: RootKey, labelOrKey: string, off: boolean) {
  const state = await loadState(dir)
  checkRoot(state, root)
  const record = findCapability(state, labelOrKey)
  const { signature: _signature, ...ad } = record.ad
  record.ad = sign<OracleCapability>({ ...ad, off, seqNo: nextSeqNo(ad.seqNo) }, root.secretKey)
  await saveState(dir, state)
  return record
}

/** Forgets a capability. Refuses one still on (nodes would keep advertising it) unless `force`. */
export async function dropCapability(dir: string, labelOrKey: string, force = false) {
  const state = await loadState(dir)
  const record = findCapability(state, labelOrKey)
  if (!record.ad.off && !force) {
    throw new OracleError(
      OracleErrorCode.CAPABILITY_EXISTS,
      `${record.label} is on: switch it off and advertise that first (or use --force)`,
    )
  }
  state.capabilities = state.capabilities.filter((candidate) => candidate !== record)
  await saveState(dir, state)
  return record
}

/** The capabilities to serve, with their derived secret keys and fact sources. */
export function servedCapabilities(state: OracleState, root: RootKey): ServedCapability[] {
  checkRoot(state, root)
  return state.capabilities.map((record) => ({
    ad: record.ad,
    secretKey: deriveCapabilitySecret(root.secretKey, record.label, record.ad.capabilityScheme),
    ...(record.source && { source: factSource(record.source) }),
  }))
}
