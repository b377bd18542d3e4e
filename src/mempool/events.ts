/**
 * The events of a node's admissions, for the protocol core's `TypedEventTarget`: names and
 * details checked at compile time.
 */
import type { Message } from '../protocol/index.ts'
import type { Admission } from './admission.ts'

/** Where a message came from: a local client (REST), a gossip peer, a sync peer. */
export type Origin = 'local' | 'gossip' | 'sync'

/** The events of a node's admissions, each sent once the store has committed it. */
export interface AdmissionEvents {
  /** A message was added or updated an entry, and the change is persisted. */
  'message:admitted': CustomEvent<{ admission: Admission; message: Message; origin: Origin }>
}
