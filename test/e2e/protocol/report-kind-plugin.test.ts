/**
 * A report kind added in this one file (docs/adding-a-report-kind.md): `fact-outside-answers`,
 * a fact the oracle signed with an answer its capability does not list. Registered through
 * `registerReportKind`, it is validated, verified, ranked and counted by a node's mempool,
 * filed by `mega trader report` with the flags its spec declares, listed by the API, kept by
 * the store across a restart, labelled for people and written into the docs tables, with no
 * other change to the code.
 */
import assert from 'node:assert/strict'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import pino from 'pino'
import Type from 'typebox'
import { formatHelp } from '../../../src/cli/command.ts'
import { reportCommand } from '../../../src/cli/commands/trader/reports.ts'
import { NodeClient } from '../../../src/client/node-client.ts'
import { scoreOf } from '../../../src/mempool/entries.ts'
import { Mempool } from '../../../src/mempool/mempool.ts'
import { admitValue } from '../../../src/mempool/pipeline.ts'
import { resolveConfig } from '../../../src/node/config.ts'
import { MegaNode } from '../../../src/node/node.ts'
import { ErrorCode, fail, ok } from '../../../src/protocol/errors.ts'
import { renderKindTables } from '../../../src/protocol/kind-docs.ts'
import { messageId } from '../../../src/protocol/message.ts'
import { Fact, OracleCapability } from '../../../src/protocol/messages/index.ts'
import { checkAnswer } from '../../../src/protocol/oracle-attestation.ts'
import { REPORT_KINDS, type ReportKindSpec, registerReportKind } from '../../../src/protocol/report-kinds.ts'
import { reportTextOf } from '../../../src/protocol/report-text.ts'
import { validateMessage } from '../../../src/protocol/validate.ts'
import { verifyCapabilityOf, verifyFactOf } from '../../../src/protocol/verify-report.ts'
import { defaultPolicy, parsePolicy } from '../../../src/trader/policy.ts'
import * as fx from '../../support/messages.ts'
import { runCli as run } from '../../support/run-cli.ts'

const FactOutsideAnswers = Type.Object(
  { type: Type.Literal('fact-outside-answers'), capability: OracleCapability, fact: Fact },
  { additionalProperties: false, $id: 'FactOutsideAnswers' },
)
type FactOutsideAnswers = Type.Static<typeof FactOutsideAnswers>

const factOutsideAnswers: ReportKindSpec<FactOutsideAnswers> = {
  type: 'fact-outside-answers',
  schema: FactOutsideAnswers,
  label: 'answer outside the capability',
  describe: (content) => `answered “${content.fact.answer}”, not one of its answers`,
  evidenceClass: () => 'verified',
  verify(content, oracle) {
    const capability = verifyCapabilityOf(oracle, content.capability, '/content/capability')
    if (!capability.ok) return capability
    const fact = verifyFactOf(content.capability, content.fact, '/content/fact')
    if (!fact.ok) return fact
    if (checkAnswer(content.capability, content.fact.answer).ok)
      return fail(
        ErrorCode.EVIDENCE_INVALID,
        '/content/fact/answer: the answer is one of the capability’s answers',
        {
          path: '/content/fact/answer',
        },
      )
    return ok('verified')
  },
  evidenceIds: (content) => [messageId(content.fact)],
  facts: (content) => [content.fact],
  flags: {
    'stray-fact': {
      type: 'string',
      description: 'a fact whose answer its capability does not list: id or file',
      placeholder: 'id|file',
      group: 'evidence',
    },
  },
  example: 'mega trader report fact-outside-answers --stray-fact 1c9e…',
  async build(input) {
    const ref = input.values['stray-fact']
    if (typeof ref !== 'string') return input.usage('fact-outside-answers needs --stray-fact (id or file)')
    const fact = await input.load(ref, ['fact'])
    const capability = await input.capability(fact.request.capability)
    return { oracle: capability.oracle, content: { type: 'fact-outside-answers', capability, fact } }
  },
  docs: {
    fields: '`capability`: OracleCapability; `fact`: Fact',
    meaning: 'a fact whose answer is not one of the capability’s answers',
    evidence: [
      {
        rules: '`capability` is the oracle’s; `fact` is of `capability`; `fact.answer` fails `checkAnswer`',
        verdict: '`verified`',
      },
    ],
  },
}

registerReportKind(factOutsideAnswers)

const NOW = 1_850_000_000
const content = (answer: string): FactOutsideAnswers => ({
  type: 'fact-outside-answers',
  capability: fx.capabilityAd(),
  fact: fx.fact(answer),
})

