/**
 * Fact sources read from files: JSON and YAML, matching all arguments; null means not known yet.
 */
import assert from 'node:assert/strict'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { factSource } from '../../../src/oracle/sources.ts'
import { capability, request } from '../../support/hostile-capability.ts'

let dir: string
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mega-sources-'))
})
after(() => rm(dir, { recursive: true, force: true }))

describe('fact sources', () => {
  it('file: JSON and YAML, matching all arguments; null means not known yet', async () => {
    const json = join(dir, 'facts.json')
    await writeFile(
      json,
      JSON.stringify({
        facts: [
          { args: { x: "it's", y: '1' }, answer: 'home' },
          { args: { x: '--help', y: '1' }, answer: null },
        ],
      }),
    )
    const yaml = join(dir, 'facts.yaml')
    await writeFile(yaml, 'facts:\n  - args: { x: "a b \\"c\\"", y: 1 }\n    answer: draw\n')
    assert.equal(await factSource({ type: 'file', path: json })(request("it's"), capability), 'home')
    assert.equal(await factSource({ type: 'file', path: json })(request('--help'), capability), undefined)
    assert.equal(await factSource({ type: 'file', path: json })(request('a b "c"'), capability), undefined)
    assert.equal(await factSource({ type: 'file', path: yaml })(request('a b "c"'), capability), 'draw')
    await assert.rejects(
      factSource({ type: 'file', path: join(dir, 'none.json') })(request("it's"), capability),
      {
        code: 'SOURCE_FAILED',
      },
    )
  })
})
