/**
 * An `EventTarget` with a typed event map: listeners of a known event name get its
 * `CustomEvent<detail>` without a cast, and {@link TypedEventTarget.emit} refuses a detail of
 * the wrong shape. A web standard underneath, so it runs in Node and in browsers alike.
 *
 * @example
 * interface PoolEvents { 'fact:conflict': CustomEvent<{ conflict: FactConflict }> }
 * class Pool extends TypedEventTarget<PoolEvents> {}
 * pool.addEventListener('fact:conflict', (event) => event.detail.conflict)
 */

/** The detail a `CustomEvent` of the map carries. */
type DetailOf<E> = E extends CustomEvent<infer D> ? D : never

export class TypedEventTarget<Events extends { [K in keyof Events]: CustomEvent }> extends EventTarget {
  /** Typed `addEventListener` for the events of the map. */
  override addEventListener<K extends keyof Events & string>(
    type: K,
    listener: ((event: Events[K]) => void) | null,
    options?: AddEventListenerOptions | boolean,
  ): void
  override addEventListener(
    type: string,
    listener: EventListenerOrEventListenerObject | null,
    options?: AddEventListenerOptions | boolean,
  ): void
  override addEventListener(
    type: string,
    listener: ((event: never) => void) | EventListenerObject | null,
    options?: AddEventListenerOptions | boolean,
  ): void {
    super.addEventListener(type, listener as EventListenerOrEventListenerObject | null, options)
  }

  /** Typed `removeEventListener` for the events of the map. */
  override removeEventListener<K extends keyof Events & string>(
    type: K,
    listener: ((event: Events[K]) => void) | null,
    options?: EventListenerOptions | boolean,
  ): void
  override removeEventListener(
    type: string,
    listener: EventListenerOrEventListenerObject | null,
    options?: EventListenerOptions | boolean,
  ): void
  override removeEventListener(
    type: string,
    listener: ((event: never) => void) | EventListenerObject | null,
    options?: EventListenerOptions | boolean,
  ): void {
    super.removeEventListener(type, listener as EventListenerOrEventListenerObject | null, options)
  }

  /** Dispatches the event `type` of the map with its `detail`. */
  emit<K extends keyof Events & string>(type: K, detail: DetailOf<Events[K]>): boolean {
    return this.dispatchEvent(new CustomEvent(type, { detail }))
  }
}
