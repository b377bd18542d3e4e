/**
 * docs/operations.md's systemd unit and Dockerfile: they parse, and what they name exists and
 * means what they say — the pinned Node and bin/mega.js in the checkout, a command line and
 * flags the CLI accepts, environment variables the configuration reads, ports the node uses.
 */
import assert from 'node:assert/strict'
import { existsSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { describe, it } from 'node:test'
import { parseCommandArgs, resolveCommand } from '../../../src/cli/command.ts'
import { p2pListenAddresses } from '../../../src/cli/commands/node-start.ts'
import { COMMANDS } from '../../../src/cli/main.ts'
import { loadConfig } from '../../../src/node/config.ts'

const ROOT = new URL('../../..', import.meta.url).pathname
const PINNED_NODE = 'node_modules/.bin/node'

async function block(language: string): Promise<string> {
  const text = await readFile(join(ROOT, 'docs/operations.md'), 'utf8')
  const blocks = [...text.matchAll(new RegExp(`^\`\`\`${language}\\n([\\s\\S]*?)^\`\`\`$`, 'gm'))]
  assert.equal(blocks.length, 1, `one ${language} block`)
  return blocks[0]![1]!
}

/** The `mega` arguments a command line gives, checked against the CLI's own table. */
function checkMegaArgs(argv: string[]): { values: Record<string, unknown> } {
  const resolved = resolveCommand(COMMANDS, argv)
  assert.ok(resolved, `a mega command: ${argv.join(' ')}`)
  assert.deepEqual(resolved.path, ['node'])
  return parseCommandArgs(resolved.command, resolved.rest)
}

describe('docs/operations.md', () => {
  it('the systemd unit parses and runs bin/mega.js node on the pinned Node', async () => {
    const sections = new Map<string, [string, string][]>()
    let current: [string, string][] | undefined
    for (const line of (await block('ini')).split('\n')) {
      if (line === '' || line.startsWith('#')) continue
      const header = /^\[(\w+)\]$/.exec(line)
      if (header) {
        current = []
        sections.set(header[1]!, current)
      } else {
        const entry = /^([A-Za-z]+)=(.+)$/.exec(line)
        assert.ok(entry && current, `a key=value line in a section: ${line}`)
        current.push([entry[1]!, entry[2]!])
      }
    }
    assert.deepEqual([...sections.keys()], ['Unit', 'Service', 'Install'])
    const service = sections.get('Service')!
    const one = (key: string) => service.find(([name]) => name === key)?.[1]
    const workingDirectory = one('WorkingDirectory')!
    const [executable, script, ...argv] = one('ExecStart')!.split(' ')
    assert.equal(executable, `${workingDirectory}/${PINNED_NODE}`)
    assert.ok(existsSync(join(ROOT, PINNED_NODE)), 'npm ci installs the pinned Node there')
    assert.ok(existsSync(join(ROOT, script!)), `${script} is in the checkout`)
    const { values } = checkMegaArgs(argv)
    assert.equal(one('KillSignal'), 'SIGTERM', 'the signal the node stops gracefully on')
    const env = Object.fromEntries(
      service
        .filter(([key]) => key === 'Environment')
        .map(([, value]) => value.split('=') as [string, string]),
    )
    const config = await loadConfig(undefined, env)
    assert.equal(config.dataDir, '/var/lib/mega')
    assert.equal(one('StateDirectory'), 'mega', 'systemd creates /var/lib/mega for the node')
    assert.deepEqual(config.http, { host: '127.0.0.1', port: 8080 })
    assert.deepEqual(p2pListenAddresses(values.p2p as string), [
      '/ip4/0.0.0.0/tcp/9090',
      '/ip4/0.0.0.0/tcp/9091/ws',
    ])
  })

  it('the Dockerfile parses, builds on Node 24 and runs the same command on the pinned Node', async () => {
    const pkg = JSON.parse(await readFile(join(ROOT, 'package.json'), 'utf8')) as {
      engines: { node: string }
    }
    const instructions = (await block('dockerfile'))
      .replace(/\\\n/g, ' ')
      .split('\n')
      .filter((line) => line.trim() !== '' && !line.startsWith('#'))
      .map((line) => {
        const match = /^([A-Z]+)\s+(.+)$/.exec(line)
        assert.ok(match, `an instruction: ${line}`)
        return [match[1]!, match[2]!] as const
      })
    const known = ['FROM', 'WORKDIR', 'COPY', 'RUN', 'ENV', 'USER', 'VOLUME', 'EXPOSE', 'STOPSIGNAL', 'CMD']
    for (const [name] of instructions) assert.ok(known.includes(name), `known instruction ${name}`)
    const all = (name: string) => instructions.filter(([key]) => key === name).map(([, value]) => value)
    assert.equal(instructions[0]![0], 'FROM')
    const major = /^node:(\d+)/.exec(all('FROM')[0]!)?.[1]
    assert.equal(`>=${major}`, pkg.engines.node, 'the base image is the Node major the package requires')
    for (const copy of all('COPY')) {
      for (const source of copy.split(/\s+/).slice(0, -1))
        assert.ok(existsSync(join(ROOT, source)), `COPY ${source} exists`)
    }
    const env = Object.fromEntries(
      all('ENV')
        .flatMap((value) => value.split(/\s+/))
        .map((pair) => pair.split('=') as [string, string]),
    )
    const config = await loadConfig(undefined, env)
    assert.equal(config.dataDir, '/var/lib/mega')
    assert.deepEqual(all('VOLUME'), [config.dataDir])
    assert.equal(all('STOPSIGNAL')[0], 'SIGTERM')
    const cmd = JSON.parse(all('CMD')[0]!) as string[]
    assert.deepEqual(cmd.slice(0, 2), [PINNED_NODE, 'bin/mega.js'])
    const { values } = checkMegaArgs(cmd.slice(2))
    const p2pPort = Number((values.p2p as string).split(':').at(-1))
    assert.deepEqual(
      all('EXPOSE')[0]!.split(' ').map(Number),
      [config.http.port, p2pPort, p2pPort + 1],
      'the API port and the peer-to-peer TCP and WebSocket ports',
    )
  })
})
