import assert from 'node:assert/strict'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, describe, it } from 'node:test'
import { OracleEndpointClient } from '../../../src/client/endpoint-client.ts'
import { AnswerJournal } from '../../../src/oracle/answer-journal.ts'
import { buildEndpoint } from '../../../src/oracle/endpoint.ts'
import { commandPaymentCheck } from '../../../src/oracle/payment.ts'
import { factSource } from '../../../src/oracle/sources.ts'
import { deriveCapabilitySecret } from '../../../src/protocol/oracle-attestation.ts'
import { publicKeyOf } from '../../../src/protocol/signature.ts'
import * as fx from '../../support/messages.ts'

const dirs: string[] = []
after(async () => {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true })
})

const secretKey = deriveCapabilitySecret(fx.ORACLE.secretKey, 'journal', 'bip340')
const key = { scheme: 'bip340' as const, secretKey, publicKey: publicKeyOf('bip340', secretKey) }
const ad = fx.capabilityAd({ attestation: 'schnorr' }, fx.ORACLE, key)
const request = fx.factRequest(key)

describe('answer journal', () => {
  it('refuses to sign a second, different answer when the source changes its mind, across restarts', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'mega-journal-'))
    dirs.push(dir)
    const facts = join(dir, 'facts.json')
    const journalPath = join(dir, 'answers.jsonl')
    const write = (answer: string) =>
      writeFile(facts, JSON.stringify({ facts: [{ args: request.args, answer }] }))
    const serve = async () => {
      const journal = await AnswerJournal.open(journalPath)
      const app = await buildEndpoint({
        capabilities: [{ ad, secretKey, source: factSource({ type: 'file', path: facts }) }],
        journal,
      })
      return {
        app,
        client: new OracleEndpointClient({ url: await app.listen({ host: '127.0.0.1', port: 0 }) }),
      }
    }

    await write('home')
    let { app, client } = await serve()
    const commitment = await client.commitment(request, ad)
    const fact = await client.fact(commitment, ad)
    assert.deepEqual(await client.fact(commitment, ad), fact, 'the same answer again is fine')
    await app.close()

    await write('away') // the source changes its mind
    ;({ app, client } = await serve())
    try {
      await assert.rejects(
        client.fact(commitment, ad),
        (error: Error & { details: Record<string, unknown> }) => {
          assert.equal(error.details.problemCode, 'SOURCE_ANSWER_CHANGED')
          assert.equal(error.details.status, 502)
          return true
        },
      )
    } finally {
      await app.close()
    }
    const lines = (await readFile(journalPath, 'utf8')).trim().split('\n')
    assert.equal(lines.length, 1)
    assert.equal(JSON.parse(lines[0]!).answer, 'home')
    await writeFile(journalPath, 'not json\n')
    await assert.rejects(AnswerJournal.open(journalPath), { code: 'STATE_INVALID' })
  })
})

describe('payment check command', () => {
  it('runs the program with invoice= and capability= arguments, no shell; exit 0 means paid', async () => {
    const check = commandPaymentCheck(['sh', '-c', `test "$1" = 'invoice=lnbc-paid $(x)'`, 'check'])
    assert.deepEqual(await check({ ...request, invoice: 'lnbc-paid $(x)' }, ad), { paid: true })
    const refused = await check({ ...request, invoice: 'lnbc-unpaid' }, ad)
    assert.equal(refused.paid, false)
    const missing = await check(request, ad)
    assert.equal(missing.paid, false)
  })
})
