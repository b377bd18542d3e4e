/**
 * What a trader store is, apart from where it keeps its rows: every message checked before it
 * is kept (schema, rules, signatures, work), the same content with more work replacing the held
 * copy, a message once own staying own, and the latest version of each entity. `TraderStore`
 * (SQLite, the CLI) and {@link MemoryStore} (the browser trader, which saves its own messages
 * in IndexedDB) follow these rules, so collection, ranking and detection run on either.
 */
import {
  entityKey,
  isMessageKind,
  type Message,
  type MessageByKind,
  type MessageKind,
  messageId,
} from '../protocol/index.ts'
import { checkMessage } from './check.ts'
import { TraderError, TraderErrorCode } from './errors.ts'

/** Kinds the store keeps. */
export const STORED_KINDS = [
  'oracle',
  'capability',
  'report',
  'dispute',
  'offer',
  'commitment',
  'fact',
  'manifest',
] as const satisfies readonly MessageKind[]
export type StoredKind = (typeof STORED_KINDS)[number]

/** Where a stored message came from and whether it is the trader's own. */
export interface StoredMeta {
  /** The trader made it, or asked for it (own commitments, facts, reports, offers). */
  own?: boolean
  /** A node URL, an endpoint URL, `self` or `import`. */
  origin: string
}

/** A stored message with its bookkeeping. */
export interface Stored<M extends Message = Message> {
  id: string
  message: M
  own: boolean
  origin: string
  addedAt: number
}

/** What a store's `put` did. */
export interface PutResult {
  id: string
  /** `added`: new; `updated`: more work or now own; `kept`: already held as is. */
  status: 'added' | 'updated' | 'kept'
}

/** Filters of {@link MessageStore.list}. */
export interface ListFilter {
  oracle?: string
  capability?: string
  entity?: string
  own?: boolean
}

/** The store the trader's rules read and write. */
export interface MessageStore {
  put(message: unknown, meta: StoredMeta): PutResult
  get(id: string): Stored | undefined
  list<K extends StoredKind>(kind: K, filter?: ListFilter): Stored<MessageByKind[K]>[]
  latest<K extends 'oracle' | 'capability' | 'offer'>(
    kind: K,
    filter?: { oracle?: string; capability?: string },
  ): Stored<MessageByKind[K]>[]
}

/** Checks `message` for the store: a kind it keeps, valid in every respect. Throws `MESSAGE_INVALID`. */
export function checkStorable(message: unknown, origin: string): Message {
  const kind = (message as { kind?: unknown } | null)?.kind
  if (!isMessageKind(kind) || !(STORED_KINDS as readonly string[]).includes(kind)) {
    throw new TraderError(TraderErrorCode.MESSAGE_INVALID, `${origin}: not a message the trader keeps`, {
      source: origin,
    })
  }
  return checkMessage(message, kind, origin)
}

/** The latest version of each entity among `stored` (highest `seqNo`, then most work). */
export function latestOf<M extends Message>(stored: readonly Stored<M>[]): Stored<M>[] {
  const best = new Map<string, { stored: Stored<M>; seq: number; bits: number }>()
  for (const item of stored) {
    const message = item.message as unknown as { seqNo: number; pow: { bits: number } }
    const entity = entityKey(item.message)
    const held = best.get(entity)
    if (!held || message.seqNo > held.seq || (message.seqNo === held.seq && message.pow.bits > held.bits)) {
      best.set(entity, { stored: item, seq: message.seqNo, bits: message.pow.bits })
    }
  }
  return [...best.values()].map((entry) => entry.stored)
}

/** The oracle a message is about, if any (an index of the store). */
export function oracleOf(message: Message): string | undefined {
  switch (message.kind) {
    case 'oracle':
      return message.pubkey
    case 'capability':
    case 'report':
      return message.oracle
    case 'manifest':
      return message.oracle.pubkey
    default:
      return undefined
  }
}

/** The capability a message is about, if any (an index of the store). */
export function capabilityOf(message: Message): string | undefined {
  switch (message.kind) {
    case 'capability':
      return message.capabilityKey
    case 'commitment':
    case 'fact':
      return message.request.capability
    case 'offer':
      return message.terms.question.capability
    default:
      return undefined
  }
}

/** A store in memory, in insertion order; `onKeep` hears of each message added or updated (to persist it). */
export class MemoryStore implements MessageStore {
  readonly #rows = new Map<string, Stored>()
  readonly #now: () => number
  readonly #onKeep: ((stored: Stored) => void) | undefined

  constructor(init: { now?: () => number; onKeep?: (stored: Stored) => void } = {}) {
    this.#now = init.now ?? (() => Math.floor(Date.now() / 1000))
    this.#onKeep = init.onKeep
  }

  put(message: unknown, meta: StoredMeta): PutResult {
    const checked = checkStorable(message, meta.origin)
    const id = messageId(checked)
    const held = this.#rows.get(id)
    const bits = (checked as { pow?: { bits: number } }).pow?.bits
    const own = meta.own === true
    let status: PutResult['status'] = 'added'
    if (!held) {
      this.#rows.set(id, { id, message: checked, own, origin: meta.origin, addedAt: this.#now() })
    } else {
      const heldBits = (held.message as { pow?: { bits: number } }).pow?.bits ?? -1
      const moreWork = bits !== undefined && heldBits < bits
      if (!moreWork && (held.own || !own)) return { id, status: 'kept' }
      this.#rows.set(id, { ...held, ...(moreWork && { message: checked }), own: held.own || own })
      status = 'updated'
    }
    this.#onKeep?.(this.#rows.get(id)!)
    return { id, status }
  }

  get(id: string): Stored | undefined {
    return this.#rows.get(id)
  }

  list<K extends StoredKind>(kind: K, filter: ListFilter = {}): Stored<MessageByKind[K]>[] {
    const found: Stored<MessageByKind[K]>[] = []
    for (const stored of this.#rows.values()) {
      const message = stored.message
      if (message.kind !== kind) continue
      if (filter.oracle !== undefined && oracleOf(message) !== filter.oracle) continue
      if (filter.capability !== undefined && capabilityOf(message) !== filter.capability) continue
      if (filter.entity !== undefined && entityKey(message) !== filter.entity) continue
      if (filter.own !== undefined && stored.own !== filter.own) continue
      found.push(stored as Stored<MessageByKind[K]>)
    }
    return found
  }

  latest<K extends 'oracle' | 'capability' | 'offer'>(
    kind: K,
    filter: { oracle?: string; capability?: string } = {},
  ): Stored<MessageByKind[K]>[] {
    return latestOf(this.list(kind, filter))
  }
}
