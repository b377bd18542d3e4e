/**
 * Live updates of the trader page: the events of a second name the oracles (offers: the
 * capability keys) to collect again, by the node that announced them, and the page collects
 * just those — from an API in this process (`inject`, no socket) — instead of the whole kind.
 */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { followNodes, LIVE_DELAY_MS, type Touched } from '../../../src/web-trader/live.ts'
import { TraderSession } from '../../../src/web-trader/session.ts'
import { testApi } from '../../support/api.ts'
import * as fx from '../../support/messages.ts'

/** The browser's EventSource, driven by the test: `emit` delivers an event as a node would. */
class TestEventSource extends EventTarget {
  static readonly CLOSED = 2
  static made: TestEventSource[] = []
  readonly url: string
  readyState = 1
  onopen: (() => void) | null = null
  onerror: (() => void) | null = null
  constructor(url: string) {
    super()
    this.url = url
    TestEventSource.made.push(this)
  }
  emit(kind: string, data: Record<string, unknown>): void {
    this.dispatchEvent(new MessageEvent(kind, { data: JSON.stringify(data) }))
  }
  close(): void {
    this.readyState = TestEventSource.CLOSED
  }
}

const A = 'a'.repeat(64)
const B = 'b'.repeat(64)
const C = 'c'.repeat(64)
const plain = (touched: Touched) => ({
  all: touched.all,
  byNode: Object.fromEntries([...touched.byNode].map(([url, keys]) => [url, [...keys].sort()])),
})

describe('web trader live updates', () => {
  it('names what the events of a second touched, by node; what names nothing collects all', async (t) => {
    t.mock.timers.enable({ apis: ['setTimeout'] })
    Object.assign(globalThis, { EventSource: TestEventSource })
    t.after(() => Reflect.deleteProperty(globalThis, 'EventSource'))
    TestEventSource.made = []
    const calls: { what: string; touched: ReturnType<typeof plain> }[] = []
    /** The refreshes started since the last look. */
    const started = () => calls.splice(0)
    const refresh = (what: string) => async (touched: Touched) => {
      calls.push({ what, touched: plain(touched) })
      return { stored: 0, rejected: [] }
    }
    const stop = followNodes(['http://one', 'http://two'], {
      refreshOracles: refresh('oracles'),
      refreshOffers: refresh('offers'),
      onRefresh: () => undefined,
      onState: () => undefined,
    })
    const [one, two] = TestEventSource.made
    one!.emit('oracle', { status: 'added', kind: 'oracle', oracle: A })
    one!.emit('report', { status: 'added', kind: 'report', oracle: B })
    two!.emit('capability', { status: 'added', kind: 'capability', oracle: A, capability: C })
    one!.emit('offer', { status: 'added', kind: 'offer', capability: C })
    assert.deepEqual(started(), [], 'nothing before the delay')
    t.mock.timers.tick(LIVE_DELAY_MS)
    await Promise.resolve()
    assert.deepEqual(started(), [
      { what: 'oracles', touched: { all: false, byNode: { 'http://one': [A, B], 'http://two': [A] } } },
      { what: 'offers', touched: { all: false, byNode: { 'http://one': [C] } } },
    ])
    one!.emit('dispute', { status: 'added', kind: 'dispute' })
    one!.emit('oracle', { status: 'added', kind: 'oracle', oracle: 'not a key' })
    t.mock.timers.tick(LIVE_DELAY_MS)
    await Promise.resolve()
    assert.deepEqual(started(), [{ what: 'oracles', touched: { all: true, byNode: {} } }])
    two!.onopen?.()
    two!.onopen?.() // back after a break
    t.mock.timers.tick(LIVE_DELAY_MS)
    await Promise.resolve()
    assert.deepEqual(
      started().map((call) => [call.what, call.touched.all]),
      [
        ['oracles', true],
        ['offers', true],
      ],
    )
    stop()
  })

  it('collects only the oracles an event named, from the node that named them', async (t) => {
    const api = await testApi()
    t.after(() => api.app.close())
    const other = fx.oracleAd({}, fx.OTHER_ORACLE)
    for (const [route, message] of [
      ['/oracle', fx.oracleAd()],
      ['/capability', fx.capabilityAd()],
      ['/oracle', other],
    ] as const)
      assert.equal((await api.post(route, message)).statusCode, 201)
    const asked: string[] = []
    const original = globalThis.fetch
    globalThis.fetch = async (input) => {
      const url = new URL(String(input))
      asked.push(url.pathname)
      const response = await api.app.inject({ method: 'GET', url: `${url.pathname}${url.search}` })
      return new Response(response.body, {
        status: response.statusCode,
        headers: { 'content-type': 'application/json' },
      })
    }
    t.after(() => {
      globalThis.fetch = original
    })
    const session = new TraderSession(['http://node'], new URL('http://node/trader/miner.js'))
    const touched: Touched = {
      all: false,
      byNode: new Map([['http://node', new Set([fx.ORACLE.publicKey])]]),
    }
    const collected = await session.refreshOracles(touched)
    assert.deepEqual(collected.rejected, [])
    assert.deepEqual(asked, [`/oracles/${fx.ORACLE.publicKey}`, '/reports'], 'no ranking of every oracle')
    assert.equal(session.store.list('capability', { oracle: fx.ORACLE.publicKey }).length, 1)
    assert.equal(session.store.list('oracle', { oracle: fx.OTHER_ORACLE.publicKey }).length, 0)
    asked.length = 0
    await session.refreshOracles({ all: true, byNode: new Map() })
    assert.equal(asked[0], '/oracles', 'a refresh of all reads the ranking')
    assert.equal(session.store.list('oracle', { oracle: fx.OTHER_ORACLE.publicKey }).length, 1)
  })
})
