/** Reading the next frame of a session, with a timeout and the peer's error frames. */
import { SyncError, SyncErrorCode } from './errors.ts'
import { decodeErrorFrame, decodeFrame, encodeErrorFrame, type FrameChannel, FrameType } from './frames.ts'

/**
 * The next frame's type and payload, or undefined when the peer closed its side. Throws
 * `TIMEOUT` after `timeoutMs`, `REMOTE_ERROR` for an error frame, `BAD_FRAME` for an unknown type.
 */
export async function readFrame(
  channel: FrameChannel,
  timeoutMs: number,
  signal?: AbortSignal,
): Promise<{ type: FrameType; payload: Uint8Array } | undefined> {
  const timeout = AbortSignal.timeout(timeoutMs)
  let frame: Uint8Array | undefined
  try {
    frame = await channel.read(signal ? AbortSignal.any([signal, timeout]) : timeout)
  } catch (error) {
    if (timeout.aborted)
      throw new SyncError(SyncErrorCode.TIMEOUT, `no frame from the peer in ${timeoutMs} ms`)
    throw error
  }
  if (!frame) return undefined
  const decoded = decodeFrame(frame)
  if (decoded.type === FrameType.ERROR) {
    throw new SyncError(
      SyncErrorCode.REMOTE_ERROR,
      `the peer ended the session: ${decodeErrorFrame(decoded.payload)}`,
    )
  }
  return decoded
}

/** Like {@link readFrame}, but the frame must be of `type`. */
export async function expectFrame(
  channel: FrameChannel,
  type: FrameType,
  timeoutMs: number,
  signal?: AbortSignal,
): Promise<Uint8Array> {
  const frame = await readFrame(channel, timeoutMs, signal)
  if (!frame) throw new SyncError(SyncErrorCode.CLOSED, 'the peer closed the stream mid-session')
  if (frame.type !== type)
    throw new SyncError(SyncErrorCode.BAD_FRAME, `frame type ${frame.type} where ${type} was due`)
  return frame.payload
}

/** How long a failing side waits to hand its error frame to the transport. */
const ERROR_FRAME_TIMEOUT_MS = 1000

/**
 * Ends a failed session: tells the peer why when the fault is its input (not when it already
 * sent us an error or went silent), then closes the channel; aborts it when that fails.
 */
export async function failSession(channel: FrameChannel, error: unknown): Promise<void> {
  const code = error instanceof SyncError ? error.code : SyncErrorCode.INTERNAL
  if (
    code !== SyncErrorCode.REMOTE_ERROR &&
    code !== SyncErrorCode.CLOSED &&
    code !== SyncErrorCode.TIMEOUT
  ) {
    try {
      await channel.write(encodeErrorFrame(code), AbortSignal.timeout(ERROR_FRAME_TIMEOUT_MS))
      await channel.close()
      return
    } catch {
      // the channel is gone already
    }
  }
  channel.abort(error instanceof Error ? error : new Error(String(error)))
}
