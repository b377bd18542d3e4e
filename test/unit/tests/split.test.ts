/**
 * The unit tests stay unit tests: no file under test/unit, nor any test module it imports
 * (test/support, its own helpers), opens a socket (node:net, node:http(s) servers, fetch,
 * WebSocket, libp2p transports, a `listen(`), starts a process (node:child_process, esbuild) or a
 * browser (playwright), runs a node (`new MegaNode`), or imports anything under test/e2e. A test
 * that needs one of these belongs in test/e2e. At run time, `npm run test:unit` preloads
 * test/support/no-io.ts, which refuses the same through src and dependencies too.
 */
import assert from 'node:assert/strict'
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { dirname, join, relative, resolve } from 'node:path'
import { describe, it } from 'node:test'

const TEST = new URL('../..', import.meta.url).pathname

/** Modules whose mere import means sockets, processes or a browser. */
const FORBIDDEN_MODULES: [RegExp, string][] = [
  [/^(node:)?(net|tls|http|https|http2|dgram)$/, 'sockets'],
  [/^(node:)?(child_process|cluster)$/, 'child processes'],
  [
    /^libp2p$|^@libp2p\/(tcp|websockets|webrtc|webtransport|mdns|bootstrap|circuit-relay-v2)$/,
    'a libp2p node',
  ],
  [/^playwright/, 'a browser'],
  [/^esbuild$/, 'a child process (esbuild)'],
]

