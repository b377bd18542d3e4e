/**
 * A mining thread: searches the nonce chunks its parent sends and answers each with the result.
 *
 * Stateless between chunks, so the parent alone decides which ranges are searched (and can
 * report a checkpoint). Terminated by the parent; it never exits on its own.
 */
import { parentPort, workerData } from 'node:worker_threads'
// The kernel alone, not the protocol's index: a thread then starts without loading the message
// schemas and their validator (hundreds of modules, about 0.3 s of CPU per thread).
import { createSearchKernel } from '../protocol/sha256-kernel.ts'
import type { ChunkDone, ChunkOrder, WorkerSetup } from './miner.ts'

const setup = workerData as WorkerSetup
const kernel = createSearchKernel(setup.scanner ? { scanner: setup.scanner } : {})
const port = parentPort!

port.on('message', (order: ChunkOrder) => {
  const hit = kernel.search(setup.prefix, order.start, order.count, setup.bits)
  const done: ChunkDone = { start: order.start, count: order.count, hit }
  port.postMessage(done)
})
