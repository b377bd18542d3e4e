/**
 * The initiating side of a sync session: learn what the peer holds and we lack (range-based
 * reconciliation, or the naive inventory), then fetch it in pages and admit it through the
 * node's submit, in key order, so parents come before what hangs on them.
 */

import { checkCanonicalBytes, reasonsOf, wireText } from '../protocol/index.ts'
import { SyncError, SyncErrorCode } from './errors.ts'
import { decodeFetchReply, encodeFetchRequest } from './fetch.ts'
import { encodeFrame, type FrameChannel, FrameType } from './frames.ts'
import {
  decodeInventoryPage,
  diffSorted,
  encodeInventoryRequest,
  type InventoryRequest,
} from './inventory.ts'
import { planFetch, type RefusedItems } from './plan.ts'
import { expectFrame, failSession } from './read.ts'
import { initiate, reconcile } from './reconcile.ts'
import { type SessionInit, type SessionOptions, sessionOptions } from './session-options.ts'
import { type SubmitOutcome, type SyncSource, submitEach } from './source.ts'
import type { SortedItems, SyncItem } from './storage.ts'

/** Admission reasons that mean "its parent is not here yet": worth one more try at the end. */
const ORPHAN_CODES = new Set(
  reasonsOf('mempool').flatMap((reason) => (reason.gossip === 'orphan' ? [reason.code] : [])),
)

/** What one session did. */
export interface SyncStats {
  method: SessionOptions['method']
  /** Reconcile round trips, or inventory pages. */
  rounds: number
  /** Fetch round trips. */
  fetches: number
  /** Items we hold that the peer lacks. */
  have: number
  /** Items the peer holds that we lack. */
  need: number
  /** Of those, the ones fetched (not held with more work, not refused recently). */
  wanted: number
  /** Messages received. */
  received: number
  /** Asked for, but the peer no longer held them. */
  missing: number
  /** Admission outcomes by status (added, updated, duplicate, low-pow, invalid, skipped). */
  outcomes: Record<string, number>
  /** Messages that were not the one asked for, or not JSON. */
  bad: number
  /** Messages admission found at fault (`SubmitOutcome.fault`): no honest peer holds them. */
  faults: number
  /** Stopped at `maxItems`: another session will fetch the rest. */
  truncated: boolean
  bytesSent: number
  bytesReceived: number
  reconcileMs: number
  fetchMs: number
  /** Of `fetchMs`: waiting for fetch replies (the transfer, as this side sees it). */
  waitMs: number
  /** Of `fetchMs`: waiting for `source.prepare` (signature threads) to finish a page. */
  prepareWaitMs: number
  /** Of `fetchMs`: parsing fetched messages (UTF-8, JSON, canonical form when not done already). */
  parseMs: number
  /** Of `fetchMs`: in `source.submitPage` (admission and persistence). */
  submitMs: number
  totalMs: number
}

export interface InitiatorContext {
  /** Items refused recently (shared across sessions); none when absent. */
  refused?: RefusedItems | undefined
  /** Clock for the refused set, ms. @default Date.now */
  now?: () => number
  signal?: AbortSignal | undefined
}

/**
 * Runs a session as the initiator on an open channel and closes it. Throws a {@link SyncError}
 * when the peer breaks the protocol or a limit (after telling it why).
 */
export async function initiateSync(
  channel: FrameChannel,
  source: SyncSource,
  init: SessionInit = {},
  context: InitiatorContext = {},
): Promise<SyncStats> {
  const options = sessionOptions(init)
  const now = context.now ?? Date.now
  const started = performance.now()
  const stats: SyncStats = {
    method: options.method,
    rounds: 0,
    fetches: 0,
    have: 0,
    need: 0,
    wanted: 0,
    received: 0,
    missing: 0,
    outcomes: {},
    bad: 0,
    faults: 0,
    truncated: false,
    bytesSent: 0,
    bytesReceived: 0,
    reconcileMs: 0,
    fetchMs: 0,
    waitMs: 0,
    prepareWaitMs: 0,
    parseMs: 0,
    submitMs: 0,
    totalMs: 0,
  }
  try {
    const items = source.snapshot()
    const need =
      options.method === 'range'
        ? await reconcileAll(channel, items, options, stats, context.signal)
        : await inventoryAll(channel, items, options, stats, context.signal)
    stats.reconcileMs = performance.now() - started
    if (!options.fetch) need.length = 0
    const wanted = planFetch(need, items, context.refused, now())
    stats.wanted = wanted.length
    const fetchStarted = performance.now()
    await fetchAll(channel, source, wanted, options, stats, context, now)
    stats.fetchMs = performance.now() - fetchStarted
    await channel.close()
  } catch (error) {
    await failSession(channel, error)
    throw error
  } finally {
    stats.bytesSent = channel.bytesWritten
    stats.bytesReceived = channel.bytesRead
    stats.totalMs = performance.now() - started
  }
  return stats
}

