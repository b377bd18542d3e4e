import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { StreamState, YamuxStream } from '@libp2p/yamux/stream'
import { Uint8ArrayList } from 'uint8arraylist'
import { installHalfWindowUpdates } from '../../../src/network/yamux-window.ts'

const WINDOW = 256 * 1024
const DATA = 0
const WINDOW_UPDATE = 1

interface SentFrame {
  type: number
  flag: number
  length: number
}

/** A real inbound Yamux stream in `state` whose frames are recorded in `sent` instead of written. */
function recordingStream(streamId: number, state: StreamState, sent: SentFrame[]): YamuxStream {
  const log = Object.assign(() => {}, { error: () => {}, trace: () => {}, newScope: () => log })
  return new YamuxStream({
    id: String(streamId),
    streamId,
    state,
    direction: 'inbound',
    log: log as never,
    getRTT: () => -1,
    sendFrame: (header) => {
      sent.push({ type: header.type, flag: header.flag, length: header.length })
      return true
    },
  })
}

/** The window updates an established stream sends for `frames` data frames of `bytes` each. */
function receive(frames: number, bytes: number): SentFrame[] {
  const sent: SentFrame[] = []
  const stream = recordingStream(1, StreamState.Established, sent)
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
    const sent: SentFrame[] = []
    const stream = recordingStream(2, StreamState.SYNReceived, sent)
    stream.sendWindowUpdate()
    assert.deepEqual(
      sent.map((frame) => frame.flag),
      [2],
      'one frame with the ACK flag',
    )
    assert.equal(stream.state, StreamState.Established)
  })
})
