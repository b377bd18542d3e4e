/**
 * Frames of a sync session and the channel they travel on.
 *
 * A frame is one type byte and its payload; the transport delimits frames (on libp2p streams:
 * an unsigned varint length prefix, see `src/network/sync-stream.ts`). The initiator sends
 * requests, the responder answers each in order; an error frame ends the session.
 */
import { UNKNOWN_CODE } from '../protocol/index.ts'
import { Reader, Writer } from './bytes.ts'
import { SyncError, SyncErrorCode } from './errors.ts'

/** Frame types. */
export const FrameType = {
  /** A reconciliation message (both directions; see reconcile.ts). */
  RECONCILE: 0x01,
  /** A page of the responder's inventory, asked by the initiator (naive baseline). */
  INVENTORY_REQUEST: 0x02,
  INVENTORY_REPLY: 0x03,
  /** Full messages by id. */
  FETCH_REQUEST: 0x04,
  FETCH_REPLY: 0x05,
  /** The sender gives up: varint length ‖ ASCII error code. The session ends. */
  ERROR: 0x7f,
} as const
export type FrameType = (typeof FrameType)[keyof typeof FrameType]

const TYPES = new Set<number>(Object.values(FrameType))

/** Longest error code in an error frame. */
const MAX_ERROR_CODE = 64

/**
 * Two-way channel of frames between two peers.
 *
 * `read` resolves with the next frame, or undefined when the peer closed its side; it rejects
 * when the channel fails, a frame is over the limit, or `signal` aborts.
 */
export interface FrameChannel {
  read(signal?: AbortSignal): Promise<Uint8Array | undefined>
  write(frame: Uint8Array, signal?: AbortSignal): Promise<void>
  /** Closes our side for writing (the peer's `read` then ends). */
  close(): Promise<void>
  /** Closes both sides at once, with an error. */
  abort(error: Error): void
  /** Bytes read and written so far, framing included. */
  readonly bytesRead: number
  readonly bytesWritten: number
}

export function encodeFrame(type: FrameType, payload: Uint8Array): Uint8Array {
  const frame = new Uint8Array(payload.length + 1)
  frame[0] = type
  frame.set(payload, 1)
  return frame
}

export function decodeFrame(frame: Uint8Array): { type: FrameType; payload: Uint8Array } {
  if (frame.length === 0) throw new SyncError(SyncErrorCode.BAD_FRAME, 'empty frame')
  const type = frame[0]!
  if (!TYPES.has(type)) throw new SyncError(SyncErrorCode.BAD_FRAME, `unknown frame type ${type}`)
  return { type: type as FrameType, payload: frame.subarray(1) }
}

export function encodeErrorFrame(code: string): Uint8Array {
  const ascii = code.replace(/[^A-Z0-9_]/g, '').slice(0, MAX_ERROR_CODE)
  const out = new Writer(ascii.length + 2).varint(ascii.length)
  for (let i = 0; i < ascii.length; i++) out.byte(ascii.charCodeAt(i))
  return encodeFrame(FrameType.ERROR, out.finish())
}

/** The error code an error frame carries (sanitised; `UNKNOWN` when unreadable). */
export function decodeErrorFrame(payload: Uint8Array): string {
  try {
    const reader = new Reader(payload)
    const length = reader.varint()
    if (length > MAX_ERROR_CODE) return UNKNOWN_CODE
    const code = String.fromCharCode(...reader.bytes(length))
    return /^[A-Z0-9_]+$/.test(code) ? code : UNKNOWN_CODE
  } catch {
    return UNKNOWN_CODE
  }
}
