/**
 * What the oracle looks like, locally and on nodes (`mega oracle status`): no key needed, the
 * state file is public and nodes are read through their REST API.
 */
import { NodeClient } from '../client/index.ts'
import { loadState } from './state.ts'

/** One node's view of the oracle. */
export interface NodeView {
  node: string
  /** `held`, `absent` (not held: never posted, or evicted), or `unreachable`. */
  status: 'held' | 'absent' | 'unreachable'
  seqNo?: number
  identityBits?: number
  strengthBits?: number
  scoreBits?: number
  capabilities?: { key: string; off: boolean; bits: number }[]
  /** Reports that count against the oracle, and `fact-missing` ones not yet disputed. */
  reports?: { counting: number; openFactMissing: number; total: number }
}

export interface OracleStatus {
  oracle: { scheme: string; pubkey: string }
  ad?: { seqNo: number; bits: number; tags: string[]; manifestUri?: string }
  capabilities: {
    label: string
    key: string
    off: boolean
    bits: number
    attestation: string
    source?: string
  }[]
  nodes: NodeView[]
}

/** Reads the oracle directory and asks each node what it holds. */
export async function oracleStatus(dir: string, nodes: readonly string[] = []): Promise<OracleStatus> {
  const state = await loadState(dir)
  return {
    oracle: state.oracle,
    ...(state.ad && {
      ad: {
        seqNo: state.ad.seqNo,
        bits: state.ad.pow.bits,
        tags: state.ad.tags,
        ...(state.ad.manifestUri !== undefined && { manifestUri: state.ad.manifestUri }),
      },
    }),
    capabilities: state.capabilities.map(({ label, ad, source }) => ({
      label,
      key: ad.capabilityKey,
      off: ad.off,
      bits: ad.pow.bits,
      attestation: ad.attestation,
      ...(source && { source: source.type }),
    })),
    nodes: await Promise.all(nodes.map((url) => nodeView(url, state.oracle.pubkey))),
  }
}

interface OracleDetailBody {
  seqNo: number
  identity: { bits: number }
  strength: { bits: number }
  score: { bits: number }
  capabilities: { key: string; message: { off: boolean; pow: { bits: number } } }[]
  reports: { type: string; counts: boolean; disputed: boolean }[]
}

async function nodeView(url: string, key: string): Promise<NodeView> {
  let response: Awaited<ReturnType<NodeClient['get']>>
  try {
    response = await new NodeClient({ url }).get(`oracles/${key}`)
  } catch {
    return { node: url, status: 'unreachable' }
  }
  if (response.status !== 200) return { node: url, status: 'absent' }
  const body = response.body as OracleDetailBody
  return {
    node: url,
    status: 'held',
    seqNo: body.seqNo,
    identityBits: body.identity.bits,
    strengthBits: body.strength.bits,
    scoreBits: body.score.bits,
    capabilities: body.capabilities.map((view) => ({
      key: view.key,
      off: view.message.off,
      bits: view.message.pow.bits,
    })),
    reports: {
      counting: body.reports.filter((report) => report.counts).length,
      openFactMissing: body.reports.filter((report) => report.type === 'fact-missing' && !report.disputed)
        .length,
      total: body.reports.length,
    },
  }
}