async function reconcileAll(
  channel: FrameChannel,
  items: SortedItems,
  options: SessionOptions,
  stats: SyncStats,
  signal: AbortSignal | undefined,
): Promise<SyncItem[]> {
  const need: SyncItem[] = []
  let message: Uint8Array | undefined = initiate(items, options.reconcile)
  while (message) {
    if (stats.rounds >= options.maxRounds) {
      throw new SyncError(
        SyncErrorCode.SESSION_LIMIT,
        `reconciliation still going after ${stats.rounds} rounds`,
      )
    }
    stats.rounds++
    await channel.write(encodeFrame(FrameType.RECONCILE, message), signal)
    const reply = await expectFrame(channel, FrameType.RECONCILE, options.readTimeoutMs, signal)
    const result = reconcile(items, reply, options.reconcile)
    stats.have += result.have.length
    stats.need += result.need.length
    for (const item of result.need) need.push(item)
    message = result.next
    if (need.length >= options.maxItems) {
      stats.truncated = message !== undefined
      need.length = options.maxItems
      break
    }
  }
  return need
}

async function inventoryAll(
  channel: FrameChannel,
  items: SortedItems,
  options: SessionOptions,
  stats: SyncStats,
  signal: AbortSignal | undefined,
): Promise<SyncItem[]> {
  const theirs: SyncItem[] = []
  let request: InventoryRequest = { limit: options.inventoryPageSize }
  for (;;) {
    if (stats.rounds >= options.maxRounds) {
      throw new SyncError(SyncErrorCode.SESSION_LIMIT, `inventory still going after ${stats.rounds} pages`)
    }
    stats.rounds++
    await channel.write(encodeFrame(FrameType.INVENTORY_REQUEST, encodeInventoryRequest(request)), signal)
    const reply = await expectFrame(channel, FrameType.INVENTORY_REPLY, options.readTimeoutMs, signal)
    const page = decodeInventoryPage(reply, request)
    for (const item of page.items) theirs.push(item)
    const last = page.items.at(-1)
    if (!page.more || !last) break
    request = { after: last, limit: options.inventoryPageSize }
  }
  const { have, need } = diffSorted(items, theirs)
  stats.have = have.length
  stats.need = need.length
  if (need.length > options.maxItems) {
    stats.truncated = true
    need.length = options.maxItems
  }
  return need
}

