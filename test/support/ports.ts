/**
 * Ports for tests that must name a port before something listens on it (a node process's
 * `--http`, an oracle's endpoint baked into its signed ad). A candidate is drawn below Linux's
 * ephemeral range (32768–60999 by default), where the kernel never places the local end of an
 * outgoing connection, so nothing takes it between the check and the child's listen but another
 * listener; the helper then proves it free by listening on it, and closes. What can listen on
 * port 0 itself should (the in-process node does).
 */
import { createServer, type Server } from 'node:net'

/** Candidates: registered ports no common service on a test machine uses, under 32768. */
const LOWEST = 10_000
const BELOW = 32_000

/** A TCP port free on 127.0.0.1 now. */
export async function freePort(): Promise<number> {
  const [port] = await freePortRanges(1)
  return port!
}

/**
 * For each count, the first of that many consecutive TCP ports free on 127.0.0.1 now (a node
 * process takes its WebSocket port next to its TCP port, a devnet one port per node). The
 * ranges do not overlap: every port stays held until all are found.
 */
export async function freePortRanges(...counts: number[]): Promise<number[]> {
  const held: Server[] = []
  try {
    const firsts: number[] = []
    for (const count of counts) firsts.push(await holdRange(count, held))
    return firsts
  } finally {
    await Promise.all(held.map((server) => new Promise((done) => server.close(done))))
  }
}

async function holdRange(count: number, held: Server[]): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const candidate = LOWEST + Math.floor(Math.random() * (BELOW - LOWEST - count))
    const first = await listen(candidate)
    if (!first) continue
    const range = [first]
    for (let next = 1; next < count; next++) {
      const server = await listen(address(first) + next)
      if (!server) break
      range.push(server)
    }
    if (range.length === count) {
      held.push(...range)
      return address(first)
    }
    await Promise.all(range.map((server) => new Promise((done) => server.close(done))))
  }
  throw new Error(`no ${count} consecutive free ports on 127.0.0.1`)
}

/** A server listening on `port` of 127.0.0.1, or undefined when it is taken. */
function listen(port: number): Promise<Server | undefined> {
  if (port > 65_535) return Promise.resolve(undefined)
  return new Promise((resolve) => {
    const server = createServer()
    server.once('error', () => resolve(undefined))
    server.listen(port, '127.0.0.1', () => resolve(server))
  })
}

function address(server: Server): number {
  return (server.address() as { port: number }).port
}
