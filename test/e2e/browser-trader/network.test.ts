/**
 * The browser trader against the network, in real Chromium: an oracle endpoint that sends no
 * CORS headers for the page, asked through the node's relay and verified in the page; a
 * `fact-disagrees-with-public` report built from a kept fact; manifests read only from their
 * well-known URL, unreadable without CORS told apart from a mismatch; offers on a quorum of two
 * capabilities with synonyms, matched in the book and settled from the facts asked; the
 * conflict the node caught in its fact pool filed from the page; a
 * cancelled run resumed from its checkpoint;
 * the ranking and the book following the node's event stream without a reload; and a page of
 * another origin that may read the node but neither use its relay nor post to it.
 */
import assert from 'node:assert/strict'
import { type ChildProcess, execFile } from 'node:child_process'
import { existsSync } from 'node:fs'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { createServer, type Server } from 'node:http'
import { createServer as createHttpsServer } from 'node:https'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { type Browser, type BrowserContext, chromium, type Page, type Route } from 'playwright-core'
import { OracleEndpointClient } from '../../../src/client/endpoint-client.ts'
import { EXAMPLE_QUESTION } from '../../../src/client/examples.ts'
import type { RootKey } from '../../../src/keys/keystore.ts'
import { advertiseRound } from '../../../src/oracle/advertise.ts'
import { addCapability } from '../../../src/oracle/capabilities.ts'
import { initOracle, mineIdentity } from '../../../src/oracle/identity.ts'
import type { OracleCapability } from '../../../src/protocol/messages/index.ts'
import { nonceFromHex } from '../../../src/protocol/pow.ts'
import * as fx from '../../support/messages.ts'
import { freePort } from '../../support/ports.ts'
import { CHROMIUM, launchBrowser, type SeededNode, startSeededNode } from '../dashboard/helpers.ts'
import { serveOracle, stopOracle, until } from '../trader/helpers.ts'

const skip = existsSync(CHROMIUM) ? false : `no browser at ${CHROMIUM}`
const PASSPHRASE = 'oracle passphrase'
const MANIFEST_URL = 'https://oracle.example/.well-known/mega-oracle.json'
/** The only origin the oracle endpoint sends CORS headers for: not the page's. */
const ELSEWHERE = 'http://127.0.0.1:1'

interface ReportSummary {
  type: string
  reporter?: string
}

