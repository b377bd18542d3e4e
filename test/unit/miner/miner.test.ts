/**
 * The multi-core miner: results verify, cancellation stops the threads, upgrades reuse work,
 * progress events make sense, thread errors reach the caller.
 */
import assert from 'node:assert/strict'
import { subscribe } from 'node:diagnostics_channel'
import { describe, it } from 'node:test'
import type { Worker } from 'node:worker_threads'
import { Miner, type MiningProgress, mine } from '../../../src/miner/index.ts'
import { ErrorCode, isProtocolError } from '../../../src/protocol/errors.ts'
import { leadingZeroBits, mineSync, nonceFromHex, verifyPow } from '../../../src/protocol/pow.ts'

const bound = new TextEncoder().encode('an oracle public key, say')
/** Far beyond reach: these runs only end by cancellation. */
const UNREACHABLE = 200

// every thread the miner starts, seen through Node's diagnostics channel (no test hooks in src)
const threads: Worker[] = []
subscribe('worker_threads', (message) => threads.push((message as { worker: Worker }).worker))

/** Threads still running (a terminated thread's id is -1). */
function workerCount(): number {
  return threads.filter((worker) => worker.threadId !== -1).length
}

/** Mines until aborted after `ms`, collecting progress; returns the events and the rejection. */
/**
 * Mines for `ms` counted from the first progress event with both threads running (threads
 * start slowly on a busy machine), cancelling after 20 s at the latest.
 */
async function mineFor(ms: number, init: { resumeFrom?: bigint } = {}) {
  const events: MiningProgress[] = []
  let threadsSeen = 0
  const controller = new AbortController()
  const deadline = setTimeout(() => controller.abort(), 20_000)
  let timer: NodeJS.Timeout | undefined
  const miner = new Miner({ threads: 2, chunkSize: 1 << 16, progressIntervalMs: 20 })
  miner.addEventListener('mining:progress', (event) => {
    events.push(event.detail)
    threadsSeen = Math.max(threadsSeen, workerCount())
    if (threadsSeen === 2 && timer === undefined) timer = setTimeout(() => controller.abort(), ms)
  })
  const error = await miner.mine({ bound, bits: UNREACHABLE, signal: controller.signal, ...init }).then(
    () => assert.fail('cannot find 200 bits'),
    (e: unknown) => e,
  )
  clearTimeout(deadline)
  clearTimeout(timer)
  return { events, error, threadsSeen }
}

describe('miner', () => {
  it('mines on several threads a pow that verifies', async () => {
    for (const bits of [12, 16]) {
      const pow = await mine({ bound, bits, threads: 2 })
      assert.equal(pow.bits, bits)
      assert.deepEqual(verifyPow(bound, pow, bits), { ok: true, value: { bits, work: 1n << BigInt(bits) } })
    }
    assert.equal(workerCount(), 0, 'threads are gone once it resolves')
  })

  it('cancels with MINING_CANCELLED, stops its threads, and reports a checkpoint', async () => {
    const { events, error, threadsSeen } = await mineFor(400)
    assert.ok(isProtocolError(error, ErrorCode.MINING_CANCELLED), String(error))
    assert.equal(threadsSeen, 2, 'both threads ran')
    assert.equal(workerCount(), 0, 'threads terminated before the rejection')
    const last = events.at(-1)!
    assert.ok(BigInt(`0x${error.details.checkpoint}`) >= last.checkpoint)
    assert.ok((error.details.attempts as number) >= last.attempts)
  })

  it('rejects at once on an already aborted signal, without starting threads', async () => {
    const started = threads.length
    await assert.rejects(mine({ bound, bits: 8, signal: AbortSignal.abort() }), (e) =>
      isProtocolError(e, ErrorCode.MINING_CANCELLED),
    )
    assert.equal(threads.length, started)
  })

  it('emits progress with sane fields', async () => {
    const { events } = await mineFor(500)
    assert.ok(events.length >= 3, `only ${events.length} events`)
    let previous: MiningProgress | undefined
    for (const p of events) {
      assert.equal(p.bits, UNREACHABLE)
      assert.equal(p.threads, 2)
      assert.ok(p.attempts > 0 && p.rate > 0 && p.elapsedMs > 0, JSON.stringify({ ...p, checkpoint: 0 }))
      assert.ok(Number.isFinite(p.etaMs) && p.etaMs > 1e30, 'eta of 2^200 attempts is astronomical')
      assert.ok(p.checkpoint <= BigInt(p.attempts), 'checkpoint counts only contiguous work')
      if (previous) {
        assert.ok(p.attempts > previous.attempts && p.elapsedMs > previous.elapsedMs)
        assert.ok(p.checkpoint >= previous.checkpoint)
      }
      previous = p
    }
  })

  it('resumes from a checkpoint without going below it', async () => {
    const resumeFrom = 123_456_789n
    const { events } = await mineFor(300, { resumeFrom })
    for (const p of events) assert.ok(p.checkpoint >= resumeFrom)
    const pow = await mine({ bound, bits: 10, threads: 2, resumeFrom })
    assert.ok(nonceFromHex(pow.nonce) >= resumeFrom)
    assert.equal(verifyPow(bound, pow, 10).ok, true)
  })

  it('upgrades an existing pow: re-claims it when its hash suffices, else mines on past its nonce', async () => {
    const old = mineSync(bound, 6)!
    const actual = leadingZeroBits(Buffer.from(old.hash, 'hex'))
    assert.deepEqual(await mine({ bound, bits: actual, from: old }), { ...old, bits: actual })

    const upgraded = await mine({ bound, bits: actual + 6, threads: 2, from: old })
    assert.equal(verifyPow(bound, upgraded, actual + 6).ok, true)
    assert.ok(nonceFromHex(upgraded.nonce) > nonceFromHex(old.nonce))
  })

  it('refuses to upgrade a pow of another bound', async () => {
    const other = mineSync(Uint8Array.of(1), 4)!
    await assert.rejects(mine({ bound, bits: 8, from: other }), (e) =>
      isProtocolError(e, ErrorCode.POW_INVALID),
    )
  })

  it('passes a thread’s error to the caller and stops the other threads', async () => {
    const failing = new URL('data:text/javascript,throw new Error("thread exploded")')
    await assert.rejects(mine({ bound, bits: 8, threads: 2, workerUrl: failing }), /thread exploded/)
    assert.equal(workerCount(), 0)
  })
})
