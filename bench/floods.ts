/**
 * Two floods a hostile peer can send for free, measured on real nodes (each its own process,
 * libp2p on loopback, default network settings):
 *
 * 1. Peer-exchange flood: a peer announces 24,000 made-up peers (a fresh key each, each
 *    announcement signed as its own peer) all at one address, to node A; node B is connected to
 *    A only and never touched by the attacker. Printed: B's RSS before and after (after a full
 *    GC), how many times A and B dialled the address (a TCP port here that counts connections),
 *    how often the attacker was banned (it comes back under a new peer id each time), and the
 *    candidates A and B keep.
 * 2. Duplicate-variant flood: a peer sends 30,000 whitespace variants of a message node C holds
 *    (each other bytes, so a new gossip id), as fast as it can. Printed: C's RSS growth right
 *    after and after a full GC, its heap growth, and whether the sender was banned. Then 3,000
 *    more from a sender that comes back under a new peer id each time it is banned (what each
 *    ban costs). Also the cost of the canonical-bytes check per message, in process.
 *
 *   node bench/floods.ts            both, full size
 *   node bench/floods.ts --quick    2,400 announcements and 3,000 variants
 *   node bench/floods.ts --json     figures as JSON
 */
import { type ChildProcess, fork } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { generateKeyPair } from '@libp2p/crypto/keys'
import pino from 'pino'
import { validatePoolMessage } from '../src/mempool/pipeline.ts'
import type { NetworkStats } from '../src/network/view-schemas.ts'
import { resolveConfig } from '../src/node/config.ts'
import { MegaNode } from '../src/node/node.ts'
import { canonicalize } from '../src/protocol/canonical.ts'
import { utf8 } from '../src/protocol/hex.ts'
import { parseCanonicalMessage, parseMessage } from '../src/protocol/validate.ts'
import { type RawPeer, rawPeer } from '../test/e2e/network/raw-peer.ts'
import * as fx from '../test/support/messages.ts'

const SELF = fileURLToPath(import.meta.url)

// ---- child: one node, answering the parent's questions over IPC ------------------------------

interface NodeReport {
  rss: number
  heapUsed: number
  stats: NetworkStats
  address: string
  peerId: string
}

async function runNode(configJson: string): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), 'mega-flood-'))
  const extra = JSON.parse(configJson) as { network?: object; mempool?: object }
  const config = resolveConfig({
    dataDir,
    http: { host: '127.0.0.1', port: 0 },
    ...extra,
    network: { listen: ['/ip4/127.0.0.1/tcp/0'], ...extra.network },
  })
  const node = new MegaNode(config, { logger: pino({ level: 'silent' }) })
  await node.start()
  const report = (): NodeReport => ({
    rss: process.memoryUsage().rss,
    heapUsed: process.memoryUsage().heapUsed,
    stats: node.network!.stats(),
    address: node.network!.addresses.find((a) => a.includes('/tcp/')) ?? '',
    peerId: node.network!.peerId!.toString(),
  })
  process.on('message', async (request: { id: number; op: string; body?: unknown }) => {
    if (request.op === 'gc') {
      for (let i = 0; i < 3; i++) {
        globalThis.gc?.()
        await new Promise((resolve) => setTimeout(resolve, 100))
      }
    }
    if (request.op === 'post') {
      const checked = validatePoolMessage(request.body)
      if (checked.ok) node.submit(checked.value)
    }
    if (request.op === 'stop') {
      await node.stop()
      rmSync(dataDir, { recursive: true, force: true })
      process.send!({ id: request.id })
      process.exit(0)
    }
    process.send!({ id: request.id, report: report() })
  })
  process.send!({ id: 0, report: report() })
}

// ---- parent ------------------------------------------------------------------------------

interface NodeProcess {
  child: ChildProcess
  ask(op: string, body?: unknown): Promise<NodeReport>
}

async function startNode(config: object): Promise<NodeProcess> {
  const child = fork(SELF, ['--node', JSON.stringify(config)], { execArgv: ['--expose-gc'] })
  let next = 1
  const waiting = new Map<number, (report: NodeReport) => void>()
  const ready = new Promise<NodeReport>((resolve) => waiting.set(0, resolve))
  child.on('message', (message: { id: number; report: NodeReport }) => {
    waiting.get(message.id)?.(message.report)
    waiting.delete(message.id)
  })
  await ready
  return {
    child,
    ask(op, body) {
      const id = next++
      const answer = new Promise<NodeReport>((resolve) => waiting.set(id, resolve))
      child.send({ id, op, body })
      return answer
    },
  }
}

