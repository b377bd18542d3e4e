/**
 * The browser bundles' check (src/dashboard/browser-inputs.ts): the dashboard and the trader
 * page build, and a small tree of bad imports in a temporary directory — a Node built-in three
 * imports deep, the DLC library (native) two deep — fails it, naming each chain.
 */
import assert from 'node:assert/strict'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { build } from 'esbuild'
import { buildDashboard } from '../../../src/dashboard/assets.ts'
import { BROWSER_EXTERNALS, checkBrowserInputs } from '../../../src/dashboard/browser-inputs.ts'
import { buildTraderPage } from '../../../src/web-trader/assets.ts'

const ROOT = new URL('../../..', import.meta.url).pathname

const BAD_TREE: Record<string, string> = {
  'page.ts':
    "import { view } from './view.ts'\nimport { sign } from './contract.ts'\nexport const page = [view, sign]\n",
  'view.ts': "import { read } from './store.ts'\nexport const view = read\n",
  'store.ts': "import { readFileSync } from 'node:fs'\nexport const read = readFileSync\n",
  'contract.ts': "import * as ddk from '@bennyblader/ddk-ts'\nexport const sign = ddk\n",
  'fine.ts': 'export const fine = 1\n',
}

describe('browser bundles reach no Node-only code', () => {
  let dir: string
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'mega-browser-inputs-'))
    for (const [name, text] of Object.entries(BAD_TREE)) await writeFile(join(dir, name), text)
  })
  after(() => rm(dir, { recursive: true, force: true }))

  const bundle = (entry: string) =>
    build({
      entryPoints: [join(dir, entry)],
      bundle: true,
      format: 'esm',
      platform: 'browser',
      write: false,
      logLevel: 'silent',
      external: [...BROWSER_EXTERNALS],
      metafile: true,
      absWorkingDir: dir,
      nodePaths: [join(ROOT, 'node_modules')],
    })

  it('the dashboard and the trader page build (each build runs the check)', async () => {
    await buildDashboard()
    await buildTraderPage()
  })

  it('names every chain to a Node built-in or a native package', async () => {
    const { metafile } = await bundle('page.ts')
    assert.throws(
      () => checkBrowserInputs(metafile, dir),
      (error: Error) => {
        assert.match(error.message, /page\.ts → view\.ts → store\.ts → node:fs/)
        assert.match(
          error.message,
          /page\.ts → contract\.ts → \S*@bennyblader\/ddk-ts\/\S+ \(the native package @bennyblader\/ddk-ts\)/,
        )
        return true
      },
    )
    checkBrowserInputs((await bundle('fine.ts')).metafile, dir)
  })
})
