import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { describe, it } from 'node:test'
import { fileURLToPath } from 'node:url'
import { Mempool } from '../../../src/mempool/mempool.ts'
import type { Fact, Message } from '../../../src/protocol/messages/index.ts'
import { type Durability, openAndRestore } from '../../../src/store/index.ts'
import * as fx from '../../support/messages.ts'
import { NOW, tempDataDir } from '../../support/store.ts'

const CHILD = fileURLToPath(new URL('./fixtures/admit-child.ts', import.meta.url))

/** Distinct messages that are all added: 1 + 1 + 4 per round. */
function messages(rounds: number): Message[] {
  const list: Message[] = [fx.oracleAd({}, fx.ORACLE, 10), fx.capabilityAd()]
  const capability = fx.capabilityAd()
  const facts: [Fact, Fact] = [fx.fact('home'), fx.fact('away')]
  for (let i = 0; i < rounds; i++) {
    const oracle = fx.testKey('ed25519', 60 + i)
    list.push(fx.oracleAd({}, oracle))
    list.push(fx.capabilityAd({}, oracle, fx.testKey('bip340', 110 + i)))
    list.push(fx.report({ type: 'fact-conflict', capability, facts }, fx.testKey('ed25519', 150 + i)))
    list.push(fx.offer(fx.testKey('bip340', 170 + i)))
  }
  return list
}

interface Ack {
  id: string
  status: string
}

/** Feeds all messages, SIGKILLs the child on the `killAfter`-th ack; returns the acks seen. */
async function feedAndKill(dataDir: string, input: Message[], killAfter: number, durability: Durability) {
  const child = spawn(process.execPath, [CHILD, dataDir, String(NOW), durability], {
    stdio: ['pipe', 'pipe', 'inherit'],
  })
  const exited = new Promise<NodeJS.Signals | null>((resolve) =>
    child.on('exit', (_, signal) => resolve(signal)),
  )
  child.stdin.on('error', () => {}) // EPIPE once the child is dead
  child.stdin.write(input.map((message) => `${JSON.stringify(message)}\n`).join(''))
  const acks: Ack[] = []
  for await (const line of createInterface({ input: child.stdout })) {
    if (line === 'ready') continue
    acks.push(JSON.parse(line))
    if (acks.length === killAfter) {
      child.kill('SIGKILL')
      break
    }
  }
  return { acks, signal: await exited }
}

describe('durability of acknowledged messages', { timeout: 30_000 }, () => {
  for (const durability of ['normal', 'fsync'] as const) {
    it(`keeps every acknowledged message through kill -9 (${durability})`, async (t) => {
      const dataDir = tempDataDir(t)
      const input = messages(20)
      const killAfter = 60
      const { acks, signal } = await feedAndKill(dataDir, input, killAfter, durability)
      assert.equal(signal, 'SIGKILL')
      assert.equal(acks.length, killAfter)
      assert.ok(
        acks.every((ack) => ack.status === 'added'),
        'every message was new',
      )
      assert.ok(existsSync(join(dataDir, 'mega.sqlite-wal')), 'no clean close: the WAL was left to recover')

      const pool = new Mempool(
        { minBits: { oracle: 8, capability: 8, report: 8, offer: 8 } },
        { now: () => NOW },
      )
      const { store, report } = openAndRestore(pool, { dataDir, durability })
      t.after(() => store.close())
      assert.deepEqual(report.corrupt, [])
      const held = new Set([...pool.entries()].map((entry) => entry.id))
      for (const [at, ack] of acks.entries()) assert.ok(held.has(ack.id), `ack ${at} (${ack.id}) survived`)
      assert.ok(report.entries >= killAfter && report.entries <= input.length)
    })
  }
})
