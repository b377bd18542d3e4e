/**
 * `mega trader report` for every kind against a real node (in process, no network): built from
 * evidence files, checked, signed (or anonymous), mined, posted, and judged by the node and by
 * `verify-reports` as the protocol verifier does.
 */
import assert from 'node:assert/strict'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import pino from 'pino'
import { NodeClient } from '../../../src/client/node-client.ts'
import { resolveConfig } from '../../../src/node/config.ts'
import { MegaNode } from '../../../src/node/node.ts'
import * as fx from '../../support/messages.ts'
import { runCli as run } from '../../support/run-cli.ts'

describe('mega trader report, every kind, against a node', () => {
  let dir: string
  let node: MegaNode
  let url: string
  const files: Record<string, string> = {}

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'mega-trader-reports-'))
    const config = resolveConfig({
      dataDir: join(dir, 'node'),
      http: { host: '127.0.0.1', port: 0 },
      mempool: { minBits: { oracle: 8, capability: 8, report: 8, offer: 8 } },
      network: { enabled: false },
    })
    node = new MegaNode(config, { logger: pino({ level: 'silent' }) })
    await node.start()
    url = node.url!
    const client = new NodeClient({ url })
    assert.equal((await client.post('oracle', fx.oracleAd())).status, 201)
    assert.equal((await client.post('capability', fx.capabilityAd())).status, 201)
    const evidence = {
      home: fx.fact('home'),
      away: fx.fact('away'),
      commitment: fx.commitment(1_000),
      adA: fx.oracleAd({ seqNo: 7, tags: ['a'] }),
      adB: fx.oracleAd({ seqNo: 7, tags: ['b'] }),
    }
    for (const [name, message] of Object.entries(evidence)) {
      files[name] = join(dir, `${name}.json`)
      await writeFile(files[name]!, JSON.stringify(message))
    }
    assert.equal((await run(['trader', 'init', '--data', join(dir, 'trader')])).code, 0)
  })
  after(async () => {
    await node?.stop()
    await rm(dir, { recursive: true, force: true })
  })

  const report = (...args: string[]) =>
    run(['trader', 'report', ...args, '--bits', '10', '--json', '--data', join(dir, 'trader'), '--node', url])

  it('files each kind; nodes take them with the verdict the trader announced', async () => {
    const cases: [string[], string][] = [
      [['fact-conflict', '--fact', files.home!, '--fact', files.away!], 'verified'],
      [['fact-missing', '--commitment', files.commitment!], 'verified'],
      [['ad-collision', '--ad', files.adA!, '--ad', files.adB!], 'verified'],
      [
        [
          'fact-disagrees-with-public',
          '--fact',
          files.home!,
          '--link',
          'https://example.org/result',
          '--comment',
          'it was a draw',
        ],
        'subjective',
      ],
      [
        ['free-form', '--oracle', fx.ORACLE.publicKey, '--comment', 'answers a day late', '--anonymous'],
        'subjective',
      ],
    ]
    for (const [args, verdict] of cases) {
      const result = await report(...args)
      assert.equal(result.code, 0, `${args[0]}: ${result.err}`)
      const filed = JSON.parse(result.out) as {
        verdict: string
        report: { reporter?: unknown; pow: { bits: number } }
        posted: { status: number }[]
      }
      assert.equal(filed.verdict, verdict, args[0])
      assert.equal(filed.report.pow.bits, 10)
      assert.deepEqual(
        filed.posted.map((p) => p.status),
        [201],
        args[0],
      )
      assert.equal(filed.report.reporter === undefined, args.includes('--anonymous'))
    }
    const { body } = await new NodeClient({ url }).get('reports', { oracle: fx.ORACLE.publicKey })
    const held = (body as { items: { type: string; verdict: string; counts: boolean }[] }).items
    assert.equal(held.length, 5)
    for (const item of held) assert.equal(item.counts, item.verdict === 'verified', item.type)

    const verdicts = await run([
      'trader',
      'verify-reports',
      '--oracle',
      fx.ORACLE.publicKey,
      '--json',
      '--data',
      join(dir, 'trader'),
      '--node',
      url,
    ])
    const judged = (JSON.parse(verdicts.out) as { reports: { type: string; verdict: string }[] }).reports
    assert.deepEqual(judged.map((r) => `${r.type}:${r.verdict}`).sort(), [
      'ad-collision:verified',
      'fact-conflict:verified',
      'fact-disagrees-with-public:subjective',
      'fact-missing:verified',
      'free-form:subjective',
    ])
  })

  it('never mines or posts what the verifier would reject', async () => {
    const before = await new NodeClient({ url }).get('stats')
    const cases: [string[], RegExp][] = [
      [
        ['fact-conflict', '--fact', files.home!, '--fact', files.home!],
        /the two facts give the same answer.*REPORT_REFUSED/,
      ],
      [
        ['ad-collision', '--ad', files.adA!, '--ad', files.adA!],
        /the two ads are the same ad.*REPORT_REFUSED/,
      ],
      [
        ['free-form', '--oracle', fx.ORACLE.publicKey, '--comment', 'x', '--link', 'javascript:alert(1)'],
        /\/content\/links\/0.*REPORT_REFUSED/,
      ],
    ]
    for (const [args, expected] of cases) {
      const result = await report(...args)
      assert.equal(result.code, 1, args[0])
      assert.match(result.err, expected)
    }
    const after = await new NodeClient({ url }).get('stats')
    const count = (stats: unknown) =>
      (stats as { mempool: { reports: { count: number } } }).mempool.reports.count
    assert.equal(count(after.body), count(before.body), 'nothing reached the node')
  })
})