describe('a report kind added by registerReportKind', () => {
  it('is validated and verified by the protocol core', () => {
    assert.ok(REPORT_KINDS.includes(factOutsideAnswers as unknown as ReportKindSpec))
    assert.equal(validateMessage(fx.report(content('abandoned') as never)).ok, true)
    const extra = { ...content('abandoned'), extra: 1 }
    const refused = validateMessage(fx.report(extra as never))
    assert.equal(refused.ok, false, 'its schema is strict')
    assert.throws(() => registerReportKind(factOutsideAnswers), /already registered/)
  })

  it('is admitted, ranked by its evidence class and counted against the oracle by the mempool', () => {
    const pool = new Mempool(
      { minBits: { oracle: 8, capability: 8, report: 8, offer: 8 }, maxReportsPerOracle: 1 },
      { now: () => NOW },
    )
    admitValue(pool, fx.oracleAd())
    admitValue(pool, fx.capabilityAd())
    const oracle = pool.oracles.get(fx.ORACLE.publicKey)!
    const before = scoreOf(oracle)
    const wrong = admitValue(pool, fx.report(content('home') as never)).admission
    assert.equal(wrong.status, 'invalid', 'a listed answer is no evidence')
    assert.equal(wrong.reason?.code, 'EVIDENCE_INVALID')
    const report = fx.report(content('abandoned') as never)
    assert.equal(admitValue(pool, report).admission.status, 'added')
    const entry = pool.reports.get(messageId(report))!
    assert.equal(entry.verdict, 'verified')
    assert.equal(entry.counts, true)
    assert.equal(scoreOf(oracle), before - entry.work, 'its work is a penalty')
    // A subjective report with more work does not count, so it cannot push out one that does.
    const subjective = fx.report({ type: 'free-form', comment: 'slow', links: [] }, fx.REPORTER, 12)
    assert.equal(admitValue(pool, subjective).admission.status, 'low-pow')
    assert.equal(admitValue(pool, fx.dispute(messageId(report))).admission.reason?.code, 'NOT_DISPUTABLE')
  })

  it('is a kind a trader policy may name, and counts by default', () => {
    assert.deepEqual(parsePolicy('{"kinds":["fact-outside-answers"]}').kinds, ['fact-outside-answers'])
    assert.ok(defaultPolicy.kinds.includes('fact-outside-answers' as never))
    assert.throws(() => parsePolicy('{"kinds":["no-such-kind"]}'), /kinds\/0/)
  })

  it('is labelled for people, listed in the CLI help and written into the docs tables', () => {
    assert.equal(reportTextOf('fact-outside-answers').label, 'answer outside the capability')
    const help = formatHelp(reportCommand)
    assert.match(help, /--stray-fact <id\|file> +a fact whose answer its capability does not list/)
    assert.match(help, /\[--stray-fact ID\|FILE\]/)
    assert.match(help, /mega trader report fact-outside-answers --stray-fact/)
    const doc =
      '<!-- kinds:report-content begin (generated by npm run docs:kinds) -->\n<!-- kinds:report-content end -->\n'
    assert.match(
      renderKindTables(doc, ['report-content']),
      /\| `"fact-outside-answers"` \| `capability`: OracleCapability; `fact`: Fact \|/,
    )
  })
})

describe('a report kind added by registerReportKind, on a node', () => {
  let dir: string
  let node: MegaNode
  let factFile: string
  const start = async () => {
    const config = resolveConfig({
      dataDir: join(dir, 'node'),
      http: { host: '127.0.0.1', port: 0 },
      mempool: { minBits: { oracle: 8, capability: 8, report: 8, offer: 8 } },
      network: { enabled: false },
    })
    node = new MegaNode(config, { logger: pino({ level: 'silent' }) })
    await node.start()
    return new NodeClient({ url: node.url! })
  }
  const listed = async (client: NodeClient) => {
    const { body } = await client.get('reports', {
      oracle: fx.ORACLE.publicKey,
      type: 'fact-outside-answers',
    })
    assert.ok((body as { items?: unknown }).items, JSON.stringify(body))
    return (body as { items: { id: string; type: string; verdict: string; counts: boolean }[] }).items
  }

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'mega-report-kind-'))
    const client = await start()
    assert.equal((await client.post('oracle', fx.oracleAd())).status, 201)
    assert.equal((await client.post('capability', fx.capabilityAd())).status, 201)
    factFile = join(dir, 'fact.json')
    await writeFile(factFile, JSON.stringify(fx.fact('abandoned')))
    assert.equal((await run(['trader', 'init', '--data', join(dir, 'trader')])).code, 0)
  })
  after(async () => {
    await node?.stop()
    await rm(dir, { recursive: true, force: true })
  })

  it('is filed by mega trader report with its flags, listed by the API and kept across a restart', async () => {
    const args = ['--bits', '10', '--json', '--data', join(dir, 'trader'), '--node', node.url!]
    const filed = await run(['trader', 'report', 'fact-outside-answers', '--stray-fact', factFile, ...args])
    assert.equal(filed.code, 0, filed.err)
    const result = JSON.parse(filed.out) as { id: string; verdict: string; posted: { status: number }[] }
    assert.equal(result.verdict, 'verified', filed.out)
    assert.deepEqual(
      result.posted.map((posted) => posted.status),
      [201],
    )
    const missing = await run(['trader', 'report', 'fact-outside-answers', ...args])
    assert.equal(missing.code, 2)
    assert.match(missing.err, /fact-outside-answers needs --stray-fact/)

    let client = new NodeClient({ url: node.url! })
    assert.deepEqual(
      (await listed(client)).map(({ id, type, verdict, counts }) => ({ id, type, verdict, counts })),
      [{ id: result.id, type: 'fact-outside-answers', verdict: 'verified', counts: true }],
    )
    await node.stop()
    client = await start()
    assert.deepEqual(
      (await listed(client)).map(({ id, counts }) => ({ id, counts })),
      [{ id: result.id, counts: true }],
      'the store kept it',
    )
  })
})
