/**
 * Rows of the store, to and from mempool records. Decoding trusts nothing: a row that does
 * not parse, breaks the message schema, disagrees with its own columns or (optionally) fails
 * its PoW is reported as corrupt, never thrown, so one bad row cannot keep a node down.
 */
import type { Entry, EntryRecord } from '../mempool/index.ts'
import {
  ENTRY_KINDS,
  KIND_SPECS,
  type Message,
  validateMessage,
  verifyMessagePow,
} from '../protocol/index.ts'

/** A row of `entries` as SQLite returns it. */
export interface EntryRow {
  kind: unknown
  key: unknown
  id: unknown
  record: unknown
}

/** A row that was dropped on load, and why. */
export interface CorruptRow {
  table: 'entries' | 'floors'
  /** `kind:key` for entries, the floor name for floors. */
  name: string
  reason: string
}

const KINDS: readonly string[] = ENTRY_KINDS
const HEX_ID = /^[0-9a-f]{64}$/
const DECIMAL = /^\d+$/

/**
 * The pool an entry hangs on (its kind's `parent`): its oracle (capabilities, reports) or
 * capability (offers).
 */
export function parentOf(entry: Entry): string | null {
  const parent = KIND_SPECS[entry.kind].parent
  return parent === undefined ? null : ((entry as unknown as Record<string, string>)[parent] ?? null)
}

/** Decodes and checks one row; returns the record or the reason it is corrupt. */
export function decodeEntryRow(
  row: EntryRow,
  checkPow: boolean,
): { ok: true; record: EntryRecord } | { ok: false; reason: string } {
  let record: EntryRecord
  try {
    record = JSON.parse(String(row.record))
  } catch {
    return { ok: false, reason: 'record is not JSON' }
  }
  if (typeof record !== 'object' || record === null) return { ok: false, reason: 'record is not an object' }
  if (!KINDS.includes(String(row.kind)) || record.kind !== row.kind)
    return { ok: false, reason: 'kind is not a pool kind or disagrees with its column' }
  if (record.key !== row.key || record.id !== row.id || !HEX_ID.test(String(record.id)))
    return { ok: false, reason: 'key or id disagrees with its column' }
  if (!Number.isSafeInteger(record.bytes) || record.bytes <= 0) return { ok: false, reason: 'bad bytes' }
  if (!Number.isInteger(record.bits) || record.bits < 0 || record.bits > 256)
    return { ok: false, reason: 'bad bits' }
  if (!Number.isFinite(record.receivedAt)) return { ok: false, reason: 'bad receivedAt' }
  const valid = validateMessage(record.message)
  if (!valid.ok) return { ok: false, reason: `message: ${valid.error.code} ${valid.error.message}` }
  if (valid.value.kind !== record.kind) return { ok: false, reason: 'message kind disagrees with the record' }
  const extra = checkExtras(record)
  if (extra) return { ok: false, reason: extra }
  if (keyOf(valid.value, record.id) !== record.key)
    return { ok: false, reason: 'key does not match the message' }
  if (checkPow) {
    const pow = verifyMessagePow(valid.value)
    if (!pow.ok) return { ok: false, reason: `pow: ${pow.error.code}` }
    if (pow.value.bits !== record.bits) return { ok: false, reason: 'bits disagree with the PoW' }
  }
  return { ok: true, record }
}

function checkExtras(record: EntryRecord): string | undefined {
  if (record.kind === 'oracle' && record.bid !== undefined && !DECIMAL.test(String(record.bid)))
    return 'bad bid'
  if (record.kind !== 'report') return undefined
  if (record.verdict !== 'verified' && record.verdict !== 'subjective') return 'bad verdict'
  if (typeof record.counts !== 'boolean') return 'bad counts'
  if (record.dispute !== undefined && !validateMessage(record.dispute, 'dispute').ok) return 'bad dispute'
  return undefined
}

/** The key a message is stored under (its kind's `entryKey`): reports by their id. */
function keyOf(message: Message, id: string): string | undefined {
  return KIND_SPECS[message.kind].entryKey?.(message, id)
}
