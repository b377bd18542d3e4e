/**
 * A signature thread: takes a page of fetched messages (their bytes as received) and, for each,
 * finds whether it is UTF-8 JSON in its canonical form and, if so, whether its signatures hold.
 * It answers with the canonical flags (in order), the keys (`verifiedKey`) of the messages whose
 * signatures hold, and the CPU time it spent. Anything else (bad UTF-8 or JSON, a bad signature,
 * a shape the checks choke on) is only left out: the main thread judges it itself.
 */
import { parentPort } from 'node:worker_threads'
// Deep imports on purpose: a thread is a V8 isolate of its own, and the layers' index files would
// load every schema and the whole mempool (~780 modules) into each for these few functions.
import { type VerifiedKey, verifiedKey } from '../mempool/verified-ids.ts'
import { checkCanonicalBytes } from '../protocol/canonical.ts'
import { wireText } from '../protocol/hex.ts'
import { canonicalTexts, idOfCanonical, primeSigningBytes } from '../protocol/message.ts'
import type { Message } from '../protocol/messages/index.ts'
import { verifySignatures } from '../protocol/sign.ts'
import type { SignatureJob, SignatureJobDone } from './signature-threads.ts'

const port = parentPort!

port.on('message', ({ job, messages }: SignatureJob) => {
  const started = process.threadCpuUsage()
  const ids: VerifiedKey[] = []
  const canonical = messages.map((bytes) => {
    try {
      const text = wireText(bytes)
      const message = JSON.parse(text) as Message
      if (!checkCanonicalBytes(bytes, text, message).ok) return false
      if (typeof message?.kind !== 'string') return true
      // One serialization for the id and the signed bytes, as admission does (≈ 2.5 µs of
      // ≈ 105 µs a message).
      const texts = canonicalTexts(message)
      primeSigningBytes(message, texts.signed)
      if (verifySignatures(message).ok) ids.push(verifiedKey(idOfCanonical(texts.withoutProofs), message))
      return true
    } catch {
      // Not ours to explain: the main thread will.
      return false
    }
  })
  const used = process.threadCpuUsage(started)
  port.postMessage({
    job,
    ids,
    canonical,
    cpuMs: (used.user + used.system) / 1000,
  } satisfies SignatureJobDone)
})
