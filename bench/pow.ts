/**
 * PoW hashing benchmark: our search kernels and miner against OpenSSL and Node's per-call hash.
 *
 * Usage: `node bench/pow.ts [--quick] [--json]`. `--quick` measures ~1 s per line instead of 3 s;
 * `--json` prints the figures as one JSON object (for the performance report) instead of a table.
 * OpenSSL's `speed -evp sha256 -bytes 64` is measured in the same run so ratios compare like with
 * like on this machine, at this moment. Keep the machine otherwise idle: other load skews every line.
 */
import { spawnSync } from 'node:child_process'
import { hash } from 'node:crypto'
import { availableParallelism } from 'node:os'
import { Miner } from '../src/miner/index.ts'
import { isProtocolError } from '../src/protocol/errors.ts'
import { createSearchKernel, type SearchKernel } from '../src/protocol/sha256-kernel.ts'

const quick = process.argv.includes('--quick')
const json = process.argv.includes('--json')
const seconds = quick ? 1 : 3
const cores = availableParallelism()
const prefix = hash('sha256', 'bench', 'buffer')

/** The median: robust to a short burst of load from another process on a shared machine. */
function median(values: number[]): number {
  const sorted = values.toSorted((a, b) => a - b)
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN
}

/** Calls `step` (returning the attempts it made) for `seconds` after a warm-up; median attempts/s of 250 ms windows. */
function rateOf(step: () => number, warmupMs = 300): number {
  for (let end = performance.now() + warmupMs; performance.now() < end; ) step()
  const windows: number[] = []
  for (let w = 0; w < seconds * 4; w++) {
    const start = performance.now()
    let attempts = 0
    while (performance.now() - start < 250) attempts += step()
    windows.push((attempts * 1000) / (performance.now() - start))
  }
  return median(windows)
}

function kernelRate(kernel: SearchKernel): number {
  let nonce = 0n
  const span = 1 << 16
  return rateOf(() => {
    // 256 bits: never found, so every call tries the whole span
    kernel.search(prefix, nonce, span, 256)
    nonce += BigInt(span)
    return span
  })
}

function nodeHashRate(): number {
  const input = Buffer.alloc(40)
  prefix.copy(input)
  let nonce = 0
  return rateOf(() => {
    for (let i = 0; i < 10_000; i++) {
      input.writeUInt32BE(nonce++ >>> 0, 36)
      hash('sha256', input, 'buffer')
    }
    return 10_000
  })
}

/** Steady-state rate of the worker miner: median rate between successive progress events after warm-up. */
async function minerRate(threads: number): Promise<number> {
  const miner = new Miner({ threads, progressIntervalMs: 100 })
  const samples: { attempts: number; elapsedMs: number }[] = []
  miner.addEventListener('mining:progress', (event) => samples.push(event.detail))
  const warmupMs = 700
  try {
    await miner.mine({ bound: prefix, bits: 256, signal: AbortSignal.timeout(warmupMs + seconds * 1000) })
  } catch (error) {
    if (!isProtocolError(error, 'MINING_CANCELLED')) throw error
  }
  const steady = samples.filter((s) => s.elapsedMs >= warmupMs)
  const rates = steady
    .slice(1)
    .map((s, i) => ((s.attempts - steady[i]!.attempts) * 1000) / (s.elapsedMs - steady[i]!.elapsedMs))
  if (rates.length === 0) throw new Error('miner reported too little progress to measure')
  return median(rates)
}

/** OpenSSL's single-core SHA-256 rate on 64-byte inputs, in hashes/s (it prints kB/s, k = 1000). */
function opensslRate(): number | undefined {
  const run = spawnSync('openssl', ['speed', '-evp', 'sha256', '-bytes', '64', '-seconds', String(seconds)], {
    encoding: 'utf8',
  })
  const kbPerSecond = /^sha256\s+([\d.]+)k/m.exec(run.stdout ?? '')?.[1]
  return kbPerSecond === undefined ? undefined : (Number(kbPerSecond) * 1000) / 64
}

const kernel = createSearchKernel()
const rates = {
  openssl: opensslRate(),
  nodeCryptoHash: nodeHashRate(),
  jsFallback: kernelRate(createSearchKernel({ scanner: 'js' })),
  kernel: kernelRate(kernel),
  miner1: await minerRate(1),
  minerAll: await minerRate(cores),
}
const perOpenssl = (rate: number) => (rates.openssl ? rate / rates.openssl : undefined)
const report = {
  kernel: kernel.name,
  cores,
  seconds,
  rates,
  ratios: {
    kernelPerCoreVsOpenssl: perOpenssl(rates.kernel),
    minerPerCoreVsOpenssl: perOpenssl(rates.minerAll / cores),
    jsFallbackVsOpenssl: perOpenssl(rates.jsFallback),
    kernelVsNodeCryptoHash: rates.kernel / rates.nodeCryptoHash,
    multiCoreSpeedup: rates.minerAll / rates.miner1,
  },
}

if (json) {
  console.log(JSON.stringify(report, null, 2))
} else {
  const m = (rate: number | undefined) => (rate === undefined ? 'n/a' : (rate / 1e6).toFixed(2)).padStart(8)
  const x = (ratio: number | undefined) => (ratio === undefined ? 'n/a' : `${ratio.toFixed(2)}×`).padStart(8)
  const rows: [string, number | undefined][] = [
    ['openssl speed -evp sha256, 64 B (1 core)', rates.openssl],
    ['node crypto.hash per call (1 core)', rates.nodeCryptoHash],
    ['kernel js fallback (1 core)', rates.jsFallback],
    [`kernel ${kernel.name} (1 core)`, rates.kernel],
    ['miner, 1 thread', rates.miner1],
    [`miner, ${cores} threads`, rates.minerAll],
  ]
  console.log(`PoW benchmark: ${seconds} s per line, ${cores} cores, kernel ${kernel.name}`)
  console.log(`${'measurement'.padEnd(44)}${'MH/s'.padStart(8)}${'÷ openssl'.padStart(10)}`)
  for (const [name, rate] of rows) console.log(`${name.padEnd(44)}${m(rate)}  ${x(perOpenssl(rate ?? 0))}`)
  console.log(`per core, all threads vs openssl 1 core:     ${x(report.ratios.minerPerCoreVsOpenssl)}`)
  console.log(`speed-up, ${cores} threads vs 1 thread:          ${x(report.ratios.multiCoreSpeedup)}`)
}
