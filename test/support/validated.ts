/** A fixture message as the validator hands it on (tests that submit straight to a node). */
import assert from 'node:assert/strict'
import { validatePoolMessage } from '../../src/mempool/pipeline.ts'
import type { PoolMessage } from '../../src/mempool/pool-view.ts'
import type { Validated } from '../../src/protocol/validate.ts'

export function validated<M extends PoolMessage>(message: M): Validated<M> {
  const checked = validatePoolMessage(message)
  assert.ok(checked.ok, checked.ok ? '' : checked.error.message)
  return checked.value as Validated<M>
}
