/**
 * `npm run test:unit`: the unit tests in two shared processes plus one for the few that need a
 * process of their own, all three at once.
 *
 * A process per file spent most of the set's CPU loading the same modules again (the protocol's
 * schemas alone are some 700 modules); two processes load them twice. The files of a shared
 * process run one after another (`--test-isolation=none`), so a file must leave no state behind:
 * the ones below that watch the whole process (its threads, its heap) keep a process each. Every
 * process has the no-I/O preload (test/support/no-io.ts). Extra arguments go to every `node --test`.
 */
import { spawn } from 'node:child_process'
import { glob } from 'node:fs/promises'

/** Files that observe process-wide state another file's tests would disturb. */
const OWN_PROCESS = new Set([
  // counts every worker thread of the process through the diagnostics channel
  'test/unit/miner/miner.test.ts',
  // starts and stops the signature threads and waits for them to go idle
  'test/unit/node/signature-threads.test.ts',
  // measures what a full garbage collection leaves on the process's heap
  'test/unit/node/heap.test.ts',
])

const NODE_ARGS = ['--import', './test/support/no-io.ts', '--test', '--test-timeout=120000']

const files: string[] = []
for await (const file of glob('test/unit/**/*.test.ts')) files.push(file)
files.sort()
const shared = files.filter((file) => !OWN_PROCESS.has(file))
const own = files.filter((file) => OWN_PROCESS.has(file))
const extra = process.argv.slice(2)

/** Runs `node --test` on `files`; its output is printed whole when it ends, so runs do not interleave. */
function runTests(label: string, args: string[], list: string[]): Promise<number> {
  const child = spawn(process.execPath, [...NODE_ARGS, ...args, ...extra, ...list], {
    env: { NODE_COMPILE_CACHE: '.tmp/compile-cache', ...process.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  const chunks: Buffer[] = []
  child.stdout.on('data', (chunk: Buffer) => chunks.push(chunk))
  child.stderr.on('data', (chunk: Buffer) => chunks.push(chunk))
  return new Promise((resolve) => {
    child.on('close', (code, signal) => {
      process.stdout.write(`\n# ${label}: ${list.length} files\n`)
      process.stdout.write(Buffer.concat(chunks))
      resolve(code ?? (signal ? 1 : 0))
    })
  })
}

const halves = [0, 1].map((half) => shared.filter((_, i) => i % 2 === half))
const runs = {
  'shared process 1': runTests('shared process 1', ['--test-isolation=none'], halves[0]!),
  'shared process 2': runTests('shared process 2', ['--test-isolation=none'], halves[1]!),
  'a process per file': runTests('a process per file', ['--test-concurrency=1'], own),
}
const failed: string[] = []
for (const [label, done] of Object.entries(runs)) if ((await done) !== 0) failed.push(label)
process.stdout.write(
  failed.length ? `\n# unit tests FAILED in: ${failed.join(', ')}\n` : '\n# unit tests: all passed\n',
)
process.exitCode = failed.length ? 1 : 0