const MB = 1024 * 1024
const mb = (bytes: number) => Math.round((bytes / MB) * 10) / 10
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/** A raw peer connected to `address`; a fresh one (new peer id) whenever the node bans it. */
class Attacker {
  peer: RawPeer | undefined
  comebacks = 0
  /** Connections the node refused. */
  refused = 0
  readonly #address: string
  readonly #comesBack: boolean
  constructor(address: string, comesBack: boolean) {
    this.#address = address
    this.#comesBack = comesBack
  }
  /** The peer to send with, after a turn of the event loop (so a hang-up is seen). */
  async connected(): Promise<RawPeer> {
    await new Promise((resolve) => setImmediate(resolve))
    if (this.peer && (this.peer.libp2p.getConnections().length > 0 || !this.#comesBack)) return this.peer
    if (this.peer) {
      await this.peer.stop()
      this.comebacks++
    }
    // The node may refuse a burst of connections from one host for a moment: try again.
    for (let attempt = 1; ; attempt++) {
      this.peer = await rawPeer()
      try {
        await this.peer.connect(this.#address)
        return this.peer
      } catch (error) {
        await this.peer.stop()
        if (attempt === 20) throw error
        this.refused++
        await sleep(250)
      }
    }
  }
  async stop() {
    await this.peer?.stop()
  }
}

async function peerFlood(announcements: number) {
  let dials = 0
  const dead = createServer((socket) => {
    dials++
    socket.destroy()
  })
  await new Promise<void>((resolve) => dead.listen(0, '127.0.0.1', resolve))
  const deadAddress = `/ip4/127.0.0.1/tcp/${(dead.address() as { port: number }).port}`
  const a = await startNode({})
  const aInfo = await a.ask('report')
  const b = await startNode({ network: { bootstrap: [aInfo.address] } })
  while ((await b.ask('report')).stats.peers < 1) await sleep(200)
  await sleep(3000)
  const bBefore = await b.ask('gc')
  const aBefore = await a.ask('gc')
  const attacker = new Attacker(aInfo.address, true)
  const started = performance.now()
  for (let i = 0; i < announcements; i++) {
    const peer = await attacker.connected()
    await peer.announce(await generateKeyPair('Ed25519'), [deadAddress]).catch(() => {})
  }
  const floodSeconds = (performance.now() - started) / 1000
  const dialsDuringFlood = dials
  // Maintenance rounds every 5 s: what the nodes dial after the flood.
  await sleep(60_000)
  const bAfter = await b.ask('gc')
  const aAfter = await a.ask('gc')
  // Gossipsub remembers each message id it saw for two minutes (seen-cache, delivery records).
  await sleep(90_000)
  const aLater = await a.ask('gc')
  await attacker.stop()
  await Promise.all([a.ask('stop'), b.ask('stop')])
  dead.close()
  return {
    announcements,
    floodSeconds: Math.round(floodSeconds * 10) / 10,
    untouched: {
      rssBeforeMB: mb(bBefore.rss),
      rssAfterMB: mb(bAfter.rss),
      rssGrowthMB: mb(bAfter.rss - bBefore.rss),
      heapGrowthMB: mb(bAfter.heapUsed - bBefore.heapUsed),
      candidates: bAfter.stats.peerExchange.candidates,
      announcementsAccepted: bAfter.stats.peerExchange.accepted,
    },
    flooded: {
      rssGrowthMB: mb(aAfter.rss - aBefore.rss),
      heapGrowthMB: mb(aAfter.heapUsed - aBefore.heapUsed),
      rssGrowthLaterMB: mb(aLater.rss - aBefore.rss),
      heapGrowthLaterMB: mb(aLater.heapUsed - aBefore.heapUsed),
      candidates: aAfter.stats.peerExchange.candidates,
      announcementsAccepted: aAfter.stats.peerExchange.accepted,
      announcementsRejected: aAfter.stats.peerExchange.rejected,
      announcementsIgnored: aAfter.stats.peerExchange.ignored,
      bans: aAfter.stats.bans.total,
    },
    attackerComebacks: attacker.comebacks,
    deadAddressDials: {
      total: dials,
      duringFlood: dialsDuringFlood,
      inTheMinuteAfter: dials - dialsDuringFlood,
    },
  }
}

/** `count` distinct whitespace variants of one message's canonical JSON. */
function* variants(text: string, count: number): Generator<Uint8Array> {
  const cut = text.indexOf(',') + 1
  for (let i = 1; i <= count; i++)
    yield utf8(
      `${text.slice(0, cut)}${' '.repeat(i % 100)}${text.slice(cut)}${' '.repeat(Math.floor(i / 100))}`,
    )
}

/** `comesBack`: the sender returns under a new peer id whenever it is banned. */
async function variantFlood(count: number, comesBack: boolean) {
  const ad = fx.oracleAd()
  const c = await startNode({ mempool: { minBits: { oracle: 8 } } })
  await c.ask('post', ad)
  const before = await c.ask('gc')
  const attacker = new Attacker(before.address, comesBack)
  const started = performance.now()
  let sent = 0
  for (const bytes of variants(canonicalize(ad), count)) {
    const peer = await attacker.connected()
    await peer.publish('oracle', bytes).catch(() => {})
    sent++
  }
  const floodSeconds = (performance.now() - started) / 1000
  await sleep(2000)
  const right = await c.ask('report')
  const after = await c.ask('gc')
  await attacker.stop()
  await c.ask('stop')
  return {
    variants: sent,
    floodSeconds: Math.round(floodSeconds * 10) / 10,
    rssBeforeMB: mb(before.rss),
    rssGrowthMB: mb(right.rss - before.rss),
    rssGrowthAfterGcMB: mb(after.rss - before.rss),
    heapGrowthAfterGcMB: mb(after.heapUsed - before.heapUsed),
    received: after.stats.wire.received,
    rejected: after.stats.gossip.rejected,
    ignored: after.stats.gossip.ignored,
    senderBanned: after.stats.bans.total > 0,
    bans: after.stats.bans.total,
    attackerComebacks: attacker.comebacks,
  }
}

/** Microseconds per message of parsing, with and without the canonical-bytes check. */
function checkCost(rounds = 100_000) {
  const ads = Array.from({ length: 100 }, (_, i) => utf8(canonicalize(fx.oracleAd({ seqNo: i + 1 }))))
  const time = (parse: (bytes: Uint8Array) => unknown) => {
    for (let i = 0; i < 2000; i++) parse(ads[i % ads.length]!)
    const start = performance.now()
    for (let i = 0; i < rounds; i++) parse(ads[i % ads.length]!)
    return ((performance.now() - start) * 1000) / rounds
  }
  // Best of three, alternating (the first rounds warm the JIT up).
  let plain = Number.POSITIVE_INFINITY
  let canonical = Number.POSITIVE_INFINITY
  for (let i = 0; i < 3; i++) {
    plain = Math.min(
      plain,
      time((bytes) => parseMessage(bytes, 'oracle')),
    )
    canonical = Math.min(
      canonical,
      time((bytes) => parseCanonicalMessage(bytes, 'oracle')),
    )
  }
  const round = (us: number) => Math.round(us * 100) / 100
  return { parseUs: round(plain), parseCanonicalUs: round(canonical), checkUs: round(canonical - plain) }
}

async function main() {
  const { values } = parseArgs({
    options: { node: { type: 'string' }, quick: { type: 'boolean' }, json: { type: 'boolean' } },
  })
  if (values.node !== undefined) return runNode(values.node)
  const quick = values.quick ?? false
  const cost = checkCost()
  const variant = await variantFlood(quick ? 3_000 : 30_000, false)
  const returning = await variantFlood(3_000, true)
  const peers = await peerFlood(quick ? 2_400 : 24_000)
  const result = {
    canonicalCheck: cost,
    variantFlood: variant,
    variantFloodComingBack: returning,
    peerFlood: peers,
  }
  if (values.json) console.log(JSON.stringify(result, null, 2))
  else {
    console.log(
      `canonical-bytes check: ${cost.checkUs} µs a message (parse ${cost.parseUs} → ${cost.parseCanonicalUs} µs)`,
    )
    for (const [name, v] of [
      ['variant flood, one sender', variant],
      ['variant flood, sender coming back under new ids', returning],
    ] as const)
      console.log(
        `${name}: ${v.variants} variants sent in ${v.floodSeconds} s, ${v.received} reached the node; RSS +${v.rssGrowthMB} MB, +${v.rssGrowthAfterGcMB} MB after GC (from ${v.rssBeforeMB}), heap +${v.heapGrowthAfterGcMB} MB; ${v.rejected} rejected; sender banned: ${v.senderBanned} (${v.bans} bans)`,
      )
    console.log(
      `peer flood: ${peers.announcements} announcements in ${peers.floodSeconds} s; untouched node RSS ${peers.untouched.rssBeforeMB} → ${peers.untouched.rssAfterMB} MB (+${peers.untouched.rssGrowthMB}, heap +${peers.untouched.heapGrowthMB}), ${peers.untouched.candidates} candidates; flooded node RSS +${peers.flooded.rssGrowthMB} MB (heap +${peers.flooded.heapGrowthMB}; 2.5 min after the flood +${peers.flooded.rssGrowthLaterMB}, heap +${peers.flooded.heapGrowthLaterMB}), ${peers.flooded.candidates} candidates, ${peers.flooded.announcementsAccepted} accepted, ${peers.flooded.announcementsIgnored} ignored, ${peers.flooded.announcementsRejected} rejected, ${peers.flooded.bans} bans (attacker came back ${peers.attackerComebacks} times); dead address dialled ${peers.deadAddressDials.total} times (${peers.deadAddressDials.inTheMinuteAfter} in the minute after)`,
    )
  }
}

await main()
