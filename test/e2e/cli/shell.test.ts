/**
 * The `mega` executable in a shell: a reader that goes away early ends it quietly, and under
 * `npm run` relative paths resolve against the directory the user typed in.
 */
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { readFileSync, readlinkSync } from 'node:fs'
import { mkdtemp, rm, stat } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, it } from 'node:test'

const MEGA = new URL('../../../bin/mega.ts', import.meta.url).pathname
const ROOT = new URL('../../..', import.meta.url).pathname

async function runMega(
  argv: string[],
  options: { env?: NodeJS.ProcessEnv; cwd?: string; closeStdout?: boolean } = {},
): Promise<{ code: number | null; err: string }> {
  const child = spawn(process.execPath, [MEGA, ...argv], {
    cwd: options.cwd ?? ROOT,
    env: { ...process.env, ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  // The reader that stops at once, like `| head -c0` or a `jq` that failed on its input.
  if (options.closeStdout) child.stdout.destroy()
  else child.stdout.resume()
  let err = ''
  child.stderr.on('data', (chunk) => (err += chunk))
  const [code] = (await once(child, 'exit')) as [number | null]
  return { code, err }
}

describe('mega in a shell', () => {
  it('ends quietly with code 0 when its standard output is closed (EPIPE)', async () => {
    for (const argv of [['--help'], ['oracle', '--help'], ['keygen']]) {
      const { code, err } = await runMega(argv, { closeStdout: true })
      assert.equal(err, '', `no stack trace for ${argv.join(' ')}`)
      assert.equal(code, 0)
    }
  })

  it('stops when the npm that started it is gone, instead of running on as an orphan', {
    timeout: 60_000,
  }, async () => {
    const data = await mkdtemp(join(tmpdir(), 'mega-orphan-'))
    try {
      // npm runs a script as `sh -c '…'`; a SIGTERM to npm ends npm and the shell, not the script.
      const shell = spawn(
        'sh',
        [
          '-c',
          `"${process.execPath}" "${MEGA}" node --data "${data}" --http 127.0.0.1:0 > /dev/null & echo $!; wait`,
        ],
        {
          cwd: ROOT,
          env: {
            ...process.env,
            INIT_CWD: data,
            npm_lifecycle_script: 'node bin/mega.ts',
            MEGA_NETWORK__ENABLED: 'false',
            MEGA_LOG_LEVEL: 'warn',
          },
          stdio: ['ignore', 'pipe', 'ignore'],
        },
      )
      const [line] = (await once(shell.stdout, 'data')) as [Buffer]
      const pid = Number(line.toString().trim())
      // Running, not a zombie waiting for whoever adopted it to reap it (Linux's /proc).
      const alive = () => {
        try {
          return !/^State:\s+Z/m.test(readFileSync(`/proc/${pid}/status`, 'utf8'))
        } catch {
          return false
        }
      }
      // Started (it has moved to INIT_CWD, just before it begins to watch its parent).
      for (let waited = 0; readlinkSync(`/proc/${pid}/cwd`) !== data && waited < 30_000; waited += 100)
        await new Promise((resolve) => setTimeout(resolve, 100))
      await new Promise((resolve) => setTimeout(resolve, 1000))
      assert.ok(alive(), 'the node runs while its parent does')
      shell.kill('SIGKILL')
      let waited = 0
      while (alive() && waited < 30_000) {
        await new Promise((resolve) => setTimeout(resolve, 100))
        waited += 100
      }
      assert.ok(!alive(), 'the node stopped after its parent died')
    } finally {
      await rm(data, { recursive: true, force: true })
    }
  })

  it('resolves relative paths against INIT_CWD when npm runs it as our script', async () => {
    const { scripts } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
      scripts: Record<string, string>
    }
    // `npm run mega` (the launcher, bin/mega.js) and a script that runs bin/mega.ts itself.
    for (const script of [scripts.mega!, 'node bin/mega.ts']) {
      const typedIn = await mkdtemp(join(tmpdir(), 'mega-init-cwd-'))
      try {
        const { code, err } = await runMega(['oracle', 'init', '--dir', './my-oracle', '--json'], {
          cwd: ROOT,
          env: {
            INIT_CWD: typedIn,
            npm_lifecycle_script: script,
            MEGA_ORACLE_PASSPHRASE: 'a passphrase for the test',
          },
        })
        assert.equal(code, 0, err)
        assert.ok((await stat(join(typedIn, 'my-oracle', 'keystore.json'))).isFile(), script)
        await assert.rejects(stat(join(ROOT, 'my-oracle')), { code: 'ENOENT' })
      } finally {
        await rm(typedIn, { recursive: true, force: true })
        await rm(join(ROOT, 'my-oracle'), { recursive: true, force: true })
      }
    }
  })
})
