/**
 * The layers of src/ (README.md's "Layout", .dependency-cruiser.cjs): the rules hold for the
 * code as it is, and each rule refuses the import it is about, shown on a small tree of bad
 * imports in a temporary directory.
 */
import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { copyFile, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { promisify } from 'node:util'

const ROOT = new URL('../../..', import.meta.url).pathname
const DEPCRUISE = join(ROOT, 'node_modules/.bin/depcruise')
const CONFIG = join(ROOT, '.dependency-cruiser.cjs')

interface Violation {
  rule: { name: string; severity: string }
  from: string
  to: string
}

/** Runs the project's rules over `dirs` of `cwd`; returns the violations found. */
async function cruise(cwd: string, dirs: string[]): Promise<Violation[]> {
  const run = promisify(execFile)
  const args = [...dirs, '--config', CONFIG, '--output-type', 'json']
  // depcruise exits non-zero when it finds errors; its report is on stdout either way.
  const { stdout } = await run(DEPCRUISE, args, { cwd, maxBuffer: 64 * 1024 * 1024 }).catch(
    (error: { stdout?: string }) => {
      if (typeof error.stdout !== 'string' || error.stdout === '') throw error
      return { stdout: error.stdout }
    },
  )
  return (JSON.parse(stdout) as { summary: { violations: Violation[] } }).summary.violations
}

/** A tree where each file breaks one rule (and the modules they import). */
const BAD_TREE: Record<string, string> = {
  'src/api/index.ts': 'export const api = 1\n',
  'src/cli/index.ts': 'export const cli = 1\n',
  'src/oracle/index.ts': 'export const oracle = 1\n',
  'src/trader/index.ts': 'export const trader = 1\n',
  'src/trader/store.ts': 'export const store = 1\n',
  'src/mempool/index.ts': "export { pool } from './pool.ts'\n",
  'src/mempool/pool.ts': 'export const pool = 1\n',
  'src/protocol/index.ts': 'export const protocol = 1\n',
  // the protocol core imports nothing of ours, and no Node built-in
  'src/protocol/up.ts': "import { api } from '../api/index.ts'\nexport const up = api\n",
  'src/protocol/io.ts': "import { readFileSync } from 'node:fs'\nexport const io = readFileSync\n",
  // the toolkits import neither each other nor the command line
  'src/trader/ask.ts': "import { oracle } from '../oracle/index.ts'\nexport const ask = oracle\n",
  'src/oracle/run.ts': "import { cli } from '../cli/index.ts'\nexport const run = cli\n",
  // another layer through its index.ts only
  'src/store/deep.ts': "import { pool } from '../mempool/pool.ts'\nexport const deep = pool\n",
  // the dashboard takes only types from the mempool, and no Node-only trader module
  'src/dashboard/ui/view.ts':
    "import { pool } from '../../mempool/index.ts'\nimport { store } from '../../trader/store.ts'\nexport const view = [pool, store]\n",
  // no cycles
  'src/sync/a.ts': "import { b } from './b.ts'\nexport const a = () => b\n",
  'src/sync/b.ts': "import { a } from './a.ts'\nexport const b = () => a\n",
}

describe('layers', () => {
  let dir: string

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'mega-layers-'))
    await copyFile(join(ROOT, 'tsconfig.json'), join(dir, 'tsconfig.json'))
    for (const [path, text] of Object.entries(BAD_TREE)) {
      await mkdir(dirname(join(dir, path)), { recursive: true })
      await writeFile(join(dir, path), text)
    }
  })
  after(() => rm(dir, { recursive: true, force: true }))

  it('src and bin keep every rule', async () => {
    const errors = (await cruise(ROOT, ['src', 'bin'])).filter(({ rule }) => rule.severity === 'error')
    assert.deepEqual(
      errors.map(({ rule, from, to }) => `${rule.name}: ${from} → ${to}`),
      [],
    )
  })

  it('refuses each kind of bad import, naming its rule', async () => {
    const found = new Set(
      (await cruise(dir, ['src'])).map(({ rule, from, to }) => `${rule.name}: ${from} → ${to}`),
    )
    const expected = [
      'layer-protocol: src/protocol/up.ts → src/api/index.ts',
      'protocol-without-node: src/protocol/io.ts → fs',
      'layer-trader: src/trader/ask.ts → src/oracle/index.ts',
      'layer-oracle: src/oracle/run.ts → src/cli/index.ts',
      'cli-at-the-edge: src/oracle/run.ts → src/cli/index.ts',
      'through-index: src/store/deep.ts → src/mempool/pool.ts',
      'layer-dashboard-types-only: src/dashboard/ui/view.ts → src/mempool/index.ts',
      'browser-imports: src/dashboard/ui/view.ts → src/trader/store.ts',
      'no-circular: src/sync/a.ts → src/sync/b.ts',
    ]
    for (const violation of expected)
      assert.ok(found.has(violation), `${violation} not reported; got\n${[...found].join('\n')}`)
  })
})

describe("README's layout", () => {
  it('lists every folder of src with the layers the rules let it import', async () => {
    const readme = await readFile(join(ROOT, 'README.md'), 'utf8')
    const rows = new Map(
      [...readme.matchAll(/^\| `src\/([\w-]+)\/` \| [^|]+ \| ([^|]+) \|$/gm)].map(([, folder, imports]) => [
        folder!,
        (imports!.includes('nothing') ? [] : imports!.replace(/types from/, '').match(/[\w-]+/g)!).sort(),
      ]),
    )
    const folders = (await readdir(join(ROOT, 'src'), { withFileTypes: true }))
      .filter((entry) => entry.isDirectory())
      .map((entry) => entry.name)
    assert.deepEqual([...rows.keys()].sort(), folders.sort())
    const config = createRequire(import.meta.url)(CONFIG) as {
      forbidden: { name: string; to: { pathNot?: string | string[] } }[]
    }
    for (const [folder, imports] of rows) {
      const rule = config.forbidden.find(({ name }) => name === `layer-${folder}`)
      if (folder === 'cli') {
        assert.equal(rule, undefined, 'the command line may import any layer')
        continue
      }
      assert.ok(rule, `no rule for src/${folder}`)
      const allowed = /^\^src\/\(([^)]*)\)\/$/.exec(String(rule.to.pathNot))![1]!.split('|')
      assert.deepEqual(allowed.filter((name) => name !== folder).sort(), imports, `src/${folder}`)
    }
  })
})