/** Calls that open a socket or start a process, whatever module they come from. */
const FORBIDDEN_CALLS: [RegExp, string][] = [
  [/\.listen\s*\(/, 'listens on a port'],
  [/(?<![\w$.])(spawn|spawnSync|fork|exec|execSync|execFile|execFileSync)\s*\(/, 'starts a process'],
  [/(?<![\w$.])fetch\s*\(/, 'fetches over the network'],
  [/\b(createServer|createConnection|createLibp2p)\s*\(/, 'opens a socket'],
  [/\bnew\s+WebSocket\s*\(/, 'opens a WebSocket'],
  [/\bnew\s+MegaNode\b/, 'runs a node'],
  [/\bchromium\s*\.\s*launch\b/, 'launches a browser'],
]

/**
 * Static imports and re-exports (each from its own line on) and dynamic imports, matched in the
 * code without comments and strings: the specifier is read from the source at the quotes' place.
 */
const IMPORT =
  /^[ \t]*(?:import|export)\s+(type\s+)?(?:(?:(?!^\s*(?:import|export)\b)[^'"])*?\s+from\s+)?(' *')|\bimport\(\s*(' *')\s*\)/gm

/** The code with its comments and the insides of its quoted strings blanked, lines and columns kept. */
function codeOnly(text: string): string {
  const blank = (part: string) => part.replace(/[^\n]/g, ' ')
  return text
    .replace(/\/\*[\s\S]*?\*\//g, blank)
    .replace(/(^|[^:\\])(\/\/.*)$/gm, (_line, before: string, comment: string) => before + blank(comment))
    .replace(/'(?:[^'\\\n]|\\.)*'|"(?:[^"\\\n]|\\.)*"/g, (quoted) => `'${' '.repeat(quoted.length - 2)}'`)
}

const lineOf = (text: string, index: number) => text.slice(0, index).split('\n').length

/**
 * What makes `file`, or a test module it imports (transitively, within `root`), an end-to-end
 * test: one line per use, `file:line: what`, with the chain of imports that leads there.
 */
async function endToEndUses(file: string, root: string, e2eDir: string): Promise<string[]> {
  const found: string[] = []
  const seen = new Set<string>()
  const visit = async (path: string, chain: string[]) => {
    if (seen.has(path)) return
    seen.add(path)
    const text = await readFile(path, 'utf8')
    const code = codeOnly(text)
    const where = (index: number, what: string) =>
      `${[...chain, relative(root, path)].join(' → ')}:${lineOf(text, index)}: ${what}`
    for (const match of code.matchAll(IMPORT)) {
      const [whole, typeOnly, staticSpec, dynamicSpec] = match
      if (typeOnly) continue
      const quoted = (staticSpec ?? dynamicSpec)!
      const at = match.index + whole.lastIndexOf(quoted)
      const spec = text.slice(at + 1, at + quoted.length - 1)
      for (const [pattern, what] of FORBIDDEN_MODULES)
        if (pattern.test(spec)) found.push(where(match.index, `imports ${spec} (${what})`))
      if (!spec.startsWith('.')) continue
      const target = resolve(dirname(path), spec)
      if (target.startsWith(e2eDir)) found.push(where(match.index, `imports ${relative(root, target)}`))
      else if (target.startsWith(root) && /\.tsx?$/.test(target))
        await visit(target, [...chain, relative(root, path)])
    }
    for (const [pattern, what] of FORBIDDEN_CALLS) {
      for (const match of code.matchAll(new RegExp(pattern, 'g'))) found.push(where(match.index, what))
    }
  }
  await visit(file, [])
  return found
}

async function unitFiles(): Promise<string[]> {
  const names = await readdir(join(TEST, 'unit'), { recursive: true })
  return names.filter((name) => /\.tsx?$/.test(name)).map((name) => join(TEST, 'unit', name))
}

describe('the unit tests', () => {
  it('open no socket, start no process, browser or node, and import nothing of test/e2e', async () => {
    const files = await unitFiles()
    assert.ok(files.length > 50, `found only ${files.length} files under test/unit`)
    const found: string[] = []
    for (const file of files) found.push(...(await endToEndUses(file, TEST, join(TEST, 'e2e'))))
    assert.deepEqual(found, [], 'move these tests to test/e2e, or what they use out of their way')
  })

  it('the check sees a socket, a process or an e2e helper, directly or through a helper', async (t) => {
    const root = await mkdtemp(join(tmpdir(), 'mega-split-'))
    t.after(() => rm(root, { recursive: true, force: true }))
    await mkdir(join(root, 'unit'), { recursive: true })
    await mkdir(join(root, 'support'), { recursive: true })
    await mkdir(join(root, 'e2e'), { recursive: true })
    const files: Record<string, string> = {
      'support/server.ts': [
        "import { createServer } from 'node:http'",
        'export const up = () => createServer().listen(0)',
      ].join('\n'),
      'support/clean.ts':
        "export type S = import('node:http').Server\nexport type { Server } from 'node:http'",
      'e2e/nodes.ts': 'export const nodes = 1',
      'unit/direct.test.ts': [
        "import { spawn } from 'node:child_process'",
        "import { chromium } from 'playwright-core'",
        "it('says listen( and fetch( in a name', () => spawn('true'))",
        '// app.listen() in a comment',
        'await fetch(url)',
      ].join('\n'),
      'unit/helper.test.ts': "import { up } from '../support/server.ts'\nup()",
      'unit/boundary.test.ts': "import { nodes } from '../e2e/nodes.ts'",
      'unit/clean.test.ts': [
        "import type { S } from '../support/clean.ts'",
        "import { peerIdFromString } from '@libp2p/peer-id'",
        '/re/.exec(text); api.app.inject({})',
      ].join('\n'),
    }
    for (const [name, text] of Object.entries(files)) await writeFile(join(root, name), `${text}\n`)
    const uses = async (name: string) => endToEndUses(join(root, name), root, join(root, 'e2e'))

    assert.deepEqual(await uses('unit/direct.test.ts'), [
      'unit/direct.test.ts:1: imports node:child_process (child processes)',
      'unit/direct.test.ts:2: imports playwright-core (a browser)',
      'unit/direct.test.ts:3: starts a process',
      'unit/direct.test.ts:5: fetches over the network',
    ])
    assert.deepEqual(await uses('unit/helper.test.ts'), [
      'unit/helper.test.ts → support/server.ts:1: imports node:http (sockets)',
      'unit/helper.test.ts → support/server.ts:2: listens on a port',
      'unit/helper.test.ts → support/server.ts:2: opens a socket',
    ])
    assert.deepEqual(await uses('unit/boundary.test.ts'), ['unit/boundary.test.ts:1: imports e2e/nodes.ts'])
    assert.deepEqual(await uses('unit/clean.test.ts'), [], 'types, pure libp2p modules and inject are fine')
  })
})
