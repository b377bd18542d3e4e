/**
 * The documentation's blocks marked `<!-- doc-test: run -->` are run in bash, document by
 * document (one shell each, like a user in one terminal), in a fresh directory inside the checkout,
 * against a node started for the test. The only liberty taken: the docs' fixed ports (node 8080,
 * oracle endpoint 8090) become free ones, so the test can run beside anything else.
 */
import assert from 'node:assert/strict'
import { type ChildProcess, spawn } from 'node:child_process'
import { once } from 'node:events'
import { mkdir, mkdtemp, rm } from 'node:fs/promises'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { NodeClient } from '../../../src/client/node-client.ts'
import { ROOT, RUN_MARK, shellBlocks } from '../../support/doc-blocks.ts'
import { freePort } from '../../support/ports.ts'

const MEGA = join(ROOT, 'bin/mega.ts')
/** Documents whose marked blocks run, in this order (the traders' part reads the oracle's ad). */
const RUN_ORDER = ['README.md', 'docs/oracles.md', 'docs/traders.md']

describe('documented commands', () => {
  describe('blocks marked to run', () => {
    let node: ChildProcess | undefined
    let work = ''
    let nodePort = 0
    before(
      async () => {
        await mkdir(join(ROOT, '.tmp'), { recursive: true })
        work = await mkdtemp(join(ROOT, '.tmp', 'doc-commands-'))
        nodePort = await freePort()
        node = spawn(
          process.execPath,
          [MEGA, 'node', '--data', join(work, 'node-data'), '--http', `127.0.0.1:${nodePort}`],
          {
            env: { ...process.env, MEGA_LOG_LEVEL: 'warn', MEGA_NETWORK__ENABLED: 'false' },
            stdio: 'ignore',
          },
        )
        const client = new NodeClient({ url: `http://127.0.0.1:${nodePort}`, timeoutMs: 2000 })
        // A loaded machine may take many seconds to start a node.
        for (const deadline = Date.now() + 90_000; ; ) {
          try {
            if ((await client.get('health')).status === 200) break
          } catch {
            if (Date.now() > deadline) throw new Error('node did not start')
            await new Promise((resolve) => setTimeout(resolve, 100))
          }
        }
      },
      { timeout: 120_000 },
    )
    after(async () => {
      node?.kill('SIGTERM')
      if (node && node.exitCode === null) await once(node, 'exit')
      await rm(work, { recursive: true, force: true })
    })

    for (const file of RUN_ORDER) {
      it(`${file}: its marked blocks run as written`, { timeout: 240_000 }, async () => {
        assert.ok(work.startsWith(join(ROOT, '.tmp')) && nodePort > 0, 'runs only in its own directory')
        const blocks = (await shellBlocks(file)).filter((block) => block.run)
        assert.ok(blocks.length > 0, `${file} has no block marked ${RUN_MARK}`)
        const endpointPort = await freePort()
        const script = [
          'set -euo pipefail',
          // Whatever a block left running in the background (an oracle endpoint) stops with it.
          "trap 'kill $(jobs -p) 2>/dev/null || true' EXIT",
          ...blocks.map((block) =>
            block.text
              .replaceAll('127.0.0.1:8080', `127.0.0.1:${nodePort}`)
              .replaceAll(/\b8090\b/g, String(endpointPort)),
          ),
        ].join('\n')
        const shell = spawn('bash', ['-c', script], {
          cwd: work,
          env: { ...process.env, MEGA_NODE: `http://127.0.0.1:${nodePort}` },
          stdio: ['ignore', 'pipe', 'pipe'],
        })
        let output = ''
        shell.stdout.on('data', (chunk) => (output += chunk))
        shell.stderr.on('data', (chunk) => (output += chunk))
        const timer = setTimeout(() => shell.kill('SIGKILL'), 200_000)
        const [code] = (await once(shell, 'exit')) as [number | null]
        clearTimeout(timer)
        assert.equal(code, 0, `${file} failed:\n${output}`)
        assert.doesNotMatch(output, /^\s+at .*\(.*:\d+:\d+\)$/m, `a stack trace in the output:\n${output}`)
      })
    }
  })
})
