/**
 * Yamux window updates once half the receive window is used, not after every frame.
 *
 * js-libp2p's Yamux answers every data frame it receives with a WINDOW_UPDATE frame (its
 * stream's `sendWindowUpdate` returns early only when nothing of the window is used). On a
 * gossip stream every RPC is a frame of a few hundred bytes: a message copy, an IDONTWANT, an
 * IHAVE. So each one costs a second frame back — encrypted by Noise, written to the socket,
 * read, decrypted and parsed by the other side — for a window of 256 KiB that is nowhere near
 * used. Go's Yamux (and the spec's advice) sends the update only when the unused window falls
 * below half of it: the remote may still send the other half meanwhile, so it never waits for
 * the update unless it has more than half a window in flight.
 *
 * Applied once, to the Yamux stream class every connection of this process uses. Streams that
 * still have a flag to send (SYN, ACK) or are paused go through Yamux's own logic unchanged.
 */
import { StreamState, YamuxStream } from '@libp2p/yamux/stream'

/** The private fields of a Yamux stream this reads (js-libp2p Yamux 8). */
interface StreamWindow {
  state: StreamState
  recvWindow: number
  recvWindowCapacity: number
}

/**
 * Whether a stream can hold back its window update: it is established (no SYN or ACK to send)
 * and at least half of its receive window is still unused.
 */
export function holdsWindowUpdate(stream: StreamWindow): boolean {
  return stream.state === StreamState.Established && stream.recvWindowCapacity * 2 >= stream.recvWindow
}

let installed = false

/** Makes Yamux streams send window updates at half the window. Idempotent. */
export function installHalfWindowUpdates(): void {
  if (installed) return
  installed = true
  const update = YamuxStream.prototype.sendWindowUpdate
  YamuxStream.prototype.sendWindowUpdate = function sendWindowUpdate(this: YamuxStream): void {
    if (!holdsWindowUpdate(this as unknown as StreamWindow)) update.call(this)
  }
}
