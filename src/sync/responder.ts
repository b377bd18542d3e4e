/**
 * The responding side of a sync session: answers reconcile messages from one snapshot of our
 * items (taken at the session's first request), inventory pages, and fetches, each in order,
 * within the session's limits, until the initiator closes its side.
 */
import { SyncError, SyncErrorCode } from './errors.ts'
import { decodeFetchRequest, encodeFetchReply } from './fetch.ts'
import { encodeFrame, type FrameChannel, FrameType } from './frames.ts'
import { decodeInventoryRequest, inventoryPage } from './inventory.ts'
import { failSession, readFrame } from './read.ts'
import { respond } from './reconcile.ts'
import { type SessionInit, sessionOptions } from './session-options.ts'
import type { SyncSource } from './source.ts'
import type { SortedItems } from './storage.ts'

/** What one served session did. */
export interface ServeStats {
  rounds: number
  fetches: number
  /** Messages sent. */
  served: number
  bytesSent: number
  bytesReceived: number
}

/**
 * Serves one session on an open channel until the initiator closes it, then closes our side.
 * Throws a {@link SyncError} when the initiator breaks the protocol or a limit (after telling
 * it why).
 */
export async function serveSync(
  channel: FrameChannel,
  source: SyncSource,
  init: SessionInit = {},
  signal?: AbortSignal,
): Promise<ServeStats> {
  const options = sessionOptions(init)
  const stats: ServeStats = { rounds: 0, fetches: 0, served: 0, bytesSent: 0, bytesReceived: 0 }
  let snapshot: SortedItems | undefined
  let asked = 0
  const round = () => {
    if (++stats.rounds > options.maxRounds) {
      throw new SyncError(SyncErrorCode.SESSION_LIMIT, `more than ${options.maxRounds} rounds`)
    }
    snapshot ??= source.snapshot()
    return snapshot
  }
  try {
    for (;;) {
      const frame = await readFrame(channel, options.readTimeoutMs, signal)
      if (!frame) break
      const { type, payload } = frame
      let reply: Uint8Array
      switch (type) {
        case FrameType.RECONCILE:
          reply = encodeFrame(FrameType.RECONCILE, respond(round(), payload, options.reconcile))
          break
        case FrameType.INVENTORY_REQUEST: {
          const items = round()
          const request = decodeInventoryRequest(payload)
          reply = encodeFrame(
            FrameType.INVENTORY_REPLY,
            inventoryPage(items, request, options.reconcile.frameSizeLimit),
          )
          break
        }
        case FrameType.FETCH_REQUEST: {
          const ids = decodeFetchRequest(payload)
          asked += ids.length
          // Every id once, plus what cut-short replies make the initiator ask again.
          if (asked > options.maxItems * 2) {
            throw new SyncError(SyncErrorCode.SESSION_LIMIT, `more than ${options.maxItems} items fetched`)
          }
          stats.fetches++
          const answer = encodeFetchReply(ids, (id) => source.message(id), options.fetchReplyBytes)
          stats.served += answer.found
          reply = answer.frame
          break
        }
        default:
          throw new SyncError(SyncErrorCode.BAD_FRAME, `frame type ${type} is not a request`)
      }
      await channel.write(reply, signal)
    }
    await channel.close()
  } catch (error) {
    await failSession(channel, error)
    throw error
  } finally {
    stats.bytesSent = channel.bytesWritten
    stats.bytesReceived = channel.bytesRead
  }
  return stats
}
