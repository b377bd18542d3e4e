/**
 * A live client (`/events`) hears of a message only once the node's store has committed it, and
 * never of a message whose commit failed: the events come from the node's admission pipeline
 * after the commit, not from the mempool.
 */
import assert from 'node:assert/strict'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, describe, it } from 'node:test'
import pino from 'pino'
import { resolveConfig } from '../../../src/node/config.ts'
import { MegaNode } from '../../../src/node/node.ts'
import { messageId } from '../../../src/protocol/message.ts'
import { openAndRestore } from '../../../src/store/index.ts'
import type { MempoolStore } from '../../../src/store/sqlite-store.ts'
import * as fx from '../../support/messages.ts'

const dirs: string[] = []
after(async () => {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true })
})

/** A node whose store fails the commits `failing` says, and the store, for checking what it holds. */
async function startNode(failing: () => boolean) {
  const dataDir = await mkdtemp(join(tmpdir(), 'mega-events-'))
  dirs.push(dataDir)
  const config = resolveConfig({
    dataDir,
    http: { host: '127.0.0.1', port: 0 },
    mempool: { minBits: { oracle: 8, capability: 8, report: 8, offer: 8 } },
    network: { enabled: false },
  })
  let store: MempoolStore | undefined
  const node = new MegaNode(config, {
    logger: pino({ level: 'silent' }),
    openStore: (pool, init) => {
      const opened = openAndRestore(pool, init)
      const applyAll = opened.store.applyAll.bind(opened.store)
      opened.store.applyAll = (batch, floors) => {
        if (failing()) throw new Error('disk full')
        applyAll(batch, floors)
      }
      store = opened.store
      return opened
    },
  })
  await node.start()
  return { node, store: store! }
}

/** An `/events` stream: each event's data, handed to `seen` as it arrives. */
async function listen(url: string, seen: (data: { id: string; status: string; kind: string }) => void) {
  const controller = new AbortController()
  const response = await fetch(`${url}/events`, { signal: controller.signal })
  assert.equal(response.status, 200)
  const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader()
  const done = (async () => {
    let buffered = ''
    try {
      for (;;) {
        const { value, done } = await reader.read()
        if (done) return
        buffered += value
        let end = buffered.indexOf('\n\n')
        while (end >= 0) {
          const data = /^data: (.*)$/m.exec(buffered.slice(0, end))?.[1]
          if (data) seen(JSON.parse(data))
          buffered = buffered.slice(end + 2)
          end = buffered.indexOf('\n\n')
        }
      }
    } catch (error) {
      if ((error as Error).name !== 'AbortError') throw error
    }
  })()
  return { close: () => controller.abort(), done }
}

async function post(url: string, kind: string, message: unknown): Promise<number> {
  const response = await fetch(`${url}/${kind}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(message),
  })
  await response.arrayBuffer()
  return response.status
}

describe('events after commit', { timeout: 60_000 }, () => {
  it('a live client hears of a message only once it is stored, and never of one whose commit failed', async () => {
    let fail = false
    const { node, store } = await startNode(() => fail)
    const stored = () => new Set(store.load().records.map((record) => record.id))
    const heard: { id: string; status: string; kind: string; stored: boolean }[] = []
    const stream = await listen(node.url!, (data) => {
      // What the store holds when the client hears of it.
      heard.push({ ...data, stored: stored().has(data.id) })
    })
    try {
      // The node's own listeners run at the same point: after the commit.
      const atDispatch: boolean[] = []
      node.events.addEventListener('message:admitted', (event) => {
        atDispatch.push(stored().has(event.detail.admission.id!))
      })
      const ad = fx.oracleAd()
      const capability = fx.capabilityAd()
      assert.equal(await post(node.url!, 'oracle', ad), 201)

      // A commit that fails: the client gets 500, nobody hears of the message, nothing is stored.
      fail = true
      assert.equal(await post(node.url!, 'capability', capability), 500)
      fail = false
      assert.equal(stored().has(messageId(capability)), false)

      // The next message goes through; once its event arrives, every earlier one has too.
      const update = fx.oracleAd({ seqNo: ad.seqNo + 1 })
      assert.equal(await post(node.url!, 'oracle', update), 200)
      const deadline = Date.now() + 10_000
      while (!heard.some((event) => event.id === messageId(update))) {
        assert.ok(Date.now() < deadline, 'the update was heard of')
        await new Promise((resolve) => setTimeout(resolve, 20))
      }

      assert.deepEqual(
        heard.map(({ id, kind, status, stored }) => ({ id, kind, status, stored })),
        [
          { id: messageId(ad), kind: 'oracle', status: 'added', stored: true },
          { id: messageId(update), kind: 'oracle', status: 'updated', stored: true },
        ],
        'only committed messages, each already stored when heard of',
      )
      assert.deepEqual(atDispatch, [true, true], 'each was stored before its event went out')
    } finally {
      stream.close()
      await stream.done
      await node.stop()
    }
  })
})
