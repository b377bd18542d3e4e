/**
 * A signature thread: checks the signatures of the messages its parent sends (JSON texts) and
 * answers with the keys (`verifiedKey`) of those whose signatures hold. Anything else (bad JSON, a bad
 * signature, a shape the checks choke on) is left out: admission judges it on the main thread.
 */
import { parentPort } from 'node:worker_threads'
import { verifiedKey } from '../mempool/index.ts'
import { type Message, messageId, verifySignatures } from '../protocol/index.ts'
import type { SignatureJob, SignatureJobDone } from './signature-threads.ts'

const port = parentPort!

port.on('message', ({ job, texts }: SignatureJob) => {
  const ids: string[] = []
  for (const text of texts) {
    try {
      const message = JSON.parse(text) as Message
      if (typeof message?.kind !== 'string') continue
      if (verifySignatures(message).ok) ids.push(verifiedKey(messageId(message), message))
    } catch {
      // Not ours to explain: admission will.
    }
  }
  port.postMessage({ job, ids } satisfies SignatureJobDone)
})
