/**
 * The message kinds of the protocol and their schemas: one schema per kind, from which the
 * TypeScript types, validation and the OpenAPI document all come.
 */
import type { TSchema } from 'typebox'
import { OracleCapability } from './capability.ts'
import { Dispute } from './dispute.ts'
import { Commitment, Fact } from './fact.ts'
import { OracleManifest } from './manifest.ts'
import { Offer } from './offer.ts'
import { OracleId } from './oracle-id.ts'
import { Report } from './report.ts'

export * from './capability.ts'
export * from './common.ts'
export * from './dispute.ts'
export * from './fact.ts'
export * from './limits.ts'
export * from './manifest.ts'
export * from './offer.ts'
export * from './oracle-id.ts'
export * from './report.ts'

/** Schema of each message kind, by the value of its `kind` field. */
export const MESSAGE_SCHEMAS = {
  oracle: OracleId,
  capability: OracleCapability,
  report: Report,
  dispute: Dispute,
  offer: Offer,
  commitment: Commitment,
  fact: Fact,
  manifest: OracleManifest,
} as const satisfies Record<string, TSchema>

/** The `kind` of a message. */
export type MessageKind = keyof typeof MESSAGE_SCHEMAS

/** All message kinds. */
export const MESSAGE_KINDS = Object.keys(MESSAGE_SCHEMAS) as MessageKind[]

/** Kinds that nodes keep in their mempools and gossip. */
export const POOL_KINDS = ['oracle', 'capability', 'report', 'dispute', 'offer'] as const
export type PoolKind = (typeof POOL_KINDS)[number]

/** Maps a kind to its message type. */
export interface MessageByKind {
  oracle: OracleId
  capability: OracleCapability
  report: Report
  dispute: Dispute
  offer: Offer
  commitment: Commitment
  fact: Fact
  manifest: OracleManifest
}

/** Any protocol message. */
export type Message = MessageByKind[MessageKind]

/** Returns true when `kind` names a message kind. */
export function isMessageKind(kind: unknown): kind is MessageKind {
  return typeof kind === 'string' && Object.hasOwn(MESSAGE_SCHEMAS, kind)
}
