/**
 * Sync frames over a libp2p 3 stream: each frame is an unsigned varint length followed by that
 * many bytes. libp2p 3 streams are event targets (`message` events in, `send()` out with a
 * `false` return asking us to wait for `drain`); this adapter turns one into the pull-style
 * {@link FrameChannel} the sessions read from, with the frame size checked from the length
 * prefix (before buffering the frame) and reading paused while too much is buffered.
 */
import type { Stream } from '@libp2p/interface'
import { type FrameChannel, MAX_VARINT, SyncError, SyncErrorCode, Writer } from '../sync/index.ts'

/** How long closing waits for buffered bytes to reach the transport before aborting. */
const CLOSE_TIMEOUT_MS = 10_000

export interface StreamChannelInit {
  /** Largest frame accepted, bytes. */
  maxFrameBytes: number
  /** Bytes buffered (parsed frames and partial ones) above which reading pauses. @default 2 × maxFrameBytes */
  highWaterBytes?: number
}

/** Wraps an open stream (either direction) as a frame channel. */
export function streamChannel(stream: Stream, init: StreamChannelInit): FrameChannel {
  return new StreamChannel(stream, init)
}

class StreamChannel implements FrameChannel {
  readonly #stream: Stream
  readonly #maxFrameBytes: number
  readonly #highWater: number
  readonly #chunks: Uint8Array[] = []
  #chunkBytes = 0
  readonly #frames: Uint8Array[] = []
  #frameBytes = 0
  #ended = false
  #error: Error | undefined
  #paused = false
  #wake: (() => void) | undefined
  bytesRead = 0
  bytesWritten = 0

  constructor(stream: Stream, init: StreamChannelInit) {
    this.#stream = stream
    this.#maxFrameBytes = init.maxFrameBytes
    this.#highWater = init.highWaterBytes ?? 2 * init.maxFrameBytes
    stream.addEventListener('message', (event) => {
      const data = event.data.subarray()
      this.bytesRead += data.length
      this.#chunks.push(data)
      this.#chunkBytes += data.length
      this.#parse()
    })
    stream.addEventListener('remoteCloseWrite', () => this.#end())
    stream.addEventListener('close', (event) => this.#end(event.error))
  }

  #end(error?: Error): void {
    this.#ended = true
    if (error && !this.#error) this.#error = error
    this.#notify()
  }

  #notify(): void {
    const wake = this.#wake
    this.#wake = undefined
    wake?.()
  }

  #fail(error: SyncError): void {
    this.#error = error
    this.#chunks.length = 0
    this.#chunkBytes = 0
    this.#stream.abort(error)
    this.#notify()
  }

  /** Moves every complete frame from the chunk buffer to the frame queue. */
  #parse(): void {
    while (this.#chunkBytes > 0 && !this.#error) {
      const header = this.#readHeader()
      if (!header) break
      const [headerBytes, length] = header
      if (length > this.#maxFrameBytes) {
        this.#fail(
          new SyncError(SyncErrorCode.TOO_LARGE, `frame of ${length} bytes (limit ${this.#maxFrameBytes})`),
        )
        return
      }
      if (this.#chunkBytes < headerBytes + length) break
      this.#take(headerBytes)
      const frame = this.#take(length)
      this.#frames.push(frame)
      this.#frameBytes += frame.length
    }
    if (!this.#paused && this.#chunkBytes + this.#frameBytes > this.#highWater) {
      this.#paused = true
      this.#stream.pause()
    }
    if (this.#frames.length > 0) this.#notify()
  }

  /** The varint length prefix at the front of the buffer: [its bytes, its value], or undefined while incomplete. */
  #readHeader(): [number, number] | undefined {
    let value = 0
    let scale = 1
    let index = 0
    for (const chunk of this.#chunks) {
      for (let i = 0; i < chunk.length; i++) {
        const byte = chunk[i]!
        value += (byte & 0x7f) * scale
        index++
        if ((byte & 0x80) === 0) {
          if ((byte === 0 && index > 1) || value > MAX_VARINT) {
            this.#fail(new SyncError(SyncErrorCode.BAD_VARINT, 'bad frame length'))
            return undefined
          }
          return [index, value]
        }
        if (index === 5) {
          this.#fail(new SyncError(SyncErrorCode.BAD_VARINT, 'frame length longer than 5 bytes'))
          return undefined
        }
        scale *= 128
      }
    }
    return undefined
  }

  /** Removes and returns the first `length` buffered bytes (one copy at most). */
  #take(length: number): Uint8Array {
    this.#chunkBytes -= length
    const first = this.#chunks[0]!
    if (first.length >= length) {
      if (first.length === length) this.#chunks.shift()
      else this.#chunks[0] = first.subarray(length)
      return first.subarray(0, length)
    }
    const out = new Uint8Array(length)
    let offset = 0
    while (offset < length) {
      const chunk = this.#chunks[0]!
      const part = Math.min(chunk.length, length - offset)
      out.set(chunk.subarray(0, part), offset)
      offset += part
      if (part === chunk.length) this.#chunks.shift()
      else this.#chunks[0] = chunk.subarray(part)
    }
    return out
  }

  async read(signal?: AbortSignal): Promise<Uint8Array | undefined> {
    for (;;) {
      const frame = this.#frames.shift()
      if (frame) {
        this.#frameBytes -= frame.length
        if (this.#paused && this.#chunkBytes + this.#frameBytes <= this.#highWater / 2) {
          this.#paused = false
          this.#stream.resume()
        }
        return frame
      }
      if (this.#error) throw this.#error
      if (this.#ended) {
        if (this.#chunkBytes > 0) throw new SyncError(SyncErrorCode.TRUNCATED, 'stream ended inside a frame')
        return undefined
      }
      signal?.throwIfAborted()
      await new Promise<void>((resolve, reject) => {
        const onAbort = () => {
          this.#wake = undefined
          reject(signal!.reason)
        }
        signal?.addEventListener('abort', onAbort, { once: true })
        this.#wake = () => {
          signal?.removeEventListener('abort', onAbort)
          resolve()
        }
      })
    }
  }

  async write(frame: Uint8Array, signal?: AbortSignal): Promise<void> {
    if (this.#error) throw this.#error
    const stream = this.#stream
    if (stream.writeStatus !== 'writable')
      throw new SyncError(SyncErrorCode.CLOSED, `stream is ${stream.writeStatus}`)
    const header = new Writer(5).varint(frame.length).view()
    const data = new Uint8Array(header.length + frame.length)
    data.set(header)
    data.set(frame, header.length)
    this.bytesWritten += data.length
    if (!stream.send(data)) await stream.onDrain(signal ? { signal } : {})
  }

  async close(): Promise<void> {
    if (this.#stream.writeStatus !== 'writable') return
    try {
      await this.#stream.close({ signal: AbortSignal.timeout(CLOSE_TIMEOUT_MS) })
    } catch (error) {
      this.#stream.abort(error instanceof Error ? error : new Error(String(error)))
    }
  }

  abort(error: Error): void {
    this.#stream.abort(error)
  }
}
