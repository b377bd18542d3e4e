/**
 * Sync: how two nodes find and fetch what one holds and the other lacks, so a node that joins
 * late or comes back after a partition converges. Range-based set reconciliation (Negentropy's
 * construction) over items `(key, id)`, a naive inventory baseline to measure it against, and
 * fetch-by-id in pages admitted in dependency order. Pure: no I/O of its own (sessions run
 * over any {@link FrameChannel}); the libp2p service lives in `src/network/sync-service.ts`.
 * The wire format is in docs/sync.md.
 *
 * @example
 * ```ts
 * import { SortedItems, initiate, respond, reconcile, itemKey } from './index.ts'
 *
 * const a = SortedItems.from([{ key: itemKey('oracle', 20), id: 'aa'.repeat(32) }])
 * const b = SortedItems.from([])
 * let message = initiate(b)
 * while (message) {
 *   const result = reconcile(b, respond(a, message))
 *   console.log(result.need) // [{ key: 236, id: 'aaaa…' }]
 *   message = result.next
 * }
 * ```
 *
 * @packageDocumentation
 */

export * from './bound.ts'
export { MAX_VARINT, Reader, Writer } from './bytes.ts'
export * from './errors.ts'
export * from './fetch.ts'
export * from './fingerprint.ts'
export * from './frames.ts'
export * from './initiator.ts'
export * from './inventory.ts'
export * from './keys.ts'
export * from './plan.ts'
export * from './reconcile.ts'
export * from './responder.ts'
export * from './session-options.ts'
export * from './source.ts'
export * from './storage.ts'
