import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { StreamState, YamuxStream } from '@libp2p/yamux/stream'
import { Uint8ArrayList } from 'uint8arraylist'
import { installHalfWindowUpdates } from '../../../src/network/yamux-window.ts'

const WINDOW = 256 * 1024
const DATA = 0
const WINDOW_UPDATE = 1

/** A real Yamux stream whose frames are recorded instead of written; `frames` data frames of `bytes` each received. */
function receive(frames: number, bytes: number): { type: number; length: number }[] {
  const sent: { type: number; length: number }[] = []
  const log = Object.assign(() => {}, { error: () => {}, trace: () => {}, newScope: () => log })
  const stream = new YamuxStream({
    id: '1',
    streamId: 1,
    state: StreamState.Established,
    direction: 'inbound',
    log: log as never,
    getRTT: () => -1,
    sendFrame: (header) => {
      sent.push({ type: header.type, length: header.length })
      return true
    },
  })
  for (let i = 0; i < frames; i++) {
    const data = new Uint8ArrayList(new Uint8Array(bytes))
    stream.handleData({ header: { type: DATA, flag: 0, streamID: 1, length: bytes, version: 0 }, data })
  }
  return sent.filter((frame) => frame.type === WINDOW_UPDATE)
}

describe('yamux window updates', () => {
  it('are sent once half the window is used, not after every frame', () => {
    installHalfWindowUpdates()
    // 400 gossip frames of 400 bytes: 160 KB, past half the window once.
    const updates = receive(400, 400)
    assert.equal(updates.length, 1)
    // The update gives back all that was used, so the sender never waited.
    const used = Math.floor(WINDOW / 2 / 400 + 1) * 400
    assert.equal(updates[0]!.length, used)
  })

  it('still open a stream (the ACK goes out with the first update)', () => {
    installHalfWindowUpdates()
    const sent: number[] = []
    const log = Object.assign(() => {}, { error: () => {}, trace: () => {}, newScope: () => log })
    const stream = new YamuxStream({
      id: '2',
      streamId: 2,
      state: StreamState.SYNReceived,
      direction: 'inbound',
      log: log as never,
      getRTT: () => -1,
      sendFrame: (header) => {
        sent.push(header.flag)
        return true
      },
    })
    stream.sendWindowUpdate()
    assert.deepEqual(sent, [2], 'one frame with the ACK flag')
    assert.equal(stream.state, StreamState.Established)
  })
})