describe('browser trader and the network', { skip, timeout: 600_000 }, () => {
  let node: SeededNode
  let browser: Browser
  let dir: string
  let oracle: RootKey
  let endpoint: string
  let serve: ChildProcess | undefined
  const capabilityKeys: string[] = []
  const factsFiles: string[] = []
  const contexts: BrowserContext[] = []
  const errors: string[] = []
  let alice: Page
  let bob: Page

  async function open(context: BrowserContext): Promise<Page> {
    const page = await context.newPage()
    page.on('pageerror', (error) => errors.push(error.message))
    await page.goto(`${node.url}/trader`)
    await page.locator('#main[data-ready="yes"]').waitFor()
    await page.locator('#live[data-state="live"]').waitFor()
    return page
  }

  async function createKey(page: Page, passphrase: string): Promise<string> {
    await page.fill('#new-passphrase', passphrase)
    await page.click('#create-key')
    return (await page.locator('#public-key').textContent({ timeout: 30_000 }))!
  }

  async function reportsAgainst(key: string): Promise<ReportSummary[]> {
    const { body } = await node.client.get(`oracles/${key}`)
    return (body as { reports: ReportSummary[] }).reports
  }

  const relayed = () => {
    const { oracle, shared, pool } = node.node.relay.counters
    return oracle + shared + pool
  }

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'mega-browser-network-'))
    ;[node, browser] = await Promise.all([startSeededNode({ seed: false }), launchBrowser().then((b) => b!)])
    const oracleDir = join(dir, 'oracle')
    const port = await freePort()
    endpoint = `http://127.0.0.1:${port}`
    oracle = await initOracle({ dir: oracleDir, passphrase: PASSPHRASE, logN: 10 })
    await mineIdentity({ dir: oracleDir, root: oracle, bits: 14, threads: 1, tags: ['sports'] })
    // Two capabilities of one question, the second worded 1 / 2 / X: a quorum with synonyms.
    for (const [label, answers, answer] of [
      ['winner', EXAMPLE_QUESTION.answers, 'home'],
      ['winner-1x2', ['1', '2', 'X'], '1'],
    ] as const) {
      const file = join(dir, `${label}.json`)
      factsFiles.push(file)
      await writeFile(file, JSON.stringify({ facts: [{ args: fx.factRequest().args, answer }] }))
      const { ad } = await addCapability({
        dir: oracleDir,
        root: oracle,
        bits: 10,
        threads: 1,
        spec: {
          label,
          ...EXAMPLE_QUESTION,
          answers: [...answers],
          tags: ['sports'],
          endpoint,
          source: { type: 'file', path: file },
        },
      })
      capabilityKeys.push(ad.capabilityKey)
    }
    await advertiseRound({ dir: oracleDir, root: oracle, nodes: [node.url] })
    // Stateless: it signs whatever its source says now, so it can be caught changing its answer.
    serve = await serveOracle(
      oracleDir,
      ['--port', String(port), '--stateless', '--cors-origin', ELSEWHERE],
      PASSPHRASE,
    )
    // An oracle whose ad names its manifest at the well-known URL of oracle.example.
    const named = await node.client.post('oracle', fx.oracleAd({ manifestUri: MANIFEST_URL }))
    assert.ok(named.status < 300, JSON.stringify(named.body))
    contexts.push(await browser.newContext(), await browser.newContext())
    alice = await open(contexts[0]!)
    bob = await open(contexts[1]!)
  })

  after(async () => {
    for (const context of contexts) await context.close()
    await browser?.close()
    await stopOracle(serve)
    await node?.stop()
    if (dir) await rm(dir, { recursive: true, force: true })
  })

  it('asks through the node’s relay when the endpoint sends no CORS for the page, and verifies the fact in the page', async () => {
    await createKey(alice, 'alice passphrase')
    await alice.click('#refresh-oracles')
    await alice.locator(`#ranking li[data-key="${oracle.publicKey}"]`).waitFor()
    await alice.selectOption('#capability', capabilityKeys[0]!)
    for (const [name, value] of Object.entries(fx.factRequest().args))
      await alice.selectOption(`select[name="${name}"]`, value)

    // The endpoint alone: the page cannot read it.
    await alice.selectOption('#ask-route', 'endpoint')
    await alice.click('#ask')
    await alice.locator('.error').filter({ hasText: 'ENDPOINT_UNREACHABLE' }).waitFor()
    assert.equal(relayed(), 0)

    // The default: the endpoint, else the node's relay.
    await alice.selectOption('#ask-route', 'auto')
    await alice.click('#ask')
    await alice
      .locator('#ask-status')
      .filter({ hasText: `asked via ${node.url}/relay` })
      .waitFor()
    const fact = alice.locator('#asked .fact').filter({ hasText: 'home' })
    await fact.waitFor({ timeout: 30_000 })
    assert.match((await fact.textContent()) ?? '', /verified — the signature's R .* is the committed nonce/)
    assert.ok(relayed() >= 2, 'the commitment and the fact came through the relay')

    // A relayed fact is checked as a direct one: a forged answer is refused in the page.
    await alice.route('**/relay/fact', async (route: Route) => {
      const response = await route.fetch()
      const forged = JSON.parse(await response.text()) as { answer: string }
      forged.answer = 'draw'
      await route.fulfill({ response, body: JSON.stringify(forged) })
    })
    await alice.getByRole('button', { name: 'Ask for the fact again' }).click()
    await alice.locator('.error').filter({ hasText: 'ENDPOINT_INVALID' }).waitFor()
    await alice.unroute('**/relay/fact')
  })

  it('files a fact-disagrees-with-public report built from a kept fact, anonymously', async () => {
    const before = await reportsAgainst(oracle.publicKey)
    await alice.fill('#report-bits', '8')
    await alice.check('#report-anonymous')
    const option = await alice
      .locator('#disagree-fact option')
      .filter({ hasText: 'home' })
      .getAttribute('value')
    await alice.selectOption('#disagree-fact', option!)
    assert.deepEqual(await alice.locator('#disagree-answer option').allTextContents(), ['away', 'draw'])
    await alice.selectOption('#disagree-answer', 'away')
    await alice.fill('#disagree-links', 'https://example.org/result')
    await alice.fill('#disagree-comment', 'the away side won 2-1')
    await alice.click('#file-disagreement')
    await alice.locator('#filed').filter({ hasText: 'answered 201' }).waitFor({ timeout: 60_000 })
    const now = await reportsAgainst(oracle.publicKey)
    assert.equal(now.length, before.length + 1)
    const filed = now.find((report) => report.type === 'fact-disagrees-with-public')
    assert.ok(filed, 'the node holds the disagreement')
    assert.equal(filed.reporter, undefined, 'anonymous')
    await alice.uncheck('#report-anonymous')
  })

  it('verifies manifest domains in the page: unreadable without CORS, a mismatch, verified', async () => {
    // oracle.example served for real (TLS, its own certificate) by a server on loopback, so the
    // browser applies CORS to it as to any site.
    const tls = join(dir, 'tls')
    await new Promise<void>((done, fail) =>
      execFile(
        'openssl',
        [
          'req',
          '-x509',
          '-newkey',
          'ec',
          '-pkeyopt',
          'ec_paramgen_curve:prime256v1',
          '-nodes',
          '-days',
          '1',
          '-subj',
          '/CN=oracle.example',
          '-addext',
          'subjectAltName=DNS:oracle.example',
          '-keyout',
          `${tls}.key`,
          '-out',
          `${tls}.crt`,
        ],
        (error) => (error ? fail(error) : done()),
      ),
    )
    let served: { body: unknown; cors: boolean } = { body: fx.manifest(), cors: false }
    const site = createHttpsServer(
      { key: await readFile(`${tls}.key`), cert: await readFile(`${tls}.crt`) },
      (request, response) => {
        if (request.url !== '/.well-known/mega-oracle.json') return void response.writeHead(404).end()
        response.writeHead(200, {
          'content-type': 'application/json',
          ...(served.cors && { 'access-control-allow-origin': '*' }),
        })
        response.end(JSON.stringify(served.body))
      },
    )
    await new Promise<void>((done) => site.listen(0, '127.0.0.1', done))
    const resolving = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: [
        '--no-sandbox',
        `--host-resolver-rules=MAP oracle.example:443 127.0.0.1:${(site.address() as AddressInfo).port}`,
        '--ignore-certificate-errors',
      ],
    })
    try {
      const page = await resolving.newPage()
      page.on('pageerror', (error) => errors.push(error.message))
      await page.goto(`${node.url}/trader`)
      await page.locator('#main[data-ready="yes"]').waitFor()
      await page.click('#refresh-oracles')
      await page.locator(`#ranking li[data-key="${fx.ORACLE.publicKey}"]`).waitFor()
      const verdict = page.locator(`#domains li[data-oracle="${fx.ORACLE.publicKey}"]`)

      await page.click('#verify-domains')
      await verdict.and(page.locator('[data-status="unverified"]')).waitFor()
      assert.match((await verdict.textContent()) ?? '', /unverified \(no CORS\).*no CORS headers/)

      // Readable, but naming another oracle: a mismatch, not "unverified".
      served = { body: fx.manifest(fx.OTHER_ORACLE, []), cors: true }
      await page.click('#verify-domains')
      await verdict.and(page.locator('[data-status="mismatch"]')).waitFor()
      assert.match((await verdict.textContent()) ?? '', /names the oracle/)

      served = { body: fx.manifest(), cors: true }
      await page.click('#verify-domains')
      await verdict.and(page.locator('[data-status="domain-verified"]')).waitFor()
      await page
        .locator(`#ranking li[data-key="${fx.ORACLE.publicKey}"] .domain`)
        .filter({ hasText: 'domain-verified oracle.example' })
        .waitFor()
    } finally {
      await resolving.close()
      site.closeAllConnections()
      await new Promise((done) => site.close(done))
    }
  })

  it('publishes offers on a quorum with synonyms; the other side’s complement shows as a match, live', async () => {
    await createKey(bob, 'bob passphrase')
    await bob.click('#refresh-oracles')
    await bob.locator(`#ranking li[data-key="${oracle.publicKey}"]`).waitFor()
    const publish = async (page: Page, bet: string) => {
      for (const [name, value] of Object.entries(fx.factRequest().args)) {
        await page.selectOption(`select[name="offer-${name}"]`, value)
        if ((await page.locator(`select[name="quorum-0-${name}"]`).count()) === 0) continue
        await page.selectOption(`select[name="quorum-0-${name}"]`, value)
      }
      await page.selectOption('#offer-bet', bet)
      await page.fill('#offer-bits', '8')
      await page.fill('#contact', `mailto:${bet}@example.org`)
      await page.click('#publish-offer')
    }
    const quorumAndSynonyms = async (page: Page) => {
      await page.selectOption('#offer-capability', capabilityKeys[0]!)
      await page.click('#add-quorum')
      assert.equal(await page.locator('select[name="quorum-0"]').inputValue(), capabilityKeys[1])
      for (const [index, [words, answer]] of [
        ['1', 'home'],
        ['2', 'away'],
        ['X', 'draw'],
      ].entries()) {
        await page.click('#add-synonym')
        await page.selectOption(`select[name="synonym-${index}-scope"]`, capabilityKeys[1]!)
        await page.fill(`input[name="synonym-${index}-words"]`, words!)
        await page.selectOption(`select[name="synonym-${index}-answer"]`, answer!)
      }
    }
    await quorumAndSynonyms(alice)
    await publish(alice, 'home')
    const mine = alice.locator('#book li[data-stage="open"]').filter({ hasText: '— yours' })
    await mine.waitFor({ timeout: 60_000 })
    assert.match((await mine.textContent()) ?? '', /2 of 2 agreeing/)
    assert.match((await mine.textContent()) ?? '', /\(1 = home on /)

    // Bob posts the complement; Alice's book shows it, matched, without her fetching anything.
    await quorumAndSynonyms(bob)
    await publish(bob, 'away')
    await bob.locator('#book li').filter({ hasText: '— yours' }).waitFor({ timeout: 60_000 })
    const match = alice.locator('#book li .match')
    await match.waitFor({ timeout: 30_000 })
    assert.match((await match.textContent()) ?? '', /matches your offer .*odds ×1\.00, fills 100%/)

    // Settled from the facts the page holds: the first oracle said "home", the second "1" = home.
    const settlement = mine.locator('.settlement')
    assert.equal(await settlement.getAttribute('data-status'), 'pending')
    await alice.selectOption('#capability', capabilityKeys[1]!)
    for (const [name, value] of Object.entries(fx.factRequest().args))
      await alice.selectOption(`select[name="${name}"]`, value)
    await alice.click('#ask')
    await alice
      .locator('#asked .fact')
      .filter({ hasText: /^answer 1:/ })
      .waitFor({ timeout: 30_000 })
    await mine.locator('.settlement[data-status="settled"]').waitFor()
    assert.equal(await settlement.textContent(), ' — settled on home (2 of 2 agreeing): you win')

    const { body } = await node.client.get('offers')
    const held = (body as { items: { message: { terms: { quorum?: unknown[]; synonyms?: unknown[] } } }[] })
      .items
    assert.equal(held.filter((view) => view.message.terms.quorum?.length === 1).length, 2)
    assert.ok(held.every((view) => view.message.terms.synonyms?.length === 3))
  })

  it('files the conflict the node caught in its fact pool', async () => {
    // The oracle changes its answer; a fact of the new answer reaches the node's fact pool,
    // which holds the old one from the relayed ask.
    await writeFile(
      factsFiles[0]!,
      JSON.stringify({ facts: [{ args: fx.factRequest().args, answer: 'away' }] }),
    )
    const { body: view } = await node.client.get(`oracles/${oracle.publicKey}`)
    const capability = (view as { capabilities: { message: OracleCapability }[] }).capabilities
      .map((held) => held.message)
      .find((held) => held.capabilityKey === capabilityKeys[0])!
    const direct = new OracleEndpointClient({ url: endpoint })
    const request = { capability: capability.capabilityKey, args: fx.factRequest().args }
    const commitment = await direct.commitment(request, capability)
    const away = await direct.fact(commitment, capability)
    assert.equal(away.answer, 'away')
    for (const message of [commitment, away]) {
      const given = await fetch(`${node.url}/fact-record`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(message),
      })
      assert.ok(given.status < 300, await given.text())
    }
    const before = await reportsAgainst(oracle.publicKey)
    await alice.click('#node-conflicts')
    const conflict = alice.locator('#conflicts li[data-verdict="verified"]')
    await conflict.waitFor()
    assert.match((await conflict.textContent()) ?? '', /fact-conflict against/)
    await alice.fill('#report-bits', '8')
    await conflict.getByRole('button', { name: 'Mine and file' }).click()
    await conflict.filter({ hasText: '— filed' }).waitFor({ timeout: 60_000 })
    const now = await reportsAgainst(oracle.publicKey)
    assert.equal(now.length, before.length + 1)
    assert.equal(now.filter((report) => report.type === 'fact-conflict').length, 1)
  })

  it('updates the ranking from the event stream when another trader files a report', async () => {
    const ranked = alice.locator(`#ranking li[data-key="${oracle.publicKey}"] .report`)
    const before = await ranked.count()
    await bob.selectOption('#free-form-oracle', oracle.publicKey)
    await bob.fill('#free-form-comment', 'slow to answer')
    await bob.fill('#report-bits', '8')
    await bob.click('#file-free-form')
    await until(
      'the page ranks the new report without a fetch',
      async () => (await ranked.count()) === before + 1,
    )
  })

  it('resumes a cancelled run from its checkpoint: the same signed offer, the nonces searched kept', {
    // 2^26 tries expected: a minute or more on a busy machine.
    timeout: 420_000,
  }, async () => {
    await alice.fill('#offer-bits', '26')
    // A run may find its work before the cancel lands (a few chunks of 2^20 nonces are in flight
    // at once: about one run in twenty at 26 bits); the next attempt then mines another offer
    // (one more sat of stake), so the test never rests on luck.
    let checkpoint: string | undefined
    let kept = ''
    let before = 0
    let amount = 0
    for (let attempt = 0; checkpoint === undefined; attempt++) {
      assert.ok(attempt < 5, 'every run found its work before the cancel landed')
      amount = Number(await alice.inputValue('#offer-amount')) + 1
      await alice.fill('#offer-amount', String(amount))
      // Cancel once a few chunks are searched (the checkpoint moves past the first): far below 2^26 tries.
      await alice.evaluate(() => {
        const scope = window as unknown as { cancelWatch?: MutationObserver }
        scope.cancelWatch?.disconnect()
        const observer = new MutationObserver(() => {
          const tries = /([\d,]+) tries/.exec(document.querySelector('#offer-mining')?.textContent ?? '')
          const cancel = [...document.querySelectorAll('button')].find(
            (b) => b.textContent === 'Cancel mining',
          )
          if (tries && Number(tries[1]!.replaceAll(',', '')) >= 2 ** 20 && cancel) {
            observer.disconnect()
            cancel.click()
          }
        })
        scope.cancelWatch = observer
        observer.observe(document.body, { childList: true, subtree: true, characterData: true })
      })
      before = await alice.locator('#book li').count()
      await alice.click('#publish-offer')
      let outcome: 'cancelled' | 'published' | undefined
      await until(
        'the run is cancelled, or its offer published',
        async () => {
          if ((await alice.locator('.error').filter({ hasText: 'MINING_CANCELLED' }).count()) > 0)
            outcome = 'cancelled'
          else if ((await alice.locator('#book li').count()) > before) outcome = 'published'
          return outcome !== undefined
        },
        120_000,
      )
      if (outcome === 'published') continue
      kept = (await alice.locator('#paused-offer').textContent()) ?? ''
      checkpoint = /from nonce ([0-9a-f]+)/.exec(kept)?.[1]
      assert.ok(checkpoint !== undefined, kept)
    }
    assert.ok(nonceFromHex(checkpoint) > 0n, `nonces searched before the cancel: ${kept}`)
    await alice.click('#resume-offer')
    await until(
      'the resumed offer is published',
      async () => (await alice.locator('#book li').count()) === before + 1,
      360_000,
    )
    const { body } = await node.client.get('offers')
    const items = (
      body as {
        items: {
          work: { bits: number }
          message: { pow: { nonce: string }; terms: { originatorAmount: number } }
        }[]
      }
    ).items
    const resumed = items.find(
      (view) => view.work.bits >= 26 && view.message.terms.originatorAmount === amount,
    )
    assert.ok(resumed, 'the node holds the resumed offer')
    assert.ok(
      nonceFromHex(resumed.message.pow.nonce) >= nonceFromHex(checkpoint),
      'mined on from the checkpoint',
    )
    assert.equal(await alice.locator('#resume-offer').count(), 0)
    assert.deepEqual(errors, [])
  })

  it('lets a page of another origin read the node, but neither use its relay nor post to it', async () => {
    const site: Server = createServer((_request, response) => {
      response.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><title>elsewhere</title>')
    })
    await new Promise<void>((done) => site.listen(0, '127.0.0.1', done))
    try {
      const context = await browser.newContext()
      contexts.push(context)
      const page = await context.newPage()
      await page.goto(`http://127.0.0.1:${(site.address() as AddressInfo).port}/`)
      const { body: view } = await node.client.get(`oracles/${oracle.publicKey}`)
      const capability = (view as { capabilities: { message: unknown }[] }).capabilities[0]!.message
      const before = relayed()
      const outcome = await page.evaluate(
        async ({ url, request, report }) => {
          const attempt = async (path: string, init?: RequestInit) => {
            try {
              return String((await fetch(`${url}${path}`, init)).status)
            } catch (error) {
              return (error as Error).name
            }
          }
          const json = (body: unknown): RequestInit => ({
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify(body),
          })
          return {
            read: await attempt('/oracles'),
            relay: await attempt('/relay/commitment', json(request)),
            post: await attempt('/report', json(report)),
            // Without a preflight (a form could post so too): refused before the relay and its limits.
            simple: await attempt('/relay/commitment', {
              method: 'POST',
              mode: 'no-cors',
              headers: { 'content-type': 'text/plain' },
              body: JSON.stringify(request),
            }),
          }
        },
        {
          url: node.url,
          request: { capability: capabilityKeys[0], args: fx.factRequest().args },
          report: capability,
        },
      )
      assert.deepEqual(outcome, { read: '200', relay: 'TypeError', post: 'TypeError', simple: '0' })
      assert.equal(relayed(), before, 'nothing was relayed for the other origin')
    } finally {
      site.closeAllConnections()
      await new Promise((done) => site.close(done))
    }
  })
})