async function fetchAll(
  channel: FrameChannel,
  source: SyncSource,
  wanted: SyncItem[],
  options: SessionOptions,
  stats: SyncStats,
  context: InitiatorContext,
  now: () => number,
): Promise<void> {
  const { signal, refused } = context
  // Ids to ask for: what a cut-short reply left first, then `wanted` from `next` on.
  let retry: SyncItem[] = []
  let next = 0
  const nextPage = (): SyncItem[] => {
    const page = retry.splice(0, options.fetchPageSize)
    const from = next
    next = Math.min(wanted.length, next + options.fetchPageSize - page.length)
    for (let i = from; i < next; i++) page.push(wanted[i]!)
    return page
  }
  const pending = () => retry.length > 0 || next < wanted.length
  const inFlight: SyncItem[][] = []
  const orphans: { item: SyncItem; value: unknown }[] = []
  // A peer that keeps answering one id at a time cannot hold us longer than one request per id.
  const maxFetches = wanted.length + 1
  const record = (item: SyncItem, outcome: SubmitOutcome) => {
    stats.outcomes[outcome.status] = (stats.outcomes[outcome.status] ?? 0) + 1
    if (outcome.fault) stats.faults++
    if (outcome.id !== undefined && outcome.id !== item.id) stats.bad++
    if (outcome.status !== 'added' && outcome.status !== 'updated') refused?.add(item, now())
  }
  /**
   * Parses a received page once `source.prepare` is done with it (skipping the canonical check
   * for the messages it found canonical) and admits it, in one `submitPage`.
   */
  const admitPage = async (page: ReceivedPage) => {
    let started = performance.now()
    const canonical = await page.prepared
    stats.prepareWaitMs += performance.now() - started
    started = performance.now()
    const parsed: { item: SyncItem; value: unknown }[] = []
    page.messages.forEach((bytes, i) => {
      const item = page.items[i]!
      const fetched = parseFetched(bytes, canonical?.[i] === true)
      if (fetched) parsed.push({ item, value: fetched.value })
      else {
        stats.bad++
        refused?.add(item, now())
      }
    })
    stats.parseMs += performance.now() - started
    started = performance.now()
    const values = parsed.map(({ value }) => value)
    const outcomes = source.submitPage ? await source.submitPage(values) : await submitEach(source, values)
    stats.submitMs += performance.now() - started
    parsed.forEach(({ item, value }, i) => {
      const outcome = outcomes[i]!
      if (outcome.status === 'invalid' && ORPHAN_CODES.has(outcome.reason?.code ?? ''))
        orphans.push({ item, value })
      else record(item, outcome)
    })
  }
  // Received and handed to `prepare` (signature threads), not admitted yet, oldest first: the
  // threads check up to `prepareAhead` pages while this thread admits the oldest.
  const received: ReceivedPage[] = []
  try {
    while (pending() || inFlight.length > 0) {
      while (inFlight.length < options.fetchWindow && pending()) {
        if (stats.fetches >= maxFetches)
          throw new SyncError(SyncErrorCode.SESSION_LIMIT, 'too many fetch round trips')
        const page = nextPage()
        stats.fetches++
        await channel.write(
          encodeFrame(FrameType.FETCH_REQUEST, encodeFetchRequest(page.map((item) => item.id))),
          signal,
        )
        inFlight.push(page)
      }
      const page = inFlight.shift()!
      const waitStarted = performance.now()
      const reply = await expectFrame(channel, FrameType.FETCH_REPLY, options.readTimeoutMs, signal)
      stats.waitMs += performance.now() - waitStarted
      const replies = decodeFetchReply(reply, page.length, options.maxMessageBytes)
      const items: SyncItem[] = []
      const messages: Uint8Array[] = []
      replies.forEach((bytes, i) => {
        if (!bytes) stats.missing++
        else {
          items.push(page[i]!)
          messages.push(bytes)
        }
      })
      stats.received += messages.length
      // The rest of a reply cut short by the peer's byte budget: ask again next.
      if (replies.length < page.length) retry = [...page.slice(replies.length), ...retry]
      received.push({ items, messages, prepared: prepare(source, messages) })
      while (received.length > options.prepareAhead) await admitPage(received.shift()!)
    }
    while (received.length > 0) await admitPage(received.shift()!)
  } catch (error) {
    // What arrived whole before the failure is admitted still: a bad page does not lose the
    // pages before it. Their own failures (a store closed meanwhile) give way to the first.
    for (const page of received.splice(0)) await admitPage(page).catch(() => {})
    throw error
  }
  // Parents fetched in a later page than their children (only when replies were cut short).
  for (const { item, value } of orphans) record(item, await source.submit(value))
}

/**
 * A fetched message's JSON value, or undefined unless it is UTF-8 JSON in its canonical form:
 * messages travel between nodes in that form only (docs/protocol.md §2). `canonical` says the
 * same check already passed on these bytes (in `SyncSource.prepare`), so it is not run again.
 */
function parseFetched(bytes: Uint8Array, canonical: boolean): { value: unknown } | undefined {
  try {
    const text = wireText(bytes)
    const value: unknown = JSON.parse(text)
    return canonical || checkCanonicalBytes(bytes, text, value).ok ? { value } : undefined
  } catch {
    return undefined
  }
}

/** A fetch reply's messages (the ids answered "not held" left out), received, not admitted yet. */
interface ReceivedPage {
  items: SyncItem[]
  messages: Uint8Array[]
  /** `source.prepare` of the messages; never rejects (admission checks everything anyway). */
  prepared: Promise<readonly boolean[] | undefined>
}

async function prepare(source: SyncSource, messages: Uint8Array[]): Promise<readonly boolean[] | undefined> {
  if (!source.prepare || messages.length === 0) return undefined
  try {
    const canonical = await source.prepare(messages)
    // A shortcut only when it answers for every message.
    return canonical?.length === messages.length ? canonical : undefined
  } catch {
    // Only a shortcut: admission checks every message itself.
    return undefined
  }
}
