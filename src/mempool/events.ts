/**
 * Typed events, in the style of libp2p's `TypedEventEmitter` (main-event): an `EventTarget`
 * whose `addEventListener` and `dispatchEvent` know each event's name and detail.
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

type Listener<E> = ((event: E) => void) | { handleEvent(event: E): void }

/** An `EventTarget` with an event map: names and details are checked at compile time. */
export class TypedEventTarget<Events extends { [K in keyof Events]: Event }> extends EventTarget {
  override addEventListener<K extends keyof Events & string>(
    type: K,
    listener: Listener<Events[K]> | null,
    options?: boolean | AddEventListenerOptions,
  ): void {
    super.addEventListener(type, listener as EventListenerOrEventListenerObject | null, options)
  }

  override removeEventListener<K extends keyof Events & string>(
    type: K,
    listener: Listener<Events[K]> | null,
    options?: boolean | EventListenerOptions,
  ): void {
    super.removeEventListener(type, listener as EventListenerOrEventListenerObject | null, options)
  }

  override dispatchEvent(event: Events[keyof Events]): boolean {
    return super.dispatchEvent(event)
  }

  /** Dispatches a `CustomEvent` of `type` with `detail`, both checked against the map. */
  emit<K extends keyof Events & string>(
    type: K,
    detail: Events[K] extends CustomEvent<infer D> ? D : never,
  ): boolean {
    return super.dispatchEvent(new CustomEvent(type, { detail }))
  }
}
