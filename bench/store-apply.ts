/**
 * Persistence of a synced page, alone: N real messages admitted into a mempool page by page
 * (256, as a sync fetches them), then the same pages' changes written to a fresh SQLite store
 * in one transaction each (`MempoolStore.applyAll`, as `MegaNode.submitPage` does), timed in
 * CPU of this thread. What the store costs the main thread per synced entry.
 *
 *   node bench/store-apply.ts [--size 100000] [--rounds 3]
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Mempool } from '../src/mempool/mempool.ts'
import { admitValue } from '../src/mempool/pipeline.ts'
import { verifiedKey } from '../src/mempool/verified-ids.ts'
import { type Message, messageId } from '../src/protocol/index.ts'
import { floorsOf, openMempoolStore } from '../src/store/index.ts'
import { parse } from './admission-messages.ts'

const argv = process.argv.slice(2)
const option = (name: string) => {
  const at = argv.indexOf(name)
  return at >= 0 ? argv[at + 1] : undefined
}
const size = Number(option('--size') ?? 100_000)
const rounds = Number(option('--rounds') ?? 3)
const PAGE = Number(option('--page') ?? 256)
const cacheDir = option('--cache') ?? join(tmpdir(), 'mega-bench')
const NOW = 1_850_000_000
const LOW = { oracle: 8, capability: 8, report: 8, offer: 8 }

const files: [string, number][] = [
  ['v2_kind-oracle_keys-base_bits-8_count-100000.jsonl', Math.round(size * 0.55)],
  ['v2_kind-capability_oracles-base_bits-8_count-20000.jsonl', Math.round(size * 0.15)],
  ['v2_kind-report_oracles-base_bits-8_count-20000.jsonl', Math.round(size * 0.15)],
  ['v2_kind-offer_bits-8_count-20000.jsonl', Math.round(size * 0.15)],
]
const messages = files.flatMap(([file, count]) =>
  parse(new Uint8Array(readFileSync(join(cacheDir, file))), 0, count),
)
const cpuMs = () => {
  const { user, system } = process.threadCpuUsage()
  return (user + system) / 1000
}
for (let round = 0; round < rounds; round++) {
  // Each round admits into a fresh pool, as a fresh node does: the store reads each entry's
  // message right after its admission, as `MegaNode.submitPage` does.
  const pool = new Mempool(
    { minBits: LOW, maxOracles: size, maxOffers: size, maxBytes: 4096 * 1024 * 1024 },
    { now: () => NOW },
  )
  const dataDir = mkdtempSync(join(tmpdir(), 'mega-store-bench-'))
  const store = openMempoolStore({ dataDir })
  const floors = floorsOf(pool)
  let spent = 0
  let pages = 0
  const wall = performance.now()
  for (let at = 0; at < messages.length; at += PAGE, pages++) {
    const slice = messages.slice(at, at + PAGE) as Message[]
    // Signatures are not what this measures: the bench's own messages, taken as checked.
    for (const message of slice) pool.verified.add(verifiedKey(messageId(message), message))
    const page = slice.map((message) => admitValue(pool, message).changes)
    const started = cpuMs()
    store.applyAll(page, floors)
    spent += cpuMs() - started
  }
  console.log(
    `${messages.length} entries in ${pages} pages: ${(spent / 1000).toFixed(2)} s CPU, ${((performance.now() - wall) / 1000).toFixed(2)} s wall with admission`,
  )
  store.close()
  rmSync(dataDir, { recursive: true, force: true })
}
