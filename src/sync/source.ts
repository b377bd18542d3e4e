/** What a sync session needs from the node: its items, its messages, and its admission path. */
import type { SortedItems } from './storage.ts'

/** The outcome of admitting one fetched message (the node's `Admission`, or any superset). */
export interface SubmitOutcome {
  status: string
  /** Id the node computed for the message. */
  id?: string | undefined
  reason?: { code: string } | undefined
  /** The message breaks a rule no honest node could have missed: it counts against the peer. */
  fault?: boolean | undefined
}

export interface SyncSource {
  /** The items to reconcile now. May return the same snapshot while nothing changed. */
  snapshot(): SortedItems
  /** A held message as JSON text, by id (hex); undefined when not (or no longer) held. */
  message(id: string): string | undefined
  /** Admits a fetched message (a parsed JSON value) through the node's one admission path. */
  submit(message: unknown): SubmitOutcome | Promise<SubmitOutcome>
  /**
   * Optional: admits a fetched page at once, outcomes in the page's order, so the node can
   * persist it in one transaction. Judges each message exactly as `submit` would.
   */
  submitPage?(messages: readonly unknown[]): SubmitOutcome[] | Promise<SubmitOutcome[]>
  /**
   * Optional: a fetched page's messages, as received, before they are parsed and submitted, so
   * the source can run expensive checks on other threads (signatures) while earlier pages are
   * admitted. May resolve to, per message, whether it is UTF-8 JSON in its canonical form, found
   * by the same check the initiator runs (protocol's `checkCanonical`); the initiator then parses
   * those without checking again. Only a shortcut: `submit` must still judge every message.
   */
  prepare?(messages: readonly Uint8Array[]): Promise<readonly boolean[] | undefined>
}

/** One by one, each admitted before the next is handed over (parents before their children). */
export async function submitEach(source: SyncSource, values: readonly unknown[]): Promise<SubmitOutcome[]> {
  const outcomes: SubmitOutcome[] = []
  for (const value of values) outcomes.push(await source.submit(value))
  return outcomes
}
