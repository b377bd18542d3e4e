/**
 * The message kinds, each described once: its schema, what it hangs on, who signs it, what its
 * work is bound to, where it goes in sync order, its size limit and how people and the HTTP API
 * name it. Validation, the store, sync and the CLI read these specs instead of naming kinds.
 * The schemas stay in messages/*.ts; a report's schema widens with the report kinds registered
 * (report-kinds.ts). Pure.
 */
import type { TSchema } from 'typebox'
import { offerKey } from './message.ts'
import {
  LIMITS,
  MESSAGE_SCHEMAS,
  type Message,
  type MessageKind,
  POOL_KINDS,
  type PoolKind,
} from './messages/index.ts'

/** One message kind. */
export interface KindSpec<K extends MessageKind = MessageKind> {
  readonly kind: K
  /** The schema a message of this kind must match (a report's content: any registered report kind). */
  readonly schema: TSchema
  /** Kept in mempools, gossiped and synced (the pool kinds), or exchanged with oracles only. */
  readonly pool: boolean
  /**
   * The kind whose entry this one hangs on in a mempool (a capability on its oracle…), if any.
   * A mempool entry names its parent's key in the field of that kind's name (`entry.oracle`,
   * `entry.capability`), which is how the store finds it.
   */
  readonly parent?: PoolKind
  /** Its row of the kinds table of docs/protocol.md §3 (`npm run docs:kinds`). */
  readonly docs: {
    /** Who signs it (`signerOf`). */
    signer: string
    /** The object whose canonical bytes are signed. */
    signed: string
    /** The object its proof of work is bound to (`powBoundBody`), or "no PoW". */
    workBinding: string
    /** The key of the entity it is (`entityKey`). */
    entityKey: string
  }
  /**
   * Rank in sync (and admission) order, pool kinds only: parents before what hangs on them, so
   * a fetch admits an oracle before its capabilities and reports (src/sync/keys.ts).
   */
  readonly syncRank?: number
  /** Bytes of one message as sent (UTF-8 JSON). */
  readonly maxBytes: number
  /** What people call it. */
  readonly label: string
  /** The summary of its `POST /<kind>` route (pool kinds). */
  readonly httpSummary?: string
  /**
   * The key a mempool entry of this kind is stored under (pool kinds held as entries; a
   * dispute is kept on its report's entry and has none).
   */
  entryKey?(message: Message, id: string): string
}

/** Every message kind, the pool kinds first in sync order. */
export const KIND_SPECS: { readonly [K in MessageKind]: KindSpec<K> } = {
  oracle: {
    kind: 'oracle',
    schema: MESSAGE_SCHEMAS.oracle,
    pool: true,
    docs: {
      signer: '`pubkey` with `scheme`',
      signed: '`withoutProofs(m)`',
      workBinding: '`{kind:"oracle", scheme, pubkey}`',
      entityKey: '`pubkey`',
    },
    syncRank: 0,
    maxBytes: LIMITS.messageBytes,
    label: 'oracle ad',
    httpSummary: 'Submit an oracle ad (OracleId)',
    entryKey: (message) => (message as Extract<Message, { kind: 'oracle' }>).pubkey,
  },
  capability: {
    kind: 'capability',
    schema: MESSAGE_SCHEMAS.capability,
    pool: true,
    parent: 'oracle',
    docs: {
      signer: '`oracle` with `oracleScheme` (and `keyProof` by `capabilityKey`, below)',
      signed: '`withoutProofs(m)` (includes `keyProof`)',
      workBinding: '`withoutProofs(m)` minus `seqNo` and `off` (includes `keyProof`)',
      entityKey: '`capabilityKey`',
    },
    syncRank: 1,
    maxBytes: LIMITS.messageBytes,
    label: 'capability ad',
    httpSummary: 'Submit a capability ad',
    entryKey: (message) => (message as Extract<Message, { kind: 'capability' }>).capabilityKey,
  },
  report: {
    kind: 'report',
    schema: MESSAGE_SCHEMAS.report,
    pool: true,
    parent: 'oracle',
    docs: {
      signer: '`reporter.pubkey` with `reporter.scheme`; none when `reporter` is absent',
      signed: '`withoutProofs(m)`',
      workBinding: '`withoutProofs(m)` (includes `oracle`, `content`, `reporter`)',
      entityKey: 'id',
    },
    syncRank: 2,
    maxBytes: LIMITS.messageBytes,
    label: 'report',
    httpSummary: 'Submit a report against an oracle',
    entryKey: (_message, id) => id,
  },
  dispute: {
    kind: 'dispute',
    schema: MESSAGE_SCHEMAS.dispute,
    pool: true,
    parent: 'report',
    docs: {
      signer: 'none',
      signed: '—',
      workBinding: 'no PoW',
      entityKey: "`report` (the disputed report's id)",
    },
    syncRank: 3,
    maxBytes: LIMITS.messageBytes,
    label: 'dispute',
    httpSummary: 'Answer a fact-missing report with the signed fact',
  },
  offer: {
    kind: 'offer',
    schema: MESSAGE_SCHEMAS.offer,
    pool: true,
    parent: 'capability',
    docs: {
      signer: '`terms.originator` with `terms.scheme`',
      signed: '`{kind:"offer", terms}`',
      workBinding: '`{kind:"offer", terms}`',
      entityKey: 'offer key',
    },
    syncRank: 4,
    maxBytes: LIMITS.messageBytes,
    label: 'offer',
    httpSummary: 'Submit an offer, or its acceptance or finalization',
    entryKey: (message) => offerKey(message as Extract<Message, { kind: 'offer' }>),
  },
  commitment: {
    kind: 'commitment',
    schema: MESSAGE_SCHEMAS.commitment,
    pool: false,
    docs: {
      signer: '`request.capability` with `scheme`',
      signed: '`withoutProofs(m)`',
      workBinding: 'no PoW',
      entityKey: 'id',
    },
    maxBytes: LIMITS.messageBytes,
    label: 'commitment',
  },
  fact: {
    kind: 'fact',
    schema: MESSAGE_SCHEMAS.fact,
    pool: false,
    docs: {
      signer: '`request.capability` with `scheme`',
      signed: '`withoutProofs(m)`',
      workBinding: 'no PoW',
      entityKey: 'id',
    },
    maxBytes: LIMITS.messageBytes,
    label: 'fact',
  },
  manifest: {
    kind: 'manifest',
    schema: MESSAGE_SCHEMAS.manifest,
    pool: false,
    docs: {
      signer: '`oracle.pubkey` with `oracle.scheme`',
      signed: '`withoutProofs(m)` (embeds the full ad and capabilities)',
      workBinding: 'no PoW',
      entityKey: 'id',
    },
    maxBytes: LIMITS.manifestBytes,
    label: 'manifest',
  },
}

/** The pool kinds in sync order (by {@link KindSpec.syncRank}). */
export const POOL_KINDS_IN_SYNC_ORDER: readonly PoolKind[] = [...POOL_KINDS].sort(
  (a, b) => (KIND_SPECS[a].syncRank ?? 0) - (KIND_SPECS[b].syncRank ?? 0),
)

/** Pool kinds a mempool holds as entries of their own (a dispute rides on its report's entry). */
export const ENTRY_KINDS: readonly PoolKind[] = POOL_KINDS.filter((kind) => KIND_SPECS[kind].entryKey)
