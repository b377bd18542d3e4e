/** A typed event map on a plain EventTarget: typed listeners, removal, and a typed `emit`. */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { TypedEventTarget } from '../../../src/protocol/typed-event-target.ts'

interface CounterEvents {
  'count:changed': CustomEvent<{ value: number }>
}

describe('TypedEventTarget', () => {
  it('hands listeners the detail emitted, until they are removed', () => {
    const target = new TypedEventTarget<CounterEvents>()
    const seen: number[] = []
    const listener = (event: CounterEvents['count:changed']) => seen.push(event.detail.value)
    target.addEventListener('count:changed', listener)
    assert.equal(target.emit('count:changed', { value: 1 }), true)
    target.removeEventListener('count:changed', listener)
    target.emit('count:changed', { value: 2 })
    assert.deepEqual(seen, [1])
  })

  it('is an EventTarget: listeners of other names and plain events still work', () => {
    const target = new TypedEventTarget<CounterEvents>()
    let plain = 0
    target.addEventListener('other', () => plain++)
    target.dispatchEvent(new Event('other'))
    assert.equal(plain, 1)
    // @ts-expect-error: the detail of count:changed is { value: number }
    target.emit('count:changed', { value: 'one' })
  })
})
